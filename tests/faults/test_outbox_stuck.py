"""the outbox never stops sending for good, and says when sends are stuck.

Everything is real (reference server, local backend, Session, store, app) except the
network in between: a fault proxy (tests/faults/proxy.py) that takes the server away
the moment bob's chatui first tries to send, and gives it back when the test says.

* A message whose row says it has already failed 5,000 times (hours of a dead
  server; the count is kept across restarts) is still retried, and delivered once
  the server is back. Before the shared retry policy, ``base * 2**attempts``
  overflowed after 1,024 failures inside the sender's ``except`` block and the
  sender died: the message stayed "sending" forever.
* A sender that dies anyway (here: the store cannot write for a moment) is logged
  and started again.
* The status area says how many messages wait, and stops saying it once they went.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import astuple
from pathlib import Path

import pytest

from chatui.session.outbox import OutboxItem
from chatui.session.session import LinkedAccount, Session
from chatui.storage.store import Store
from tests.faults.conftest import World, backend_through
from tests.faults.proxy import Action, DropMidRequest, FaultProxy, Pass, Request, route

pytestmark = pytest.mark.timeout(120)

WAIT = 30.0  # seconds: bounds a hang, never asserts a speed
BODY = "written four hours ago"
SENDS = route(r"/v1/threads/[^/]+/messages/[^/]+", "PUT")


class Outage:
    """A plan for the proxy: the server is there until bob's chatui first tries to
    send; from then on every request is dropped before it reaches the server, until
    :meth:`end`. (So the account starts, and its sender really meets a dead server.)"""

    def __init__(self) -> None:
        self.down = True
        self.refused_sends = 0

    def __call__(self, request: Request) -> Action:
        if not self.down:
            return Pass()
        if SENDS(request):
            self.refused_sends += 1
            return DropMidRequest()
        return DropMidRequest() if self.refused_sends else Pass()

    def end(self) -> None:
        self.down = False


async def eventually(check: Callable[[], object], what: str, pause: Callable | None = None) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while not check():
        if loop.time() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await (pause() if pause is not None else asyncio.sleep(0.02))


def _stored_row(store: Store, account_id: str, thread_id: str, attempts: int) -> OutboxItem:
    """A message written long ago that has failed ``attempts`` times since."""
    written = int(time.time() * 1000) - 4 * 3600 * 1000
    item = OutboxItem(
        txn_id="txn-long-outage",
        seq=1,
        account_id=account_id,
        thread_id=thread_id,
        body=BODY,
        reply_to=None,
        created=written,
        attempts=attempts,
        next_attempt_at=0,  # due now
        last_error="cannot reach the server",
    )
    store.outbox_put(astuple(item))
    return item


def _bob_session(world: World, proxy: FaultProxy, store: Store) -> tuple[Session, tuple]:
    backend = backend_through(proxy, "bob", world.bob.token)
    session = Session([LinkedAccount(backend.account, backend, world.bob.token)], store=store)
    assert session.outbox is not None
    # The same retry policy at test speed (the cap is what a long outage reaches).
    session.outbox.backoff_base, session.outbox.backoff_cap = 0.01, 0.1
    return session, (backend.account.account_id, world.thread_id)


def _on_server(world: World) -> list[str]:
    db = world.server.database
    return [m["body"] for m in db.history(db.caller("bob"), world.thread_id, None, 1000)]


async def test_a_message_that_failed_5000_times_is_still_retried_and_delivered(
    world: World, proxy_for, tmp_path: Path
) -> None:
    outage = Outage()
    proxy = proxy_for(outage)
    store = Store(tmp_path / "bob.sqlite3")
    item = _stored_row(store, "local-bob", world.thread_id, attempts=5000)
    session, key = _bob_session(world, proxy, store)
    outbox = session.outbox
    assert outbox is not None
    try:
        await session.start()
        # Past 1,024 and past 5,000: it keeps trying against the dead server.
        await eventually(
            lambda: outbox.items[item.txn_id].attempts >= 5003, "more failed tries after 5000"
        )
        assert session.stuck_sends()[key[0]].waiting == 1
        assert _on_server(world) == []

        outage.end()
        await eventually(lambda: not outbox.items, "the outbox to drain")
        # Judged once nothing is left to send: exactly once on the server.
        assert _on_server(world) == [BODY]
        assert session.stuck_sends() == {}
        await eventually(
            lambda: any(m.body == BODY and not m.pending for m in session.messages(key)),
            "the server's copy in bob's conversation",
        )
        assert [m.body for m in session.messages(key)] == [BODY]
    finally:
        await session.stop()
    assert outage.refused_sends >= 3


async def test_a_sender_that_dies_is_started_again_and_the_message_goes_out(
    world: World, proxy_for, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="chatui.session.outbox")
    outage = Outage()
    proxy = proxy_for(outage)
    store = Store(tmp_path / "bob.sqlite3")
    session, key = _bob_session(world, proxy, store)
    outbox = session.outbox
    assert outbox is not None

    # The disk refuses one write: the one that records the failed try. That error
    # escapes the sender's own error handling and ends its task.
    real_put = store.outbox_put
    refused: list[tuple] = []

    def flaky_put(row: tuple) -> None:
        if row[7] >= 1 and not refused:  # row[7]: attempts
            refused.append(row)
            raise sqlite3.OperationalError("disk I/O error")
        real_put(row)

    store.outbox_put = flaky_put  # type: ignore[method-assign]
    try:
        await session.start()
        await session.send(key, "through a crash")
        await eventually(lambda: refused, "the refused write")
        await eventually(
            lambda: any("died" in r.getMessage() for r in caplog.records), "the logged crash"
        )
        outage.end()
        await eventually(lambda: not outbox.items, "the outbox to drain")
        assert _on_server(world) == ["through a crash"]
    finally:
        await session.stop()
    crash = next(r for r in caplog.records if "died" in r.getMessage())
    assert crash.exc_info is not None and crash.exc_info[0] is sqlite3.OperationalError


async def test_the_status_area_says_when_sends_are_stuck_and_when_they_went(
    world: World, proxy_for, tmp_path: Path
) -> None:
    from chatui.ui.app import ChatApp
    from chatui.ui.widgets.composer import Composer
    from chatui.ui.widgets.status import StatusBar
    from tests.ui.conftest import rendered

    outage = Outage()
    proxy = proxy_for(outage)
    store = Store(tmp_path / "bob.sqlite3")
    _stored_row(store, "local-bob", world.thread_id, attempts=5000)
    session, key = _bob_session(world, proxy, store)
    app = ChatApp(session)
    async with app.run_test(size=(160, 30)) as pilot:

        async def pause() -> None:
            await pilot.pause(0.05)

        bar = app.query_one(StatusBar)
        await eventually(lambda: "1 message waiting to send" in rendered(bar), "stuck", pause)

        # Another message typed meanwhile waits behind it, and the count says so.
        await eventually(lambda: key in session.inbox, "bob's thread", pause)
        await pilot.press("enter")
        composer = app.query_one(Composer)
        await eventually(lambda: app.focused is composer, "the message box", pause)
        await pilot.press(*"also this", "enter")
        await eventually(lambda: "2 messages waiting to send" in rendered(bar), "two", pause)

        outage.end()
        outbox = session.outbox
        assert outbox is not None
        await eventually(lambda: not outbox.items, "the outbox to drain", pause)
        await eventually(lambda: "waiting to send" not in rendered(bar), "the words gone", pause)
        await eventually(lambda: " connected" in rendered(bar), "connected again", pause)
        assert _on_server(world) == [BODY, "also this"]  # once each, in order
