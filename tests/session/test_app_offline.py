"""The app draws from the store first: with the server stopped it still starts and
shows the cached conversation, its messages and the draft, and says it is offline."""

from __future__ import annotations

from pathlib import Path

from chatui.session.session import Session
from chatui.storage.store import Store
from chatui.ui.app import ChatApp
from chatui.ui.widgets.composer import Composer
from chatui.ui.widgets.message_view import MessageView
from chatui.ui.widgets.status import StatusBar
from tests.conftest import make_user
from tests.session.helpers import Restartable, linked
from tests.ui.conftest import rendered, thread_rows, wait_for


async def test_app_starts_from_the_store_with_the_server_down(tmp_path: Path) -> None:
    srv = Restartable(tmp_path / "server.db")
    server = srv.start()
    store_path = tmp_path / "store.sqlite3"
    try:
        make_user(server, "alice")
        bob = make_user(server, "bob")
        thread = server.database.create_thread("alice", ["bob"], "Lunch plans")
        server.database.add_message(thread["thread_id"], "alice", "pizza at noon?")

        # A real session against the real server writes the store...
        app = ChatApp(Session([linked(srv.url, bob)], store=Store(store_path)))
        async with app.run_test(size=(100, 30)) as pilot:
            status = app.query_one(StatusBar)
            await wait_for(pilot, lambda: "connected" in status.plain, "connected")
            await pilot.press("enter")
            view = app.query_one(MessageView)
            await wait_for(pilot, lambda: "pizza at noon?" in rendered(view), "the message")
            await pilot.press(*"half typed")
            assert app.query_one(Composer).value == "half typed"
            # Stored once typing pauses, not only on a clean exit.
            key = ("home", thread["thread_id"])
            store = app.session.store
            await wait_for(pilot, lambda: store.drafts() == {key: "half typed"}, "the draft")
    finally:
        srv.stop()

    # ...then, with the server gone, a new app shows what it knew.
    app = ChatApp(Session([linked(srv.url, bob)], store=Store(store_path)))
    async with app.run_test(size=(100, 30)) as pilot:
        # In the first frame already, before any connection attempt has ended.
        rows = thread_rows(app)
        assert rows and "Lunch plans" in rows[0] and "pizza at noon?" in rows[0]
        status = app.query_one(StatusBar)
        await wait_for(pilot, lambda: "reconnecting" in status.plain, "shown offline")
        assert "connected" not in status.plain.replace("reconnecting", "")
        await pilot.press("enter")
        view = app.query_one(MessageView)
        await wait_for(pilot, lambda: "pizza at noon?" in rendered(view), "cached message")
        assert app.query_one(Composer).value == "half typed"
