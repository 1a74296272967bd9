"""A fault-injecting HTTP proxy for loopback tests: a bad network in front of a real server.

It sits between a client and a real reference server and, request by request,
either passes traffic through or misbehaves the way networks and servers do:

* connection drops before the request reaches the server, after the server acted
  on it (the client never hears the answer), or in the middle of the answer;
* delays; injected 500/503 answers, and 429/503 with ``Retry-After``;
* a 200 whose JSON body is cut short (invalid JSON);
* on the event stream: a cut in the middle of an event (right after its ``id:``
  line, the worst place for a client that resumes from ids), and garbage between
  events;
* rewritten answers: what a careless or hostile server could send, e.g. JSON
  escapes for lone surrogates and raw control characters.

What happens to each request is decided by a *plan*: a function from the request
(method, path, sequence number) to an :class:`Action`. :class:`Script` plays a
fixed list of actions in order; :class:`Chaos` draws them from a seeded random
generator, so a test is reproducible. Every decision is logged in ``proxy.log``.

HTTP/1.1 only, as spoken by httpx and uvicorn: requests framed by
Content-Length (or chunked), responses by Content-Length, chunked encoding or
the connection closing. Each request gets its own upstream connection (sent with
``Connection: close``), so faults on one can never corrupt another.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urlsplit

# --- what a plan can decide ------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One request as the proxy saw it."""

    number: int  # 0, 1, 2... across all connections, in arrival order
    method: str
    path: str  # the request target: path and query
    headers: tuple[tuple[str, str], ...]
    # No body: the plan decides before it is read, so that DropMidRequest can
    # close the connection with the body still unread.

    @property
    def route(self) -> str:
        """The path without the query string."""
        return self.path.split("?", 1)[0]

    @property
    def is_stream(self) -> bool:
        return self.method == "GET" and self.route == "/v1/events"


class Action:
    """What the proxy does with one request. Subclasses are the fault kinds."""

    def __str__(self) -> str:
        return type(self).__name__


@dataclass(frozen=True)
class Pass(Action):
    """Forward the request and the answer untouched."""


@dataclass(frozen=True)
class Delay(Action):
    """Wait, then forward (the client sees a slow server, or times out)."""

    seconds: float

    def __str__(self) -> str:
        return f"Delay({self.seconds})"


@dataclass(frozen=True)
class Reply(Action):
    """Answer on the server's behalf; the server never sees the request."""

    status: int
    body: bytes = b'{"error": "injected", "message": "injected by the fault proxy"}'
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str = "application/json"

    def __str__(self) -> str:
        extra = "".join(f" {k}={v}" for k, v in self.headers)
        return f"Reply({self.status}{extra})"


@dataclass(frozen=True)
class DropMidRequest(Action):
    """Close the connection after the request's headers: nothing reaches the server."""


@dataclass(frozen=True)
class DropAfterForward(Action):
    """The server gets the request and acts on it; the client never hears back."""


@dataclass(frozen=True)
class DropMidResponse(Action):
    """Forward, then send only the headers and half the answer before closing."""


@dataclass(frozen=True)
class InvalidJson(Action):
    """Forward, then replace a successful answer's body with truncated JSON."""


@dataclass(frozen=True)
class CutStream(Action):
    """On an event stream: pass ``after`` blocks, then the next event up to and
    including its ``id:`` line, then close the connection."""

    after: int = 1

    def __str__(self) -> str:
        return f"CutStream(after={self.after})"


@dataclass(frozen=True)
class GarbageInStream(Action):
    """On an event stream: after ``after`` blocks, insert ``garbage``, then go on
    (for ``end_after`` blocks in all, if given: then the stream ends cleanly)."""

    after: int = 1
    end_after: int | None = None
    garbage: bytes = (
        b"data: {this is not json\n\n"
        b'event: message\ndata: {"message_id": 7}\n\n'
        b"\xff\xfe\x00\x9b31m binary junk\n\n"
        b"no colon on this line\n\n"
        b"event: kind-from-the-future\ndata: {}\n\n"
    )

    def __str__(self) -> str:
        return f"GarbageInStream(after={self.after})"


@dataclass(frozen=True)
class Rewrite(Action):
    """Forward, replacing ``old`` with ``new`` in the answer (event streams too):
    a server that sends what the reference server would never store."""

    old: bytes
    new: bytes


STREAM_ACTIONS = (CutStream, GarbageInStream)

Plan = Callable[[Request], Action]


def passthrough(request: Request) -> Action:
    return Pass()


@dataclass
class Script:
    """The n-th request matching ``match`` gets ``actions[n]``.

    ``match`` defaults to every request. Once the actions are used up (or for a
    request that does not match) the script has no opinion (None), so that with
    :func:`first_of` the next plan decides, and in the end every request passes.
    """

    actions: Sequence[Action]
    match: Callable[[Request], bool] = lambda request: True
    _used: int = 0

    @property
    def done(self) -> bool:
        """Every action has been played."""
        return self._used >= len(self.actions)

    def __call__(self, request: Request) -> Action | None:
        if not self.match(request):
            return None
        if self._used >= len(self.actions):
            return None
        action = self.actions[self._used]
        self._used += 1
        return action


