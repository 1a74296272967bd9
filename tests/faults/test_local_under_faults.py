"""The ``local`` backend and the Session behind a fault-injecting proxy.

Everything is real except the network in between, which misbehaves on a script
(tests/faults/proxy.py): each fault must surface as the documented error class,
the live stream must come through cuts, garbage and refusals without losing or
repeating an event, and a Session under a random storm must never let an
exception escape its tasks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import httpx
import pytest

from chatui.backends.base import BackendError, UnavailableError
from chatui.backends.local import LocalBackend
from chatui.core.models import (
    ConnectionChanged,
    ConnectionState,
    MessageReceived,
)
from chatui.session.session import LinkedAccount, Session
from tests.faults.conftest import World, bob_backend
from tests.faults.proxy import (
    Action,
    Chaos,
    CutStream,
    Delay,
    DropAfterForward,
    DropMidRequest,
    DropMidResponse,
    GarbageInStream,
    InvalidJson,
    Pass,
    Reply,
    Script,
    first_of,
    route,
)

pytestmark = pytest.mark.timeout(90)

WAIT = 20.0  # seconds: bounds a hang, never asserts a speed


async def eventually(check: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def _retry_after(seconds: str) -> tuple[tuple[str, str], ...]:
    return (("Retry-After", seconds),)


# --- each fault, its error class -------------------------------------------------------

FAULTS = [
    pytest.param(Reply(500), UnavailableError, None, id="500"),
    pytest.param(
        Reply(502, b"<html>bad gateway</html>", content_type="text/html"),
        UnavailableError,
        None,
        id="502-html",
    ),
    pytest.param(Reply(503, headers=_retry_after("7")), UnavailableError, 7.0, id="503-after"),
    pytest.param(Reply(429, headers=_retry_after("3")), UnavailableError, 3.0, id="429-after"),
    pytest.param(DropMidRequest(), UnavailableError, None, id="drop-mid-request"),
    pytest.param(DropAfterForward(), UnavailableError, None, id="drop-after-forward"),
    pytest.param(DropMidResponse(), UnavailableError, None, id="drop-mid-response"),
    pytest.param(Delay(3.0), UnavailableError, None, id="timeout"),
    pytest.param(InvalidJson(), BackendError, None, id="invalid-json"),
]


@pytest.mark.parametrize(("fault", "error", "retry_after"), FAULTS)
@pytest.mark.parametrize("operation", ["threads", "history", "send"])
async def test_each_fault_surfaces_as_its_documented_error(
    world: World, proxy_for, fault: Action, error: type, retry_after: float | None, operation: str
) -> None:
    proxy = proxy_for(first_of(Script([fault], match=lambda r: not r.is_stream)))
    backend = bob_backend(world, proxy)
    backend.request_timeout = httpx.Timeout(1.0)  # the Delay fault must time out
    calls = {
        "threads": lambda: backend.threads(),
        "history": lambda: backend.history(world.thread_id),
        "send": lambda: backend.send(world.thread_id, "hello", "txn-1"),
    }
    try:
        with pytest.raises(BackendError) as raised:
            await calls[operation]()
        assert type(raised.value) is error, f"{type(raised.value).__name__}: {raised.value}"
        if retry_after is not None:
            assert raised.value.retry_after == retry_after
        assert str(raised.value)  # a message a person can read
        # The very next call (the proxy now passes) works: nothing is left broken.
        await calls[operation]()
    finally:
        await backend.close()
    assert proxy.actions()[0] == str(fault)


async def test_a_send_whose_answer_is_lost_is_not_duplicated_by_its_retries(
    world: World, proxy_for
) -> None:
    """The server acted, the client heard nothing: retrying with the same txn_id
    (as an outbox does) must still leave exactly one message."""
    sends = route(r"/v1/threads/[^/]+/messages/[^/]+", "PUT")
    faults = [
        DropAfterForward(),
        Reply(503, headers=_retry_after("0")),
        DropMidResponse(),
        DropAfterForward(),
        InvalidJson(),
    ]
    proxy = proxy_for(first_of(Script(faults, match=sends)))
    backend = bob_backend(world, proxy)
    failures = 0
    try:
        while True:
            try:
                sent = await backend.send(world.thread_id, "exactly once", "txn-once")
                break
            except BackendError:
                failures += 1
                assert failures <= len(faults), "the send never went through"
    finally:
        await backend.close()
    assert failures == len(faults)
    assert world.history_ids() == [sent.message_id]


# --- the live stream -------------------------------------------------------------------


async def test_the_event_stream_resumes_through_faults_without_gaps_or_duplicates(
    world: World, proxy_for
) -> None:
    script = Script(
        [
            CutStream(after=2),  # mid-event, right after its id: line
            GarbageInStream(after=1, end_after=4),  # malformed events between real ones
            Reply(503, headers=_retry_after("0")),
            CutStream(after=0),  # inside the hello
            DropMidResponse(),  # headers, then nothing
            Reply(500),
            DropMidRequest(),
            Reply(429, headers=_retry_after("0")),
            GarbageInStream(after=3, end_after=5),
            CutStream(after=4),
        ],
        match=route("/v1/events"),
    )
    proxy = proxy_for(first_of(script))
    backend = bob_backend(world, proxy)
    received: list[str] = []
    states: list[ConnectionState] = []

    async def consume() -> None:
        async for event in backend.events():
            if isinstance(event, MessageReceived):
                received.append(event.message.message_id)
            elif isinstance(event, ConnectionChanged):
                states.append(event.state)

    consumer = asyncio.create_task(consume())
    sent: list[str] = []
    try:
        await eventually(lambda: ConnectionState.CONNECTED in states, "a first connection")
        # Waves of messages keep the stream busy until the whole script has run:
        # a fault that needs N events on a connection needs traffic to happen.
        for wave in range(40):
            sent += [world.say(f"wave {wave} message {n}") for n in range(3)]
            expected = len(sent)
            await eventually(lambda: len(received) >= expected, f"wave {wave}")  # noqa: B023
            if script.done:
                break
        sent += [world.say(f"after the storm {n}") for n in range(3)]
        await eventually(lambda: len(received) >= len(sent), "the last messages")
        # No fixed sleep for "any duplicate would have arrived by now": one more
        # message, and the stream delivers in order, so any repeat of an earlier
        # event is in ``received`` by the time this one is.
        last = world.say("the last word")
        await eventually(lambda: last in received, "the last word")
    finally:
        await backend.close()
        await asyncio.gather(consumer, return_exceptions=True)

    assert script.done, proxy.log
    assert received == [*sent, last] == world.history_ids()
    assert states.count(ConnectionState.RECONNECTING) >= 8  # the faults really happened


# --- a Session in a storm --------------------------------------------------------------


def _storm(seed: int, budget: int) -> Chaos:
    def streams_only(action: Callable[[], Action]) -> Callable:
        return lambda request: action() if request.is_stream else Pass()

    weights: list[tuple[Callable, float]] = [
        (lambda r: Pass(), 6.0),
        (lambda r: Reply(500), 1.0),
        (lambda r: Reply(503, headers=_retry_after("0")), 1.0),
        (lambda r: Reply(429, headers=_retry_after("0")), 1.0),
        (lambda r: DropMidRequest(), 1.0),
        (lambda r: DropAfterForward(), 1.0),
        (lambda r: DropMidResponse(), 1.0),
        (lambda r: InvalidJson(), 1.0),
        (lambda r: Delay(0.05), 1.0),
        (streams_only(lambda: CutStream(after=2)), 1.0),
        (streams_only(lambda: GarbageInStream(after=1)), 1.0),
    ]
    return Chaos(seed=seed, weights=weights, budget=budget)


async def test_a_session_in_a_storm_never_raises_and_catches_up(
    world: World, proxy_for, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    unhandled: list[dict] = []
    loop = asyncio.get_running_loop()
    previous_handler = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: unhandled.append(context))

    # Start cleanly (Session.start retries with second-long pauses), then storm.
    storm = _storm(seed=20240, budget=60)
    calm = Script([Pass()] * 2)
    proxy = proxy_for(first_of(calm, storm))
    backend: LocalBackend = bob_backend(world, proxy)
    config = backend.account
    session = Session([LinkedAccount(config, backend, world.bob.token)])
    key = (config.account_id, world.thread_id)
    try:
        await session.start()
        await eventually(lambda: key in session.inbox, "the thread in the inbox")
        await eventually(
            lambda: session.states[config.account_id][0] is ConnectionState.CONNECTED,
            "the first live connection",
        )
        await session.open_thread(key)
        sent: list[str] = []
        for n in range(30):
            sent.append(world.say(f"storm message {n}"))
            if n % 5 == 0:
                await session.send(key, f"bob says {n}")  # may fail: it must not raise
                await session.load_older(key)
            await asyncio.sleep(0.01)

        def caught_up() -> bool:
            shown = [m.message_id for m in session.messages(key)]
            return all(message_id in shown for message_id in sent)

        await eventually(caught_up, "every message of the storm in the open thread", 45)
        # Before judging "none twice", one more message: anything the storm would
        # still repeat comes before it on the ordered stream.
        sent.append(world.say("after the storm"))
        await eventually(caught_up, "the message after the storm", 45)
        shown = [m.message_id for m in session.messages(key) if m.sender == "alice"]
        assert shown[-len(sent) :] == sent  # in order, none twice
        assert len(shown) == len(set(shown))
        for task in session._tasks:
            if task.done() and not task.cancelled():
                assert task.exception() is None, task
    finally:
        await session.stop()
        loop.set_exception_handler(previous_handler)
    assert storm.faults > 10, proxy.log  # the storm really happened
    assert not unhandled, unhandled
    bugs = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("chatui")]
    assert not bugs, [r.getMessage() for r in bugs]
