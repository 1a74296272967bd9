"""The adapter is found like a plugin (that the backend API stays free of the UI is
an import-linter contract in pyproject.toml, checked by make lint)."""

from __future__ import annotations

from chatui.backends import registry
from chatui.backends.local import LocalBackend
from chatui.core.models import AccountConfig


def test_local_backend_is_discovered_through_its_entry_point() -> None:
    assert registry.backend_class("local") is LocalBackend
    assert registry.available_backends()["local"] is LocalBackend
    account = AccountConfig("a", "local", "http://127.0.0.1:1", "alice", "A", "#5fafff")
    backend = registry.make_backend(account)
    assert isinstance(backend, LocalBackend)
    assert backend.account_id == "a"
