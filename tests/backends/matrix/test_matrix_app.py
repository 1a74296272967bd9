"""A Matrix account next to a reference-server account in one app.

The promise of chatui in one test: a person's conversations from two networks in
one list, ordered by activity, live. Everything is real: Synapse, the reference
server, both adapters, the Session and the Textual app (driven by Pilot).
"""

from __future__ import annotations

import asyncio
import time

from textual.app import App

from chatui.backends.local import LocalBackend
from chatui.backends.matrix import MatrixBackend
from chatui.core.models import AccountConfig
from chatui.session.session import LinkedAccount, Session
from chatui.ui.app import ChatApp
from chatui.ui.screens.invite import InviteScreen
from chatui.ui.widgets.composer import Composer
from chatui.ui.widgets.message_view import MessageView
from chatui.ui.widgets.status import StatusBar
from tests.backends.matrix.helpers_matrix import account_for, fast, in_thread, set_display_name
from tests.conftest import make_user
from tests.ui.conftest import rendered, thread_rows, wait_for


async def _linked_matrix(synapse, user, account_id="mx", label="M") -> LinkedAccount:
    config = AccountConfig(
        account_id=account_id,
        kind="matrix",
        server=synapse.base_url,
        username=user.user_id,
        label=label,
        color="#d787d7",
        token_store="file",
    )
    login = fast(MatrixBackend(account_for(synapse, user)))
    credentials = await login.login(user.user_id, user.password)
    await login.close()
    return LinkedAccount(config, fast(MatrixBackend(config)), credentials.token)


def _linked_local(server, credentials) -> LinkedAccount:
    config = AccountConfig(
        account_id="home",
        kind="local",
        server=server.url,
        username=credentials.username,
        label="H",
        color="#5fafff",
        token_store="file",
    )
    return LinkedAccount(config, LocalBackend(config), credentials.token)


async def test_matrix_and_local_threads_merge_by_activity_and_update_live(
    synapse, matrix_user, server
) -> None:
    # The reference server: Carol and Alice have lunch plans (the older activity).
    alice_local, _ = make_user(server, "alice"), make_user(server, "carol")
    lunch = server.database.create_thread("carol", ["alice"], "Lunch plans")
    server.database.add_message(lunch["thread_id"], "carol", "pizza at noon?")
    time.sleep(0.01)
    # Matrix: Bob's book club, active after that.
    alice, bob = matrix_user("alice"), matrix_user("bob")
    set_display_name(bob, "Bob")
    club = bob.create_room(invite=[alice.user_id], name="Book club")
    alice.join(club)
    bob.send_text(club, "chapter 3 tonight")

    session = Session([_linked_local(server, alice_local), await _linked_matrix(synapse, alice)])
    app = ChatApp(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(session.inbox) == 2, "both accounts' threads")
        rows = thread_rows(app)
        assert rows[0].startswith("M ") and "Book club" in rows[0]
        assert "chapter 3 tonight" in rows[0]
        assert rows[1].startswith("H ") and "Lunch plans" in rows[1]
        status = app.query_one(StatusBar)
        await wait_for(pilot, lambda: status.plain.count("connected") == 2, "both live")

        # The reference-server thread gets a message: it goes on top.
        server.database.add_message(lunch["thread_id"], "carol", "or sushi?")
        await wait_for(pilot, lambda: "Lunch plans" in thread_rows(app)[0], "Lunch plans on top")
        # Bob writes on Matrix (raw HTTP): the book club comes back on top, unread.
        await in_thread(bob.send_text, club, "bring snacks 🍪")

        def club_on_top() -> bool:
            top = thread_rows(app)[0]
            return "Book club" in top and "bring snacks 🍪" in top

        await wait_for(pilot, club_on_top, "the Matrix message on top of the list")
        assert app.session.inbox.at(0).unread >= 1

        # Open it: Bob's message is in the view; the unread count goes.
        await pilot.press("enter")
        view = app.query_one(MessageView)
        await wait_for(pilot, lambda: "bring snacks 🍪" in rendered(view), "the message view")
        assert "chapter 3 tonight" in rendered(view)
        await wait_for(pilot, lambda: app.session.inbox.at(0).unread == 0, "read")

        # And Alice answers from the app: Bob's client gets it exactly once.
        composer = app.query_one(Composer)
        await wait_for(pilot, lambda: app.focused is composer, "composer focus")
        await pilot.press(*"count me in")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "count me in" in rendered(view), "Alice's own line")
        key = ("mx", club)
        await wait_for(
            pilot,
            lambda: any(m.body == "count me in" and not m.pending for m in session.messages(key)),
            "the server's copy replacing the local echo",
        )
        assert [m.body for m in session.messages(key)].count("count me in") == 1
    texts = await in_thread(bob.texts, club)
    assert texts.count("count me in") == 1


