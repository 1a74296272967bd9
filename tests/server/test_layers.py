"""The server sits below the client and the UI (docs/architecture.md): it never imports them."""

from __future__ import annotations

import subprocess
import sys


def test_the_server_imports_neither_ui_nor_client_nor_textual() -> None:
    code = (
        "import sys\n"
        "import chatui.server.app, chatui.server.runner, chatui.server.command\n"
        "bad = sorted(m for m in sys.modules\n"
        "             if m.split('.')[0] == 'textual'\n"
        "             or m.startswith(('chatui.ui', 'chatui.client', 'chatui.backends')))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
