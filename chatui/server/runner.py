"""Running the reference server: in a background thread, or in the foreground.

``ServerThread`` is what the demo, the tests and the benchmarks use: a real uvicorn
server on its own event loop in a daemon thread, so the caller's loop (a Textual
app, pytest-asyncio) is never shared with it. It binds the socket itself before
starting, so ``port=0`` yields a free port that is known the moment ``start()``
returns, and a taken port raises in the caller instead of dying in the thread.

Shutdown ends the live event streams first: uvicorn waits for open responses before
it stops, and an SSE response would otherwise never finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sqlite3
import threading
from pathlib import Path
from types import TracebackType

import uvicorn

from chatui.server.app import create_app
from chatui.server.db import Database
from chatui.server.events import Broadcaster


class _Server(uvicorn.Server):
    """uvicorn.Server that reports when it listens and closes event streams first."""

    def __init__(self, config: uvicorn.Config, broadcaster: Broadcaster) -> None:
        super().__init__(config)
        self.broadcaster = broadcaster
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        self.wakeup = asyncio.Event()
        await super().startup(sockets)
        self.ready.set()

    async def main_loop(self) -> None:
        # uvicorn's loop, except that request_exit() cuts the 0.1 s tick short, so
        # stopping (once per test, for the server fixture) is quick.
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wakeup.wait(), 0.1)
            should_exit = await self.on_tick(counter)

    def request_exit(self) -> None:
        """Safe from any thread."""
        self.should_exit = True
        loop = getattr(self, "loop", None)
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                loop.call_soon_threadsafe(self.wakeup.set)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.broadcaster.close()
        try:
            servers, state, lifespan = self.servers, self.server_state, self.lifespan
        except AttributeError:  # a uvicorn whose internals moved: its own way, slower
            await super().shutdown(sockets)
            return
        # uvicorn's own shutdown, minus its fixed 0.1 s pause: poll briefly instead,
        # since the pause would otherwise be paid once per test using the fixture.
        for server in servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.config.timeout_graceful_shutdown or 5)
        while (state.connections or state.tasks) and not self.force_exit:
            if loop.time() > deadline:
                for task in state.tasks:
                    task.cancel()
                break
            await asyncio.sleep(0.005)
        for server in servers:
            await server.wait_closed()
        if not self.force_exit:
            await lifespan.shutdown()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only turns on TCP_NODELAY for sockets that say
    # they are TCP, and without it every keep-alive response waits ~40 ms (Nagle
    # against delayed ACKs).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        # Listen now, not when uvicorn gets to it: `serve` prints "listening on" before
        # uvicorn has started, and a client that believes it must be queued in the
        # backlog, not refused.
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _make_server(
    database: Database, open_registration: bool, heartbeat: float | None, *, quiet: bool
) -> _Server:
    broadcaster = Broadcaster()
    kwargs = {"heartbeat": heartbeat} if heartbeat is not None else {}
    app = create_app(
        database, open_registration=open_registration, broadcaster=broadcaster, **kwargs
    )
    config = uvicorn.Config(
        app,
        lifespan="on",
        # In-process (demo, tests) we must not reconfigure the host program's logging
        # nor print access lines into a terminal UI.
        log_config=None if quiet else uvicorn.config.LOGGING_CONFIG,
        log_level="warning" if quiet else "info",
        access_log=not quiet,
        timeout_graceful_shutdown=5,
    )
    return _Server(config, broadcaster)


class ServerThread:
    """The reference server on a free (or given) loopback port, in a background thread."""

    def __init__(
        self,
        db_path: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        open_registration: bool = False,
        heartbeat: float | None = None,
        scrypt_n: int | None = None,
    ) -> None:
        """``heartbeat`` (seconds between SSE pings) and ``scrypt_n`` (password hashing
        work factor, see :class:`Database`) exist for tests; leave them at None."""
        self.db_path = Path(db_path)
        self.host = host
        self.port = port
        self.open_registration = open_registration
        self.heartbeat = heartbeat
        self.database = (
            Database(self.db_path)
            if scrypt_n is None
            else Database(self.db_path, scrypt_n=scrypt_n)
        )
        self.url = ""
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self) -> ServerThread:
        """Start serving; returns once the server accepts connections."""
        if self._thread is not None:
            raise RuntimeError("the server is already started")
        sock = _bind(self.host, self.port)
        self.port = sock.getsockname()[1]
        self.url = _url(self.host, self.port)
        server = _make_server(self.database, self.open_registration, self.heartbeat, quiet=True)
        self._server = server

        def run() -> None:
            try:
                asyncio.run(server.serve(sockets=[sock]))
            except BaseException as err:  # SystemExit from a failed startup too
                self._error = err
            finally:
                sock.close()
                server.ready.set()  # never leave start() waiting

        self._thread = threading.Thread(target=run, name=f"chatui-server:{self.port}", daemon=True)
        self._thread.start()
        server.ready.wait(timeout=30)
        if self._error is not None or not server.started:
            self.stop()
            raise RuntimeError(f"the chatui server did not start: {self._error!r}")
        return self

    def stop(self) -> None:
        """Stop gracefully: end event streams, finish requests, join the thread."""
        server, thread = self._server, self._thread
        if server is not None:
            server.request_exit()
        if thread is not None:
            thread.join(timeout=15)
        self._thread = None
        self._server = None
        self.database.close()

    @property
    def stream_count(self) -> int:
        """How many live event streams are open (a dropped client's is closed at once)."""
        return self._server.broadcaster.stream_count if self._server is not None else 0

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class ServeError(Exception):
    """``serve`` could not start; the message says why, fit for a user."""


def serve(host: str, port: int, db_path: Path, open_registration: bool) -> None:
    """Run the server in the foreground until Ctrl+C (or SIGTERM).

    Raises :class:`ServeError` when the database cannot be opened or the address
    cannot be listened on.
    """
    db_path = Path(db_path)
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        database = Database(db_path)
    except (OSError, sqlite3.Error) as err:
        raise ServeError(f"cannot open the database {db_path}: {err}") from err
    try:
        sock = _bind(host, port)
    except OSError as err:
        database.close()
        raise ServeError(f"cannot listen on {host}:{port}: {err.strerror or err}") from err
    url = _url(host, sock.getsockname()[1])
    registration = "open" if open_registration else "closed (use --open-registration)"
    print(f"chatui reference server listening on {url}", flush=True)
    print(f"  database: {db_path}", flush=True)
    print(f"  registration: {registration}", flush=True)
    print(f"  API description: {url}/openapi.json", flush=True)
    server = _make_server(database, open_registration, None, quiet=False)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        # uvicorn re-raises the Ctrl+C it handled gracefully; it is not an error here.
        pass
    finally:
        sock.close()
        database.close()
    if not server.started:
        raise ServeError("the server did not start; see the log above")
