"""The Matrix backend (client-server API v3 over httpx; no Matrix SDK).

The entry point is ``chatui.backends.matrix:MatrixBackend``. Modules:

* :mod:`.http` — requests, error mapping, rate-limit retries;
* :mod:`.convert` — event JSON -> Message, chatui's ``chat.chatui.*`` namespace;
* :mod:`.rooms` — per-room state, room names, reaction tallies;
* :mod:`.sync` — folding /sync answers into chatui events;
* :mod:`.search` — the ``/search`` request and answer, and what a history line is;
* :mod:`.discovery` — ``.well-known/matrix/client``;
* :mod:`.backend` — :class:`MatrixBackend` itself.
"""

from chatui.backends.matrix.backend import MatrixBackend

__all__ = ["MatrixBackend"]
