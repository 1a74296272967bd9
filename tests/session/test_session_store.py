"""The Session with a store: resume after a restart, no event missed or doubled."""

from __future__ import annotations

from pathlib import Path

from chatui.core.models import ConnectionState
from chatui.session.session import Session
from chatui.storage.store import Store
from tests.conftest import make_user
from tests.session.helpers import Restartable, linked, until


async def test_restart_resumes_the_stream_without_gaps_or_doubles(tmp_path: Path) -> None:
    srv = Restartable(tmp_path / "server.db")
    server = srv.start()
    try:
        make_user(server, "alice")
        bob = make_user(server, "bob")
        thread = server.database.create_thread("alice", ["bob"], "Lunch plans")
        key = ("home", thread["thread_id"])
        server.database.add_message(thread["thread_id"], "alice", "first")
        store_path = tmp_path / "store.sqlite3"

        first = Session([linked(srv.url, bob)], store=Store(store_path))
        await first.start()
        await until(lambda: first.states["home"][0] is ConnectionState.CONNECTED, "live")
        server.database.add_message(thread["thread_id"], "alice", "while running")
        await until(lambda: first.store.cursor("home") is not None, "a stored cursor")
        await until(lambda: first.inbox.get(key).unread == 2, "two unread")
        await first.stop()

        # Written while the app is closed: only the resumed stream can bring these.
        for n in range(3):
            server.database.add_message(thread["thread_id"], "alice", f"offline {n}")

        store = Store(store_path)
        second = Session([linked(srv.url, bob)], store=store)
        second.load_cached()
        assert second.inbox.get(key).unread == 2  # from the store, before any server
        await second.start()
        # ("first" predates the first run and that thread was never opened: only
        # what a stream brought is cached.)
        bodies = ["while running", "offline 0", "offline 1", "offline 2"]
        await until(lambda: [m.body for m in store.messages(key)] == bodies, "every message, once")
        server.database.add_message(thread["thread_id"], "alice", "live again")
        await until(lambda: len(store.messages(key)) == 5, "the live message")
        # Counted once each: a replayed message is no new unread.
        assert second.inbox.get(key).unread == 6
        assert second.inbox.get(key).last_message.body == "live again"
        await second.stop()
    finally:
        srv.stop()
