"""The durable outbox against a real server that goes down and comes back."""

from __future__ import annotations

from pathlib import Path

from chatui.core.models import ConnectionState
from chatui.server.validate import MAX_BODY_BYTES
from chatui.session.session import SendFailed, Session
from chatui.storage.store import Store
from chatui.ui.app import ChatApp
from chatui.ui.widgets.message_view import MessageView
from tests.session.helpers import Restartable, linked, lunch_for_bob, until
from tests.ui.conftest import rendered, wait_for


def _fast(session: Session) -> Session:
    assert session.outbox is not None
    session.outbox.backoff_base = 0.02
    session.outbox.backoff_cap = 0.3
    return session


async def test_sent_while_the_server_is_down_is_delivered_once_when_it_is_back(
    tmp_path: Path,
) -> None:
    srv = Restartable(tmp_path / "server.db")
    server = srv.start()
    try:
        bob, thread_id = lunch_for_bob(server)
        key = ("home", thread_id)
        session = _fast(Session([linked(srv.url, bob)], store=Store(tmp_path / "s.sqlite3")))
        await session.start()
        await session.open_thread(key)
        srv.stop()
        await until(lambda: session.states["home"][0] is not ConnectionState.CONNECTED, "down")

        echoes = [await session.send(key, f"offline {n}") for n in range(3)]
        assert all(e is not None and e.pending for e in echoes)
        assert [m.body for m in session.messages(key) if m.pending] == [
            "offline 0",
            "offline 1",
            "offline 2",
        ]
        await until(lambda: session.outbox.items[echoes[0].txn_id].attempts >= 2, "retries")

        srv.start()  # same port, same database
        await until(lambda: not session.outbox.items, "the outbox drained")
        assert srv.bodies(thread_id) == ["offline 0", "offline 1", "offline 2"]
        await until(lambda: not any(m.pending for m in session.messages(key)), "echoes replaced")
        assert [m.body for m in session.messages(key)] == ["offline 0", "offline 1", "offline 2"]
        await session.stop()
    finally:
        srv.stop()


async def test_a_refused_message_is_marked_failed_and_can_be_retried_or_discarded(
    tmp_path: Path,
) -> None:
    srv = Restartable(tmp_path / "server.db")
    server = srv.start()
    try:
        bob, thread_id = lunch_for_bob(server)
        key = ("home", thread_id)
        session = _fast(Session([linked(srv.url, bob)], store=Store(tmp_path / "s.sqlite3")))
        failures: list[SendFailed] = []
        session.add_listener(lambda c: failures.append(c) if isinstance(c, SendFailed) else None)
        app = ChatApp(session)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: key in session.inbox, "the thread")
            await pilot.press("enter")
            await pilot.pause()
            huge = "y" * (MAX_BODY_BYTES + 10)
            await session.send(key, huge)
            await session.send(key, "a normal one")
            view = app.query_one(MessageView)
            await wait_for(
                pilot,
                lambda: "not sent (r retry · x discard): " in rendered(view),
                "the failed mark",
            )
            reason = session.failed_message(key).failed
            assert reason and failures and failures[0].reason == reason
            # The refusal does not hold up what was written after it.
            await wait_for(pilot, lambda: srv.bodies(thread_id) == ["a normal one"], "next")

            # Retry: it goes out again (and is refused again, with the reason).
            attempts_before = len(failures)
            assert session.retry_failed(key)
            await wait_for(pilot, lambda: len(failures) > attempts_before, "refused again")

            # Discard, from the keyboard, with the conversation focused.
            view.focus()
            await pilot.pause()
            assert app.active_bindings.get("x") is not None
            await pilot.press("x")
            await wait_for(pilot, lambda: session.failed_message(key) is None, "discarded")
            assert "not sent (" not in rendered(view)
            assert not session.outbox.items
        assert srv.bodies(thread_id) == ["a normal one"]
    finally:
        srv.stop()
