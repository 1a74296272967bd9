"""The ``local`` backend: the reference server's HTTP API v1 (docs/server.md).

The entry point is ``chatui.backends.local:LocalBackend``. Modules:

* :mod:`.http` — the httpx client (imported on first use), requests, error mapping;
* :mod:`.decode` — server JSON -> Message, Thread, Credentials, through the wire types
  (chatui/core/wire.py);
* :mod:`.backend` — :class:`LocalBackend` itself, with its event stream, and
  :func:`register` for servers with open registration.
"""

from chatui.backends.local.backend import LocalBackend, register

__all__ = ["LocalBackend", "register"]
