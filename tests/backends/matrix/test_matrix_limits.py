"""Rate limits and failures: a real 429 from Synapse, and a tiny fake homeserver for
what Synapse cannot be made to do on demand (long waits, dying mid-stream)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from chatui.backends.base import AuthError, NotFoundError, UnavailableError
from chatui.backends.matrix import MatrixBackend
from chatui.core.clock import now_ms
from chatui.core.models import AccountConfig, ConnectionChanged, ConnectionState
from tests.backends.fake_server import FakeServer
from tests.backends.matrix.helpers_matrix import Tap, logged_in


async def test_a_real_429_is_waited_out_and_nothing_is_lost(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = bob.create_room(invite=[alice.user_id], name="Slow down")
    alice.join(room)
    backend = await logged_in(synapse, alice)
    # One message a second for Alice: the second quick send gets a 429 with
    # Retry-After and retry_after_ms, which the adapter waits out and retries.
    synapse.override_ratelimit(alice.user_id, messages_per_second=1, burst_count=1)
    try:
        sent = [await backend.send(room, f"burst {n}", uuid.uuid4().hex) for n in range(2)]
    finally:
        synapse.clear_ratelimit_override(alice.user_id)
        await backend.close()
    assert len({m.message_id for m in sent}) == 2
    assert bob.texts(room) == ["burst 0", "burst 1"]


# --- a fake homeserver --------------------------------------------------------------


class FakeHomeserver:
    """Answers whoami, and /sync and send the way each test says."""

    def __init__(self) -> None:
        self.sync_answers: list[tuple[int, dict, dict]] = []  # status, body, headers
        self.send_answer: tuple[int, dict, dict] = (200, {"event_id": "$e"}, {})
        self.sync_calls = 0
        self.app = Starlette(
            routes=[
                Route("/_matrix/client/v3/account/whoami", self.whoami),
                Route("/_matrix/client/v3/sync", self.sync),
                Route(
                    "/_matrix/client/v3/rooms/{room}/send/{kind}/{txn}",
                    self.send,
                    methods=["PUT"],
                ),
                Route("/_matrix/client/v3/rooms/{room}/state/{kind}/", self.state),
            ]
        )

    async def whoami(self, request: Request) -> JSONResponse:
        if request.headers.get("authorization") != "Bearer good":
            return JSONResponse(
                {"errcode": "M_UNKNOWN_TOKEN", "error": "Invalid access token"}, 401
            )
        return JSONResponse({"user_id": "@alice:fake", "device_id": "D"})

    async def sync(self, request: Request) -> JSONResponse:
        self.sync_calls += 1
        if self.sync_answers:
            status, body, headers = self.sync_answers.pop(0)
            return JSONResponse(body, status, headers=headers)
        await asyncio.sleep(0.2)
        return JSONResponse({"next_batch": f"t{self.sync_calls}"})

    async def send(self, request: Request) -> JSONResponse:
        status, body, headers = self.send_answer
        return JSONResponse(body, status, headers=headers)

    async def state(self, request: Request) -> JSONResponse:
        return JSONResponse({"errcode": "M_NOT_FOUND", "error": "no such state"}, 404)


@pytest.fixture
def fake():
    homeserver = FakeHomeserver()
    with FakeServer(homeserver.app) as server:
        homeserver.url = server.url
        yield homeserver


def _backend(url: str) -> MatrixBackend:
    backend = MatrixBackend(
        AccountConfig("fake", "matrix", url, "@alice:fake", "F", "#ff8700", "file")
    )
    backend.sync_timeout_ms = 1_000
    return backend


async def test_a_long_rate_limit_is_reported_with_its_wait(fake) -> None:
    fake.send_answer = (
        429,
        {"errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests", "retry_after_ms": 120_000},
        {"Retry-After": "120"},
    )
    backend = _backend(fake.url)
    await backend.restore("good")
    try:
        with pytest.raises(UnavailableError) as raised:
            await backend.send("!room", "hi", "txn")  # no two-minute hang: raised at once
    finally:
        await backend.close()
    assert raised.value.retry_after == 120


async def test_the_sync_loop_honours_retry_after(fake) -> None:
    limited = {"errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests"}
    fake.sync_answers = [
        (429, {**limited, "retry_after_ms": 200}, {"Retry-After": "1"}),  # short: in place
        (200, {"next_batch": "t0"}, {}),
        (429, limited, {"Retry-After": "9"}),  # header only: the loop waits it out
    ]
    backend = _backend(fake.url)
    await backend.restore("good")
    started = now_ms()
    tap = Tap(backend)
    try:
        connected = await tap.wait_for(
            lambda e: isinstance(e, ConnectionChanged) and e.state is ConnectionState.CONNECTED,
            "connected after the short 429",
        )
        reconnecting = await tap.wait_for(
            lambda e: isinstance(e, ConnectionChanged) and e.state is ConnectionState.RECONNECTING,
            "the long 429",
        )
    finally:
        await tap.stop()
    assert connected.cursor is None  # started from scratch
    assert "rate-limiting" in reconnecting.detail
    # Not before the server's Retry-After (9 s), counted down by the status bar.
    assert reconnecting.retry_at is not None
    assert reconnecting.retry_at - started >= 9000
    assert fake.sync_calls == 3


async def test_server_errors_back_off_and_a_refused_token_stops(fake) -> None:
    fake.sync_answers = [
        (502, {"error": "bad gateway"}, {}),
        (200, {"next_batch": "t0"}, {}),
        (401, {"errcode": "M_UNKNOWN_TOKEN", "error": "Token revoked"}, {}),
    ]
    backend = _backend(fake.url)
    backend.backoff_base = 0.05
    await backend.restore("good")
    tap = Tap(backend)
    try:
        await tap.wait_for(
            lambda e: isinstance(e, ConnectionChanged) and e.state is ConnectionState.ERROR,
            "the error state",
        )
        await asyncio.wait_for(tap._task, 10)  # the stream ends by itself
    finally:
        await tap.stop()
    states = [e.state for e in tap.events if isinstance(e, ConnectionChanged)]
    assert states == [
        ConnectionState.CONNECTING,
        ConnectionState.RECONNECTING,
        ConnectionState.CONNECTED,
        ConnectionState.ERROR,
    ]
    assert "Token revoked" in tap.events[-1].detail


async def test_errors_map_to_the_backend_error_classes(fake) -> None:
    backend = _backend(fake.url)
    try:
        with pytest.raises(AuthError, match="Invalid access token"):
            await backend.restore("bad")
        await backend.restore("good")
        fake.send_answer = (404, {"errcode": "M_NOT_FOUND", "error": "Unknown room"}, {})
        with pytest.raises(NotFoundError):
            await backend.send("!gone", "hi", "txn")
        fake.send_answer = (500, {"errcode": "M_UNKNOWN", "error": "boom"}, {})
        with pytest.raises(UnavailableError):
            await backend.send("!room", "hi", "txn")
    finally:
        await backend.close()
