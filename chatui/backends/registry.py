"""Finding backend adapters through the ``chatui.backends`` entry-point group.

The built-in adapters are registered in pyproject.toml the same way a third-party
package would register its own, so there is exactly one discovery path.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from chatui.backends.base import Backend, BackendError
from chatui.core.models import AccountConfig

GROUP = "chatui.backends"


def available_backends() -> dict[str, type[Backend]]:
    """Every installed adapter, by its entry-point name."""
    found: dict[str, type[Backend]] = {}
    for ep in entry_points(group=GROUP):
        found[ep.name] = ep.load()
    return found


def backend_class(kind: str) -> type[Backend]:
    for ep in entry_points(group=GROUP):
        if ep.name == kind:
            return ep.load()
    known = ", ".join(sorted(ep.name for ep in entry_points(group=GROUP))) or "none"
    raise BackendError(f"no backend called {kind!r} is installed (installed: {known})")


def make_backend(account: AccountConfig) -> Backend:
    """A fresh, not yet logged-in backend for ``account``."""
    return backend_class(account.kind)(account)