class _InviteHost(App[None]):
    """Just enough app to show the invite screen on its own."""

    def __init__(self, screen: InviteScreen) -> None:
        super().__init__()
        self.invite = screen
        self.result: str | None = None

    def on_mount(self) -> None:
        self.push_screen(self.invite, callback=self._done)

    def _done(self, result: str | None) -> None:
        self.result = result


async def test_the_invite_screen_accepts_through_the_backend(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    set_display_name(bob, "Bob")
    room = bob.create_room(invite=[alice.user_id], name="Book club")
    linked = await _linked_matrix(synapse, alice)
    backend = linked.backend
    await backend.restore(linked.token)
    invite = next(t for t in await backend.threads() if t.thread_id == room)
    assert invite.membership == "invite"

    async def answer(choice: str) -> None:
        if choice == "accept":
            await backend.accept_invite(room)
        else:
            await backend.decline_invite(room)

    host = _InviteHost(InviteScreen(invite, linked.config, answer))
    try:
        async with host.run_test(size=(80, 20)) as pilot:
            text = host.invite.invite_text().plain
            assert f"{bob.user_id} invited you to Book club" in text
            await pilot.press("a")
            await wait_for(pilot, lambda: host.result is not None, "the screen to close")
            assert host.result == "accept"
    finally:
        await backend.close()
    members = await asyncio.to_thread(bob.request, "GET", f"/rooms/{room}/members")
    state = next(m for m in members["chunk"] if m["state_key"] == alice.user_id)
    assert state["content"]["membership"] == "join"


async def test_an_invite_in_the_merged_list_is_accepted_or_declined_from_the_app(
    synapse, matrix_user
) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    club = bob.create_room(invite=[alice.user_id], name="Book club")
    poker = bob.create_room(invite=[alice.user_id], name="Poker night")
    session = Session([await _linked_matrix(synapse, alice)])
    app = ChatApp(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(session.inbox) == 2, "both invitations listed")
        assert all(t.membership == "invite" for t in session.inbox.threads())

        # Enter on an invitation asks first; "a" joins and opens the conversation.
        app.main.thread_list.select_key(("mx", club))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, InviteScreen), "the invite screen")
        await pilot.press("a")
        await wait_for(pilot, lambda: app.main.shown_key == ("mx", club), "the club opened")
        assert session.inbox.get(("mx", club)).membership == "join"

        # "d" declines: the invitation leaves the list.
        app.main.thread_list.select_key(("mx", poker))
        await pilot.press("escape")
        app.main.thread_list.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, InviteScreen), "the invite screen")
        await pilot.press("d")
        await wait_for(pilot, lambda: ("mx", poker) not in session.inbox, "the invitation gone")
        assert "Poker night" not in " ".join(thread_rows(app))
    members = await asyncio.to_thread(bob.request, "GET", f"/rooms/{club}/members")
    state = next(m for m in members["chunk"] if m["state_key"] == alice.user_id)
    assert state["content"]["membership"] == "join"
