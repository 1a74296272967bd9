"""The backend API stays free of the UI, and the adapter is found like a plugin."""

from __future__ import annotations

import subprocess
import sys

from chatui.backends import registry
from chatui.backends.local import LocalBackend
from chatui.core.models import AccountConfig


def test_backend_api_does_not_import_textual() -> None:
    # A fresh interpreter: in this one the UI tests may already have loaded Textual.
    code = (
        "import sys\n"
        "import chatui.backends.base, chatui.backends.local, chatui.backends.registry\n"
        "import chatui.client\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "", f"textual modules were imported: {result.stdout}"


def test_local_backend_is_discovered_through_its_entry_point() -> None:
    assert registry.backend_class("local") is LocalBackend
    assert registry.available_backends()["local"] is LocalBackend
    account = AccountConfig("a", "local", "http://127.0.0.1:1", "alice", "A", "#5fafff")
    backend = registry.make_backend(account)
    assert isinstance(backend, LocalBackend)
    assert backend.account_id == "a"
