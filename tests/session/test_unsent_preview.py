"""A message still waiting in the outbox is its thread's preview, marked as sending —
also after a restart, and also once the server's own (older) copy of the list comes
back — until it is delivered."""

from __future__ import annotations

from pathlib import Path

from chatui.session.session import Session
from chatui.storage.store import Store
from chatui.ui.app import ChatApp
from chatui.ui.widgets.status import StatusBar
from tests.conftest import make_user
from tests.session.helpers import Restartable, linked
from tests.ui.conftest import thread_rows, wait_for


async def test_an_unsent_message_is_the_preview_across_a_restart(tmp_path: Path) -> None:
    srv = Restartable(tmp_path / "server.db")
    server = srv.start()
    store_path = tmp_path / "store.sqlite3"
    make_user(server, "alice")
    bob = make_user(server, "bob")
    thread = server.database.create_thread("alice", ["bob"], "Lunch plans")
    server.database.add_message(thread["thread_id"], "alice", "pizza at noon?")
    key = ("home", thread["thread_id"])
    try:
        app = ChatApp(Session([linked(srv.url, bob)], store=Store(store_path)))
        async with app.run_test(size=(100, 30)) as pilot:
            status = app.query_one(StatusBar)
            await wait_for(pilot, lambda: "connected" in status.plain, "connected")
            srv.stop()  # the server goes away before bob writes
            await wait_for(pilot, lambda: "reconnecting" in status.plain, "shown offline")
            await app.session.send(key, "see you there")
            await wait_for(
                pilot,
                lambda: "◷ sending: see you there" in thread_rows(app)[0],
                "the unsent message as the preview",
            )

        # Restarted with the server still down: the first frame already shows it.
        app = ChatApp(Session([linked(srv.url, bob)], store=Store(store_path)))
        async with app.run_test(size=(100, 30)) as pilot:
            rows = thread_rows(app)
            assert "Lunch plans" in rows[0] and "◷ sending: see you there" in rows[0]

            # The server comes back: its list (without the message) does not hide
            # it, and once delivered the preview is the sent message.
            server = srv.start()
            await wait_for(
                pilot,
                lambda: "you: see you there" in thread_rows(app)[0],
                "the delivered message as the preview",
                timeout=60,
            )
            assert not app.session.outbox.items
        bodies = [m["body"] for m in server.database.history(server.database.caller("bob"), key[1])]
        assert bodies == ["pizza at noon?", "see you there"]
    finally:
        srv.stop()