@dataclass
class Chaos:
    """A seeded random mix: each matching request draws an action by weight.

    After ``budget`` faults (if given) everything passes, so a test can wait for
    the system to heal and then compare it with the server's truth.
    """

    seed: int
    weights: Sequence[tuple[Callable[[Request], Action], float]]
    match: Callable[[Request], bool] = lambda request: True
    budget: int | None = None
    faults: int = 0
    _random: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def __call__(self, request: Request) -> Action | None:
        if not self.match(request):
            return None
        if self.budget is not None and self.faults >= self.budget:
            return Pass()
        makers = [maker for maker, _ in self.weights]
        maker = self._random.choices(makers, weights=[w for _, w in self.weights])[0]
        action = maker(request)
        if not isinstance(action, Pass):
            self.faults += 1
        return action


def first_of(*plans: Callable[[Request], Action | None]) -> Plan:
    """The first plan with an opinion about a request decides; otherwise it passes."""

    def plan(request: Request) -> Action:
        for candidate in plans:
            action = candidate(request)
            if action is not None:
                return action
        return Pass()

    return plan


def route(pattern: str, method: str | None = None) -> Callable[[Request], bool]:
    """A matcher: the request's path (without query) fully matches ``pattern``."""
    compiled = re.compile(pattern)

    def match(request: Request) -> bool:
        return (method is None or request.method == method) and bool(
            compiled.fullmatch(request.route)
        )

    return match


# --- HTTP/1.1 framing ---------------------------------------------------------------

_MAX_HEAD = 64 * 1024


class _Closed(Exception):
    """The peer went away."""


async def _read_head(reader: asyncio.StreamReader) -> tuple[str, list[tuple[str, str]]]:
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError) as err:
        raise _Closed from err
    lines = raw.decode("latin-1").split("\r\n")
    headers = []
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
    return lines[0], headers


def _header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _without(headers: Sequence[tuple[str, str]], *names: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in headers if k.lower() not in names]


def _head_bytes(first_line: str, headers: Sequence[tuple[str, str]]) -> bytes:
    return (first_line + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n").encode(
        "latin-1"
    )


async def _read_chunks(reader: asyncio.StreamReader):
    """Yield the payload of a chunked body, piece by piece, as it arrives."""
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # the empty trailer
            return
        yield await reader.readexactly(size)
        await reader.readexactly(2)


async def _read_body(reader: asyncio.StreamReader, headers: Sequence[tuple[str, str]]) -> bytes:
    length = _header(headers, "content-length")
    if length is not None:
        return await reader.readexactly(int(length))
    if (_header(headers, "transfer-encoding") or "").lower() == "chunked":
        return b"".join([piece async for piece in _read_chunks(reader)])
    return await reader.read()  # framed by the connection closing


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


# --- the proxy ---------------------------------------------------------------------


