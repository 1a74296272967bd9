"""Fixtures of the end-to-end tests."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator

import pytest

from tests.e2e.tmux import Terminal
from tests.support import require


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    """A tmux server of the test's own (its own socket), killed afterwards."""
    require(shutil.which("tmux") is not None, "tmux")
    term = Terminal(f"chatui-e2e-{uuid.uuid4().hex[:10]}")
    try:
        yield term
    finally:
        subprocess.run(["tmux", "-L", term.socket, "kill-server"], capture_output=True)
