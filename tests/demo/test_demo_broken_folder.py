"""``chatui demo`` in a folder it cannot use says which folder and why, and does not
offer ``--reset``, which would fail the same way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support import app_env


def test_a_folder_that_cannot_be_used_is_named_without_offering_reset(tmp_path: Path) -> None:
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    result = subprocess.run(
        [sys.executable, "-m", "chatui", "--config-dir", str(in_the_way / "profile"), "demo"],
        capture_output=True,
        text=True,
        env=app_env(),
        timeout=60,
    )
    assert result.returncode == 1
    assert f"cannot use the demo's folder ({in_the_way / 'profile'}" in result.stderr
    assert "Not a directory" in result.stderr
    assert "--reset" not in result.stderr
    assert "Traceback" not in result.stderr
