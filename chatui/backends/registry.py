"""Finding backend adapters through the ``chatui.backends`` entry-point group.

The built-in adapters are registered in pyproject.toml the same way a third-party
package would register its own, so there is exactly one discovery path.

Discovery is paid once per process, and only when an adapter is asked for:
``importlib.metadata`` takes ~15 ms to import and reading every installed
distribution's entry points a few more, which the ``chatui`` command (it imports
this module to build its argument parser) and the app's first frame should not
wait for. The launcher asks for adapters after the first frame.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from chatui.backends.base import Backend, BackendError
from chatui.core.models import AccountConfig

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

GROUP = "chatui.backends"


@functools.cache
def _entry_points() -> dict[str, EntryPoint]:
    """The group's entry points by name, read once (the first one wins a name)."""
    from importlib.metadata import entry_points

    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=GROUP):
        found.setdefault(ep.name, ep)
    return found


def available_backends() -> dict[str, type[Backend]]:
    """Every installed adapter, by its entry-point name."""
    return {name: ep.load() for name, ep in _entry_points().items()}


def backend_class(kind: str) -> type[Backend]:
    ep = _entry_points().get(kind)
    if ep is not None:
        return ep.load()
    known = ", ".join(sorted(_entry_points())) or "none"
    raise BackendError(f"no backend called {kind!r} is installed (installed: {known})")


def make_backend(account: AccountConfig) -> Backend:
    """A fresh, not yet logged-in backend for ``account``."""
    return backend_class(account.kind)(account)
