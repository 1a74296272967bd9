"""A stored cursor the server no longer knows (its database was replaced): the
client refetches the list and cached history, stores a cursor that works, and
tells the user — instead of silently resuming from "now" with stale messages."""

from __future__ import annotations

from pathlib import Path

from chatui.core.models import ConnectionState
from chatui.session.session import HistoryRefetched, Session
from chatui.storage.store import Store
from chatui.ui.app import ChatApp
from tests.conftest import make_user
from tests.session.helpers import Restartable, linked, until
from tests.ui.conftest import thread_rows, wait_for


async def _cache_a_thread(
    srv: Restartable, store_path: Path, account_id: str = "home"
) -> tuple[str, str]:
    """A run against the first database: a cached, opened thread and a stored cursor."""
    server = srv.start()
    make_user(server, "alice")
    bob = make_user(server, "bob")
    thread = server.database.create_thread("alice", ["bob"], "Old thread")
    server.database.add_message(thread["thread_id"], "alice", "soon deleted")
    key = (account_id, thread["thread_id"])
    session = Session([linked(srv.url, bob, account_id)], store=Store(store_path))
    await session.start()
    await until(lambda: session.states[account_id][0] is ConnectionState.CONNECTED, "live")
    await session.open_thread(key)
    server.database.add_message(thread["thread_id"], "alice", "last words")
    await until(lambda: len(session.store.messages(key)) == 2, "cached messages")
    await until(lambda: session.store.cursor(account_id) is not None, "a stored cursor")
    old_cursor = session.store.cursor(account_id)
    await session.stop()
    srv.stop()
    return thread["thread_id"], old_cursor


def _wiped(srv: Restartable, db_path: Path) -> tuple[object, object]:
    """The same address, a fresh database (a new cursor epoch), the same users."""
    srv.db_path = db_path
    server = srv.start()
    make_user(server, "alice")
    bob = make_user(server, "bob")
    fresh = server.database.create_thread("alice", ["bob"], "New thread")
    server.database.add_message(fresh["thread_id"], "alice", "hello again")
    return server, bob


async def test_a_refused_cursor_refetches_history_and_stores_a_working_one(
    tmp_path: Path,
) -> None:
    srv = Restartable(tmp_path / "server.db")
    store_path = tmp_path / "store.sqlite3"
    try:
        old_id, old_cursor = await _cache_a_thread(srv, store_path)
        server, bob = _wiped(srv, tmp_path / "wiped.db")

        store = Store(store_path)
        session = Session([linked(srv.url, bob)], store=store)
        changes: list[object] = []
        session.add_listener(changes.append)
        session.load_cached()
        assert [t.title for t in session.inbox.threads()] == ["Old thread"]
        assert [m.body for m in session.messages(("home", old_id))] == [
            "soon deleted",
            "last words",
        ]
        await session.start()
        await until(
            lambda: any(isinstance(c, HistoryRefetched) for c in changes), "the history refetch"
        )
        refetched = next(c for c in changes if isinstance(c, HistoryRefetched))
        assert refetched.account_id == "home"
        assert refetched.reason  # the server's words, shown to the user
        # The new server's threads only, and the cached copy was replaced, not
        # merged: the old messages do not linger (the wiped server numbers its
        # threads afresh, so the old thread's id may now name the new thread).
        assert [t.title for t in session.inbox.threads()] == ["New thread"]
        new_key = session.inbox.threads()[0].key
        expected = ["hello again"] if new_key == ("home", old_id) else []
        assert [m.body for m in store.messages(("home", old_id))] == expected
        assert [m.body for m in session.messages(("home", old_id))] == expected
        new_cursor = store.cursor("home")
        assert new_cursor is not None and new_cursor != old_cursor
        await session.stop()

        # The stored cursor works: the next run resumes without another reset and
        # gets what was written while it was closed.
        fresh_id = session.inbox.threads()[0].thread_id
        server.database.add_message(fresh_id, "alice", "while closed")
        store = Store(store_path)
        again = Session([linked(srv.url, bob)], store=store)
        changes.clear()
        again.add_listener(changes.append)
        again.load_cached()
        await again.start()
        await until(
            lambda: again.inbox.get(("home", fresh_id)).last_message.body == "while closed",
            "the message written while closed",
        )
        await until(lambda: store.cursor("home") != new_cursor, "the cursor moving on")
        assert not any(isinstance(c, HistoryRefetched) for c in changes)
        await again.stop()
    finally:
        srv.stop()


async def test_the_app_says_history_was_refetched(tmp_path: Path) -> None:
    srv = Restartable(tmp_path / "server.db")
    store_path = tmp_path / "store.sqlite3"
    try:
        await _cache_a_thread(srv, store_path, "northwind")
        _server, bob = _wiped(srv, tmp_path / "wiped.db")

        app = ChatApp(Session([linked(srv.url, bob, "northwind")], store=Store(store_path)))
        async with app.run_test(size=(100, 30)) as pilot:

            def notified() -> list[str]:
                return [str(n.message) for n in app._notifications]

            await wait_for(
                pilot,
                lambda: any("history was refetched" in m for m in notified()),
                "the notification",
            )
            message = next(m for m in notified() if "history was refetched" in m)
            assert message.startswith("northwind: ")
            assert "no longer knew where we left off" in message
            await wait_for(
                pilot, lambda: any("New thread" in row for row in thread_rows(app)), "new list"
            )
            assert not any("Old thread" in row for row in thread_rows(app))
    finally:
        srv.stop()
