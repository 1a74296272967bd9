"""Quitting with messages not sent yet asks first and says they are kept; without
any, Ctrl+Q quits at once. The kept message goes out on the next start."""

from __future__ import annotations

from pathlib import Path

from chatui.core.models import ConnectionState
from chatui.session.session import Session
from chatui.storage.store import Store
from chatui.ui.app import ChatApp
from chatui.ui.screens.confirm_quit import ConfirmQuit
from chatui.ui.widgets.composer import Composer
from tests.conftest import make_user
from tests.session.helpers import Restartable, linked, lunch_for_bob, until
from tests.ui.conftest import wait_for


async def test_quitting_with_an_unsent_message_asks_and_keeps_it(tmp_path: Path) -> None:
    srv = Restartable(tmp_path / "server.db")
    server = srv.start()
    try:
        bob, thread_id = lunch_for_bob(server)
        key = ("home", thread_id)
        store_path = tmp_path / "s.sqlite3"
        session = Session([linked(srv.url, bob)], store=Store(store_path))
        app = ChatApp(session)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: key in session.inbox, "the thread")
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.focused is app.query_one(Composer), "the box")
            srv.stop()
            await wait_for(
                pilot,
                lambda: session.states["home"][0] is not ConnectionState.CONNECTED,
                "the server gone",
            )
            await pilot.press(*"see you at noon", "enter")
            await wait_for(pilot, lambda: session.unsent() == 1, "the message waiting")

            await pilot.press("ctrl+q")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmQuit), "the question")
            said = str(app.screen.query_one("#quit-why").render())
            assert "1 message is not sent yet. They are kept" in said
            await pilot.press("escape")  # stay
            await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmQuit), "stayed")
            assert app.is_running

            await pilot.press("ctrl+q")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmQuit), "asked again")
            await pilot.press("enter")  # Quit has the focus
        assert not app.is_running

        # Kept: the next start sends it once the server is back.
        srv.start()
        again = Session([linked(srv.url, bob)], store=Store(store_path))
        await again.start()
        try:
            await until(
                lambda: srv.bodies(thread_id) == ["see you at noon"], "delivered on the next start"
            )
        finally:
            await again.stop()
    finally:
        srv.stop()


async def test_with_nothing_unsent_ctrl_q_quits_at_once(tmp_path: Path) -> None:
    srv = Restartable(tmp_path / "server.db")
    server = srv.start()
    try:
        bob = make_user(server, "bob")
        session = Session([linked(srv.url, bob)], store=Store(tmp_path / "s.sqlite3"))
        app = ChatApp(session)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(
                pilot,
                lambda: session.states["home"][0] is ConnectionState.CONNECTED,
                "connected",
            )
            await pilot.press("ctrl+q")
            await wait_for(pilot, lambda: not app.is_running, "quit")
    finally:
        srv.stop()