class FaultProxy:
    """A loopback HTTP proxy to ``upstream`` that applies ``plan`` to each request.

    Runs its own event loop in a background thread (like the reference server's
    ServerThread), so synchronous and asynchronous tests can both use it.
    """

    def __init__(self, upstream: str, plan: Plan = passthrough) -> None:
        parts = urlsplit(upstream)
        assert parts.hostname is not None and parts.port is not None
        self.upstream_host, self.upstream_port = parts.hostname, parts.port
        self.plan = plan
        self.url = ""
        self.log: list[tuple[int, str, str, str]] = []
        """(number, method, path, action) for every request, in arrival order."""
        self._lock = threading.Lock()
        self._count = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._connections: set[asyncio.Task] = set()

    # --- life cycle ------------------------------------------------------------------

    def start(self) -> FaultProxy:
        self._thread = threading.Thread(target=self._run, name="fault-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(10) or not self.url:
            raise RuntimeError("the fault proxy did not start")
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        finally:
            loop.close()

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        self._server = await asyncio.start_server(
            self._on_connection, "127.0.0.1", 0, limit=_MAX_HEAD
        )
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self._ready.set()
        await self._stopping.wait()
        self._server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await self._server.wait_closed()

    def stop(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._stopping.set)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def actions(self, kind: type[Action] | None = None) -> list[str]:
        """The logged actions (optionally of one kind), e.g. to check a plan really ran."""
        with self._lock:
            return [a for _, _, _, a in self.log if kind is None or a.startswith(kind.__name__)]

    # --- one client connection ---------------------------------------------------------

    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while True:  # keep-alive: one request after another
                if not await self._one_request(reader, writer):
                    break
        except (_Closed, ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:  # the proxy is stopping: end quietly
            pass
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _one_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Handle one request; False when the client connection must end."""
        request_line, headers = await _read_head(reader)
        method, target, _ = request_line.split(" ", 2)
        with self._lock:
            number = self._count
            self._count += 1
        # Decide before reading the body: DropMidRequest closes right here.
        probe = Request(number, method, target, tuple(headers))
        action = self.plan(probe)
        if isinstance(action, STREAM_ACTIONS) and not probe.is_stream:
            action = Pass()
        with self._lock:
            self.log.append((number, method, target, str(action)))
        if isinstance(action, DropMidRequest):
            return False
        body = await _read_body(reader, headers) if method not in ("GET", "HEAD") else b""
        if isinstance(action, Reply):
            response = [("Content-Type", action.content_type), *action.headers]
            response.append(("Content-Length", str(len(action.body))))
            writer.write(_head_bytes(f"HTTP/1.1 {action.status} Injected", response))
            writer.write(action.body)
            await writer.drain()
            return True
        if isinstance(action, Delay):
            await asyncio.sleep(action.seconds)
        up_reader, up_writer = await asyncio.open_connection(
            self.upstream_host, self.upstream_port, limit=_MAX_HEAD
        )
        try:
            forwarded = _without(headers, "connection", "content-length", "transfer-encoding")
            forwarded += [("Connection", "close"), ("Content-Length", str(len(body)))]
            up_writer.write(_head_bytes(request_line, forwarded) + body)
            await up_writer.drain()
            status_line, response_headers = await _read_head(up_reader)
            content_type = _header(response_headers, "content-type") or ""
            if content_type.startswith("text/event-stream"):
                await self._stream(action, status_line, response_headers, up_reader, reader, writer)
                return False
            payload = await _read_body(up_reader, response_headers)
        finally:
            up_writer.close()
            with contextlib.suppress(Exception):
                await up_writer.wait_closed()
        if isinstance(action, DropAfterForward):
            return False
        status = int(status_line.split(" ", 2)[1])
        if isinstance(action, InvalidJson) and 200 <= status < 300 and payload:
            payload = payload[: max(1, len(payload) // 2)]  # cut: never valid JSON
        if isinstance(action, Rewrite):
            payload = payload.replace(action.old, action.new)
        out_headers = _without(response_headers, "content-length", "transfer-encoding")
        out_headers.append(("Content-Length", str(len(payload))))
        writer.write(_head_bytes(status_line, out_headers))
        if isinstance(action, DropMidResponse):
            writer.write(payload[: len(payload) // 2])
            await writer.drain()
            return False
        writer.write(payload)
        await writer.drain()
        return True

    async def _stream(
        self,
        action: Action,
        status_line: str,
        headers: list[tuple[str, str]],
        upstream: asyncio.StreamReader,
        client: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        """Relay an event stream block by block, applying a stream fault on the way."""
        out_headers = _without(headers, "content-length", "transfer-encoding", "connection")
        out_headers += [("Transfer-Encoding", "chunked"), ("Connection", "close")]
        writer.write(_head_bytes(status_line, out_headers))
        if isinstance(action, DropMidResponse):
            await writer.drain()
            return
        # The client hanging up must end the upstream stream too.
        hangup = asyncio.ensure_future(client.read())
        chunked = (_header(headers, "transfer-encoding") or "").lower() == "chunked"
        source = _read_chunks(upstream) if chunked else _raw(upstream)
        pieces = _until(source, hangup)
        try:
            if await self._relay_blocks(action, pieces, writer):
                writer.write(b"0\r\n\r\n")  # a clean end, as when the server closes
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, _Closed):
            pass
        finally:
            hangup.cancel()
            await pieces.aclose()

    @staticmethod
    async def _relay_blocks(action: Action, pieces, writer: asyncio.StreamWriter) -> bool:
        """Forward SSE blocks (an event or comment and its blank line) one at a time.

        Returns False when the stream was cut (the connection must just close).
        """
        blocks = 0
        buffer = b""
        async for piece in pieces:
            buffer += piece.replace(b"\r\n", b"\n")
            while b"\n\n" in buffer:
                block, buffer = buffer.split(b"\n\n", 1)
                block += b"\n\n"
                if isinstance(action, CutStream) and blocks == action.after:
                    cut = block.find(b"\nid:")
                    if cut >= 0:  # up to and including the id line
                        writer.write(_chunk(block[: block.find(b"\n", cut + 1) + 1]))
                    else:
                        writer.write(_chunk(block[: max(1, len(block) // 2)]))
                    await writer.drain()
                    return False
                if isinstance(action, Rewrite):
                    block = block.replace(action.old, action.new)
                writer.write(_chunk(block))
                blocks += 1
                if isinstance(action, GarbageInStream):
                    if blocks == action.after:
                        writer.write(_chunk(action.garbage))
                    if blocks == action.end_after:
                        await writer.drain()
                        return True
                await writer.drain()
        return True


async def _raw(reader: asyncio.StreamReader):
    while True:
        data = await reader.read(65536)
        if not data:
            return
        yield data


async def _until(source, stop: asyncio.Future):
    """Iterate ``source`` until it ends or ``stop`` completes (the client hung up)."""
    iterator = source.__aiter__()
    while True:
        step = asyncio.ensure_future(iterator.__anext__())
        try:
            await asyncio.wait({step, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not step.done():
                step.cancel()
                with contextlib.suppress(BaseException):
                    await step
        if step.cancelled():
            return
        error = step.exception()
        if isinstance(error, StopAsyncIteration):
            return
        if error is not None:
            raise error
        yield step.result()
