"""The adapter against a misbehaving server: errors, garbage and silence.

The reference server never sends garbage or goes quiet, so these tests use a tiny
Starlette app on real loopback HTTP (tests/backends/fake_server.py) that does.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import socket
import time
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from chatui.backends.base import (
    AuthError,
    BackendError,
    BadRequestError,
    UnavailableError,
)
from chatui.backends.local import LocalBackend
from chatui.backends.retry import backoff_ceiling
from chatui.backends.retry import retry_after_seconds as _retry_after
from chatui.core.clock import now_ms
from chatui.core.models import (
    AccountConfig,
    ConnectionChanged,
    ConnectionState,
    Event,
    MessageReceived,
)
from tests.backends.fake_server import FakeServer

pytestmark = pytest.mark.timeout(60)


def message_json(message_id: str, body: str = "hi") -> dict:
    return {
        "message_id": message_id,
        "thread_id": "t1",
        "sender": "bob",
        "body": body,
        "ts": 1_700_000_000_000,
        "txn_id": None,
        "reply_to": None,
        "reactions": {},
        "vanish": {"mode": "off"},
    }


def sse(event_id: str, kind: str, data: object) -> bytes:
    text = data if isinstance(data, str) else json.dumps(data)
    return f"id: {event_id}\nevent: {kind}\ndata: {text}\n\n".encode()


def backend_for(url: str) -> LocalBackend:
    backend = LocalBackend(AccountConfig("fake", "local", url, "alice", "F", "#ffffff"))
    backend.token = "secret"
    backend.backoff_base = 0.05  # keep reconnects quick; the logic is the same
    return backend


async def take_until(
    events: AsyncIterator[Event], done: Callable[[Event], bool], limit: int = 50
) -> list[Event]:
    """Events up to and including the first one for which ``done`` is true."""
    seen: list[Event] = []
    async with asyncio.timeout(20):
        async for event in events:
            seen.append(event)
            if done(event) or len(seen) >= limit:
                break
    return seen


def states(events: list[Event]) -> list[ConnectionState]:
    return [e.state for e in events if isinstance(e, ConnectionChanged)]


# --- request errors ------------------------------------------------------------------


def faulty_app() -> Starlette:
    async def me(request: Request) -> Response:
        return Response("<html>oops</html>", media_type="text/html")

    async def threads(request: Request) -> Response:
        return JSONResponse(
            {"error": "rate_limited", "message": "slow down, please"},
            status_code=429,
            headers={"Retry-After": "7"},
        )

    async def thread(request: Request) -> Response:
        if request.path_params["tid"] == "slow":
            await asyncio.sleep(5)
        return Response("Internal Server Error", status_code=500)

    async def send(request: Request) -> Response:
        return JSONResponse(
            {"error": "too_large", "message": "the message is longer than 65536 bytes"},
            status_code=413,
        )

    async def history(request: Request) -> Response:
        good = message_json("m1")
        return JSONResponse({"messages": [good, {"message_id": "m2"}, "junk"]})

    async def login(request: Request) -> Response:
        return JSONResponse({"error": "bad_credentials", "message": "wrong password"}, 401)

    return Starlette(
        routes=[
            Route("/v1/me", me),
            Route("/v1/login", login, methods=["POST"]),
            Route("/v1/threads", threads),
            Route("/v1/threads/{tid}", thread),
            Route("/v1/threads/{tid}/messages", history),
            Route("/v1/threads/{tid}/messages/{txn}", send, methods=["PUT"]),
        ]
    )


async def test_http_errors_become_backend_errors_with_the_servers_words() -> None:
    with FakeServer(faulty_app()) as server:
        backend = backend_for(server.url)
        try:
            with pytest.raises(BackendError, match="not valid JSON") as invalid:
                await backend.restore("secret")
            assert type(invalid.value) is BackendError

            with pytest.raises(UnavailableError) as limited:
                await backend.threads()
            assert str(limited.value) == "slow down, please"
            assert limited.value.retry_after == 7
            assert limited.value.status == 429

            with pytest.raises(UnavailableError, match="internal error") as broken:
                await backend.thread("t1")
            assert broken.value.status == 500

            with pytest.raises(BadRequestError, match="longer than 65536") as large:
                await backend.send("t1", "x", "txn-1")
            assert large.value.code == "too_large"

            with pytest.raises(AuthError, match="wrong password"):
                await backend.login("alice", "nope")
        finally:
            await backend.close()


async def test_a_server_that_does_not_answer_times_out_as_unavailable() -> None:
    with FakeServer(faulty_app()) as server:
        backend = backend_for(server.url)
        backend.request_timeout = httpx.Timeout(0.3)
        try:
            with pytest.raises(UnavailableError, match="did not answer in time"):
                await backend.thread("slow")
        finally:
            await backend.close()


async def test_malformed_items_in_a_list_are_skipped(caplog: pytest.LogCaptureFixture) -> None:
    with FakeServer(faulty_app()) as server:
        backend = backend_for(server.url)
        try:
            with caplog.at_level(logging.WARNING, logger="chatui.backends.local"):
                messages = await backend.history("t1")
        finally:
            await backend.close()
    assert [m.message_id for m in messages] == ["m1"]
    assert messages[0].account_id == "fake"
    assert sum("malformed message" in r.getMessage() for r in caplog.records) == 2


async def test_an_unreachable_server_is_unavailable() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nobody listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    backend = backend_for(f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(UnavailableError, match="cannot reach"):
            await backend.threads()
    finally:
        await backend.close()


# --- the event stream ----------------------------------------------------------------


class StreamScript:
    """A fake /v1/events that plays one script per connection and records requests."""

    def __init__(self, *scripts: list[bytes | float | None]) -> None:
        # Each script is a list of: bytes to send, a float to sleep, or None to hang.
        self.scripts = list(scripts)
        self.requests: list[tuple[str | None, str | None]] = []  # (since, Last-Event-ID)
        self.refusals: list[Response] = []  # answered, in order, before any script

    async def endpoint(self, request: Request) -> Response:
        self.requests.append(
            (request.query_params.get("since"), request.headers.get("last-event-id"))
        )
        if self.refusals:
            return self.refusals.pop(0)
        script = self.scripts.pop(0) if self.scripts else [None]

        async def body() -> AsyncIterator[bytes]:
            for step in script:
                if step is None:
                    await asyncio.sleep(3600)
                elif isinstance(step, float):
                    await asyncio.sleep(step)
                else:
                    yield step

        return StreamingResponse(body(), media_type="text/event-stream")

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/events", self.endpoint)])


async def test_malformed_events_are_skipped_and_the_stream_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    script = StreamScript(
        [
            b": hello\n\n",
            sse("c-1", "message", "this is not json"),
            sse("c-2", "message", {"thread_id": "t1"}),  # not a whole message
            sse("c-3", "thread", [1, 2, 3]),
            sse("c-4", "read", {"thread_id": "t1"}),
            sse("c-5", "confetti", {"from": "a newer server"}),
            b"\xff\xfe\x00 binary junk\n\n",
            sse("c-6", "message", message_json("m6", "still here")),
            None,
        ]
    )
    with FakeServer(script.app()) as server:
        backend = backend_for(server.url)
        stream = backend.events()
        try:
            with caplog.at_level(logging.WARNING, logger="chatui.backends.local"):
                seen = await take_until(stream, lambda e: isinstance(e, MessageReceived))
        finally:
            await stream.aclose()
            await backend.close()
    assert states(seen) == [ConnectionState.CONNECTING, ConnectionState.CONNECTED]
    received = seen[-1]
    assert isinstance(received, MessageReceived)
    assert received.message.body == "still here"
    assert received.cursor == "c-6"
    skipped = [r.getMessage() for r in caplog.records if "skipping" in r.getMessage()]
    assert len(skipped) == 4  # not JSON, bad message, bad thread, bad read marker
    # What a log keeps outlives vanish mode's erasure: no event's data goes in it.
    assert not any("this is not json" in line for line in skipped)


async def test_a_silent_stream_is_detected_and_resumed_from_the_last_cursor() -> None:
    script = StreamScript(
        [sse("s-1", "message", message_json("m1")), None],  # then silence: a dead link
        [sse("s-2", "message", message_json("m2")), None],
    )
    with FakeServer(script.app()) as server:
        backend = backend_for(server.url)
        backend.idle_timeout = 0.5
        stream = backend.events(since="s-0")
        try:
            seen = await take_until(
                stream,
                lambda e: isinstance(e, MessageReceived) and e.message.message_id == "m2",
            )
        finally:
            await stream.aclose()
            await backend.close()
    assert states(seen) == [
        ConnectionState.CONNECTING,
        ConnectionState.CONNECTED,
        ConnectionState.RECONNECTING,
        ConnectionState.CONNECTED,
    ]
    reconnecting = next(
        e
        for e in seen
        if isinstance(e, ConnectionChanged) and e.state is ConnectionState.RECONNECTING
    )
    assert "no sign of life" in reconnecting.detail
    assert reconnecting.retry_at is not None  # a next try is scheduled (and counted)
    assert [e.message.message_id for e in seen if isinstance(e, MessageReceived)] == ["m1", "m2"]
    assert script.requests == [("s-0", "s-0"), ("s-1", "s-1")]


async def test_heartbeats_keep_a_quiet_stream_alive() -> None:
    beat = b": heartbeat\n\n"
    # 1.5 s of nothing but heartbeats, each 0.25 s apart, against a 1 s idle limit.
    script = StreamScript([*[beat, 0.25] * 6, sse("h-1", "message", message_json("m1")), None])
    with FakeServer(script.app()) as server:
        backend = backend_for(server.url)
        backend.idle_timeout = 1.0  # shorter than the whole script, longer than a beat
        stream = backend.events()
        try:
            seen = await take_until(stream, lambda e: isinstance(e, MessageReceived))
        finally:
            await stream.aclose()
            await backend.close()
    assert states(seen) == [ConnectionState.CONNECTING, ConnectionState.CONNECTED]
    assert len(script.requests) == 1


async def test_a_busy_server_is_retried_after_its_retry_after() -> None:
    script = StreamScript([sse("r-1", "message", message_json("m1")), None])
    script.refusals = [
        JSONResponse(
            {"error": "maintenance", "message": "back in a moment"},
            503,
            headers={"Retry-After": "1"},
        )
    ]
    with FakeServer(script.app()) as server:
        backend = backend_for(server.url)
        started = now_ms()
        stream = backend.events()
        try:
            seen = await take_until(stream, lambda e: isinstance(e, MessageReceived))
        finally:
            await stream.aclose()
            await backend.close()
    assert states(seen) == [
        ConnectionState.CONNECTING,
        ConnectionState.RECONNECTING,
        ConnectionState.CONNECTED,
    ]
    assert seen[1].detail == "back in a moment"
    # The next try is due no sooner than the server's Retry-After (the bar counts it).
    assert seen[1].retry_at is not None and seen[1].retry_at >= started + 1000


async def test_a_refused_token_ends_the_stream_with_an_error_state() -> None:
    script = StreamScript()
    script.refusals = [
        JSONResponse({"error": "unauthorized", "message": "your session has expired"}, 401)
    ]
    with FakeServer(script.app()) as server:
        backend = backend_for(server.url)
        try:
            async with asyncio.timeout(20):
                seen = [event async for event in backend.events()]
        finally:
            await backend.close()
    assert states(seen) == [ConnectionState.CONNECTING, ConnectionState.ERROR]
    assert seen[-1].detail == "your session has expired"
    assert len(script.requests) == 1  # no retry loop against a refused token


async def test_close_ends_a_running_stream_promptly() -> None:
    script = StreamScript([b": hi\n\n", None])
    with FakeServer(script.app()) as server:
        backend = backend_for(server.url)
        connected = asyncio.Event()
        seen: list[Event] = []

        async def consume() -> None:
            async for event in backend.events():
                seen.append(event)
                if (
                    isinstance(event, ConnectionChanged)
                    and event.state is ConnectionState.CONNECTED
                ):
                    connected.set()

        consumer = asyncio.create_task(consume())
        async with asyncio.timeout(20):
            await connected.wait()
        await backend.close()
        # The consumer must end by itself, not be cancelled: close() ends the iteration.
        async with asyncio.timeout(5):
            await consumer
    assert consumer.done() and not consumer.cancelled()
    assert [e async for e in backend.events()] == []  # closed stays closed


# --- pure helpers ----------------------------------------------------------------------


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [backoff_ceiling(n, 1.0, 30.0) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff_ceiling(10_000, 1.0, 30.0) == 30.0  # no overflow after a long outage


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert _retry_after("7") == 7
    in_a_minute = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert 50 < (_retry_after(in_a_minute) or 0) <= 60
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past: now
    assert _retry_after("soon") is None
    assert _retry_after(None) is None


@pytest.mark.parametrize("address", ["localhost:8765", "ftp://example.org", "http://[::1", ""])
async def test_a_bad_server_address_is_a_clear_error(address: str) -> None:
    with pytest.raises(BackendError, match="server address"):
        await LocalBackend(AccountConfig("x", "local", address, "a", "X", "red")).login("a", "b")
