"""500 messages from two clients through a storm of
faults all arrive exactly once, in order per sender, and the app stays responsive.

Each client is a real Session with its own local store, talking to the real
reference server through its own fault proxy (tests/faults/proxy.py) that drops
connections before and after the server acted, answers 500/503 and 429 with
Retry-After, delays, cuts JSON answers short and cuts or garbles the event
stream, on a seeded schedule. bob's Session runs inside the real app (Pilot), and
a key pressed in the middle of the storm must be handled.

Written against the durable outbox's API:

* ``Session(accounts, store=Store(path))``, with a class-level ``Session.outbox``
  (attribute or property) once the outbox is in;
* ``Session.send(key, body)`` returns at once (or after committing to the local
  store, if it is a coroutine) with a *pending* Message; the outbox then delivers
  it with its ``txn_id``, retrying with backoff and honouring Retry-After;
* the outbox's backoff is tunable through ``backoff_base`` / ``backoff_cap``
  attributes on ``session.outbox`` (set small here: the same logic at test speed).

Exactly once is judged only after both outboxes have drained, on a fresh read of
the server's history. The module is marked ``outbox`` so it can be
selected on its own.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from pathlib import Path

import pytest

from chatui.core.models import ConnectionState, Message
from chatui.session.session import LinkedAccount, Session
from tests.faults.conftest import World, backend_through
from tests.faults.proxy import (
    Action,
    Chaos,
    CutStream,
    Delay,
    DropAfterForward,
    DropMidRequest,
    DropMidResponse,
    FaultProxy,
    GarbageInStream,
    InvalidJson,
    Pass,
    Reply,
    Script,
    first_of,
)

pytestmark = [pytest.mark.outbox, pytest.mark.timeout(300)]

PER_CLIENT = 250
STORM_BUDGET = 200  # faults per client; then the network heals
WAIT = 180.0


def _storm(seed: int) -> Chaos:
    def on_streams(make: Callable[[], Action]) -> Callable:
        return lambda request: make() if request.is_stream else Pass()

    retry_now = (("Retry-After", "0"),)
    weights: list[tuple[Callable, float]] = [
        (lambda r: Pass(), 5.0),
        (lambda r: Reply(500), 1.0),
        (lambda r: Reply(503, headers=retry_now), 1.0),
        (lambda r: Reply(429, headers=retry_now), 1.0),
        (lambda r: DropMidRequest(), 1.0),
        (lambda r: DropAfterForward(), 1.5),  # the server stored it; the client heard nothing
        (lambda r: DropMidResponse(), 1.0),
        (lambda r: InvalidJson(), 0.5),
        (lambda r: Delay(0.05), 1.0),
        (on_streams(lambda: CutStream(after=3)), 1.0),
        (on_streams(lambda: GarbageInStream(after=2, end_after=6)), 1.0),
    ]
    return Chaos(seed=seed, weights=weights, budget=STORM_BUDGET)


def _fast(session: Session) -> None:
    """The same retry logic at test speed (see the module docstring)."""
    outbox = session.outbox
    for name, value in (("backoff_base", 0.01), ("backoff_cap", 0.1)):
        if hasattr(outbox, name):
            setattr(outbox, name, value)


async def _send(session: Session, key: tuple[str, str], body: str) -> Message:
    result = session.send(key, body)
    if inspect.isawaitable(result):
        result = await result
    assert isinstance(result, Message), result
    return result


def _session(
    world: World, proxy: FaultProxy, user: str, token: str, store_path: Path
) -> tuple[Session, tuple[str, str]]:
    from chatui.storage.store import Store

    backend = backend_through(proxy, user, token)
    config = backend.account
    session = Session([LinkedAccount(config, backend, token)], store=Store(store_path))
    _fast(session)
    return session, (config.account_id, world.thread_id)


async def _eventually(check: Callable[[], bool], what: str, pause: Callable) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while not check():
        if loop.time() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await pause()


async def test_five_hundred_messages_from_two_clients_arrive_exactly_once_in_order(
    world: World, proxy_for, tmp_path: Path
) -> None:
    from chatui.ui.app import ChatApp
    from chatui.ui.widgets.composer import Composer

    calm = lambda: Script([Pass()] * 4)  # noqa: E731 - let both sessions start cleanly
    alice_proxy = proxy_for(first_of(calm(), _storm(seed=41)))
    bob_proxy = proxy_for(first_of(calm(), _storm(seed=42)))
    alice, alice_key = _session(world, alice_proxy, "alice", world.alice.token, tmp_path / "a.db")
    bob, bob_key = _session(world, bob_proxy, "bob", world.bob.token, tmp_path / "b.db")

    app = ChatApp(bob)
    try:
        async with app.run_test(size=(100, 30)) as pilot:

            async def pause() -> None:
                await pilot.pause(0.05)

            await alice.start()
            await _eventually(lambda: bob_key in bob.inbox, "bob's thread", pause)
            await pilot.press("enter")  # open it; the composer gets the focus
            composer = app.query_one(Composer)
            await _eventually(lambda: app.focused is composer, "the composer", pause)

            sent: dict[str, list[str]] = {"alice": [], "bob": []}
            for n in range(PER_CLIENT):
                for name, session, key in (("alice", alice, alice_key), ("bob", bob, bob_key)):
                    body = f"{name} {n:03d}"
                    message = await _send(session, key, body)
                    assert message.pending and message.body == body
                    sent[name].append(body)
                if n == PER_CLIENT // 2:
                    # In the thick of it, the user types: the key must be handled.
                    await pilot.press("x")
                    await _eventually(lambda: composer.value == "x", "the typed key", pause)
                if n % 25 == 0:
                    await pause()

            def history() -> list[dict]:
                db = world.server.database
                return db.history(db.caller("bob"), world.thread_id, None, 1000)

            await _eventually(
                lambda: len(history()) >= 2 * PER_CLIENT, "all 500 on the server", pause
            )
            # Exactly once is judged only when nothing is left to send: both outboxes
            # empty, every echo replaced. A late retry that doubled a message would
            # have reached the server by then, so the history is read again now.
            for session, key in ((alice, alice_key), (bob, bob_key)):
                await _eventually(
                    lambda s=session: not s.outbox.items, "the outbox to drain", pause
                )
                await _eventually(
                    lambda s=session, k=key: not any(m.pending for m in s.messages(k)),
                    "no message left pending",
                    pause,
                )
            messages = history()
            bodies = [m["body"] for m in messages]
            assert len(bodies) == len(set(bodies)) == 2 * PER_CLIENT  # exactly once
            for name in ("alice", "bob"):
                assert [m["body"] for m in messages if m["sender"] == name] == sent[name]
            assert bob.states[bob_key[0]][0] in (
                ConnectionState.CONNECTED,
                ConnectionState.RECONNECTING,
            )
    finally:
        await alice.stop()
    assert alice_proxy.actions() and bob_proxy.actions()
    faults = [a for a in alice_proxy.actions() + bob_proxy.actions() if a != "Pass"]
    assert len(faults) > 100, "the storm did not happen"
