"""Ctrl+N: start a conversation from a chosen linked account."""

from __future__ import annotations

from textual.widgets import Input, Select

from chatui.ui.app import ChatApp
from chatui.ui.screens.new_conversation import NewConversation, NewConversationScreen
from chatui.ui.widgets.composer import Composer
from chatui.ui.widgets.status import ThreadHeader
from chatui.ui.widgets.thread_list import ThreadListView
from tests.ui.conftest import World, thread_rows, wait_for


async def test_ctrl_n_creates_from_the_chosen_account(world: World) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 2, "both accounts' threads")
        await wait_for(
            pilot, lambda: app.query_one(ThreadListView).cursor_key == world.climbing, "cursor"
        )
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewConversationScreen), "dialog")
        dialog = app.screen
        account = dialog.query_one("#account", Select)
        # It defaults to the account of the thread under the cursor ("work")...
        assert account.value == "work"
        # ...and the user picks "home" with the keyboard.
        await pilot.press("shift+tab")
        assert app.focused is account
        await pilot.press("enter")
        await pilot.press("up", "enter")
        await wait_for(pilot, lambda: account.value == "home", "home chosen")

        # An unknown member: the server refuses, the dialog says so and stays.
        account.focus()
        await pilot.press("tab")
        assert app.focused is dialog.query_one("#members", Input)
        await pilot.press(*"nobody-here")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Could not create" in dialog.error_text, "the error")
        assert app.screen is dialog
        assert dialog.query_one("#members", Input).value == "nobody-here"

        # Fix it: Alice is on "home"; give it a title and create.
        members = dialog.query_one("#members", Input)
        members.value = "alice"
        members.focus()
        await pilot.press("tab", *"Board games", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, NewConversationScreen), "close")

        key = app.main.shown_key
        assert key is not None and key[0] == "home"
        thread = app.session.inbox.get(key)
        assert thread is not None and thread.title == "Board games"
        assert set(thread.members) == {"alice", "bob"}
        assert app.query_one(ThreadListView).cursor_key == key
        assert "Board games" in thread_rows(app)[0]
        assert "Board games" in app.query_one(ThreadHeader).plain
        assert app.focused is app.query_one(Composer)

        # And it is real: Alice's server has it.
        await pilot.press(*"first!", "enter")
        await wait_for(
            pilot,
            lambda: any(m.body == "first!" and not m.pending for m in app.session.messages(key)),
            "the first message accepted",
        )


async def test_escape_cancels_and_empty_members_are_refused(world: World) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 2, "both accounts' threads")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewConversationScreen), "dialog")
        dialog = app.screen
        await pilot.press("enter")  # nothing typed
        assert "at least one member" in dialog.error_text
        assert app.screen is dialog
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is not dialog, "dialog closed")
        assert len(app.session.inbox) == 2
        assert app.focused is app.query_one(ThreadListView)


def test_members_are_parsed_from_commas_and_spaces() -> None:
    request = NewConversation.from_form("home", " alice, carol  dave,,alice ", "  ")
    assert request.members == ("alice", "carol", "dave")
    assert request.title is None


async def test_ctrl_n_with_someone_already_in_a_direct_chat_opens_it(world: World) -> None:
    # Alice and Bob already have a chat of their own (untitled: named after Alice).
    direct = world.home.database.create_thread("alice", ["bob"], None)["thread_id"]

    def server_threads() -> int:
        db = world.home.database
        return len(db.list_threads(db.caller("bob")))

    app = ChatApp(world.bob_session())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 3, "Bob's threads")
        before = server_threads()
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewConversationScreen), "dialog")
        dialog = app.screen
        dialog.query_one("#account", Select).value = "home"
        # The people Bob talks to on "home" are offered; Right takes the suggestion.
        await wait_for(
            pilot, lambda: "You talk to alice" in str(dialog.query_one("#people").content), "hint"
        )
        members = dialog.query_one("#members", Input)
        members.focus()
        await pilot.press("a", "l")
        await wait_for(pilot, lambda: members._suggestion == "alice", "the suggestion")
        await pilot.press("right")
        assert members.value == "alice"
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, NewConversationScreen), "close")
        assert app.main.shown_key == ("home", direct)
        assert server_threads() == before  # nothing new on the server
