"""A tiny real HTTP server on loopback for what the reference server never does.

The reference server is well behaved; these tests need one that answers garbage,
rate-limits or goes silent. It is still real uvicorn over real TCP, so the adapter
is exercised through the same httpx code paths as in production.
"""

from __future__ import annotations

import asyncio
import threading

import uvicorn
from starlette.applications import Starlette


class FakeServer:
    """Serve a Starlette app on 127.0.0.1 in a background thread."""

    def __init__(self, app: Starlette) -> None:
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="fake-server", daemon=True)
        self.url = ""

    def _run(self) -> None:
        asyncio.run(self._server.serve())

    def __enter__(self) -> FakeServer:
        self._thread.start()
        for _ in range(500):
            if self._server.started:
                break
            self._thread.join(0.01)
        if not self._server.started:
            raise RuntimeError("the fake server did not start")
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(10)
