"""Where the app says things (issue 12, item 12): toasts stay clear of the composer
and the newest messages, and a refused message — which needs the user to retry or
discard it — is said in the status area, where it stays until that is done."""

from __future__ import annotations

from pathlib import Path

from textual.geometry import Region
from textual.widgets._toast import Toast, ToastRack

from chatui.server.validate import MAX_BODY_BYTES
from chatui.session.session import Session
from chatui.storage.store import Store
from chatui.ui.app import ChatApp
from chatui.ui.widgets.composer import Composer
from chatui.ui.widgets.message_view import MessageView
from chatui.ui.widgets.status import StatusBar
from tests.session.helpers import Restartable, linked, lunch_for_bob
from tests.ui.conftest import rendered, wait_for


async def test_a_refusal_stays_in_the_status_area_and_toasts_keep_off_the_composer(
    tmp_path: Path,
) -> None:
    srv = Restartable(tmp_path / "server.db")
    server = srv.start()
    try:
        bob, thread_id = lunch_for_bob(server)
        key = ("home", thread_id)
        session = Session([linked(srv.url, bob)], store=Store(tmp_path / "s.sqlite3"))
        app = ChatApp(session)
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            await wait_for(pilot, lambda: key in session.inbox, "the thread")
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.main.shown_key == key, "the thread open")
            await session.send(key, "y" * (MAX_BODY_BYTES + 10))  # past the composer's check
            status = app.query_one(StatusBar)
            await wait_for(
                pilot,
                lambda: "1 message not sent (r retry · x discard" in status.plain,
                "the refusal in the status area",
            )
            # Said there, not in a toast that covers the composer and goes.
            assert not [n for n in app._notifications if "not sent" in str(n.message).lower()]

            # A toast (discarding says it did) sits clear of the composer and of
            # the newest lines of the conversation.
            view = app.query_one(MessageView)
            view.focus()
            await wait_for(pilot, lambda: app.active_bindings.get("x"), "x to discard")
            await pilot.press("x")
            await wait_for(pilot, lambda: session.failed_message(key) is None, "discarded")
            rack = app.screen.get_child_by_type(ToastRack)
            await wait_for(pilot, lambda: rack.query(Toast), "the discard's toast")
            toast = rack.query(Toast).first()
            await wait_for(pilot, lambda: toast.region.height, "the toast drawn")
            composer = app.query_one(Composer)
            newest_lines = Region(view.region.x, view.region.bottom - 3, view.region.width, 3)
            assert not toast.region.overlaps(composer.region)
            assert not toast.region.overlaps(newest_lines)
            # Nothing waits for the user any more: the status area says no more of it.
            await wait_for(pilot, lambda: "not sent" not in status.plain, "the status cleared")
            assert "not sent (" not in rendered(view)
    finally:
        srv.stop()
