"""The app against live servers: start state, and a message travelling A -> B.

Two real apps run side by side in one test: Alice's (one account) and Bob's (two
accounts on two servers, so his thread list is a merge). Alice types into her
composer; Bob's list must move that thread to the top with an unread count,
without Bob pressing a key.
"""

from __future__ import annotations

from chatui.ui.app import ChatApp
from chatui.ui.widgets.composer import Composer
from chatui.ui.widgets.message_view import MessageView
from chatui.ui.widgets.status import StatusBar
from chatui.ui.widgets.thread_list import ThreadListView
from tests.ui.conftest import World, rendered, thread_rows, wait_for


async def test_start_focuses_list_with_newest_thread_selected(world: World) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(100, 30)) as pilot:
        thread_list = app.query_one(ThreadListView)
        # The first frame does not wait for the servers: the list is there at once.
        assert app.focused is thread_list
        # The list draws a burst of session changes on its next turn: wait for it
        # to show both accounts' threads, not only for the session to hold them.
        await wait_for(
            pilot,
            lambda: len(app.session.inbox) == 2 and len(thread_rows(app)) >= 2,
            "both accounts' threads in the list",
        )
        # Newest first across both accounts: Climbing (work) was active last.
        assert thread_list.cursor_key == world.climbing
        rows = thread_rows(app)
        assert "Climbing trip" in rows[0] and "W" in rows[0]
        assert "Lunch plans" in rows[1] and "H" in rows[1]
        assert app.focused is thread_list
        status = app.query_one(StatusBar)
        await wait_for(
            pilot, lambda: status.plain.count("connected") == 2, "both accounts connected"
        )


async def test_message_from_a_tops_bobs_merged_list_with_unread(world: World) -> None:
    alice_app = ChatApp(world.alice_session())
    bob_app = ChatApp(world.bob_session())
    async with alice_app.run_test(size=(100, 30)) as alice, bob_app.run_test(size=(100, 30)) as bob:
        await wait_for(bob, lambda: len(bob_app.session.inbox) == 2, "Bob's threads")
        await wait_for(
            bob,
            lambda: bob_app.query_one(StatusBar).plain.count("connected") == 2,
            "Bob's live streams",
        )
        assert "Lunch plans" in thread_rows(bob_app)[1]  # not on top before

        # Alice: Enter on her only thread opens it and puts the cursor in the composer.
        await wait_for(alice, lambda: len(alice_app.session.inbox) == 1, "Alice's thread")
        await alice.press("enter")
        composer = alice_app.query_one(Composer)
        await wait_for(alice, lambda: alice_app.focused is composer, "composer focus")
        await alice.press(*"noon [b]ok[/b]")
        await alice.press("enter")
        assert composer.value == ""
        alice_view = alice_app.query_one(MessageView)
        await wait_for(
            alice,
            lambda: "noon [b]ok[/b]" in rendered(alice_view),
            "Alice's own message in her view",
        )

        # Bob: no key pressed; the thread jumps to the top with one unread.
        def lunch_on_top_with_unread() -> bool:
            rows = thread_rows(bob_app)
            return bool(rows) and "Lunch plans" in rows[0] and rows[0].endswith(" 2")

        await wait_for(bob, lunch_on_top_with_unread, "Lunch plans on top of Bob's list")
        top = thread_rows(bob_app)[0]
        assert "noon [b]ok[/b]" in top  # the preview, as text, not markup
        assert bob_app.session.inbox.at(0).key == world.lunch
        assert "Climbing trip" in thread_rows(bob_app)[1]

        # Bob opens it: the message is there and the unread count goes away.
        bob_list = bob_app.query_one(ThreadListView)
        assert bob_list.cursor_key == world.lunch  # the cursor stays on the newest
        await bob.press("enter")
        bob_view = bob_app.query_one(MessageView)
        await wait_for(bob, lambda: "noon [b]ok[/b]" in rendered(bob_view), "message in Bob's view")
        await wait_for(bob, lambda: not thread_rows(bob_app)[0].endswith(" 2"), "unread cleared")
        assert bob_app.focused is bob_app.query_one(Composer)

        # Esc goes back to the list; the thread stays open on the right.
        await bob.press("escape")
        assert bob_app.focused is bob_list
        assert bob_view.key == world.lunch


async def test_failed_send_keeps_the_text(world: World) -> None:
    app = ChatApp(world.alice_session())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 1, "Alice's thread")
        await pilot.press("enter")
        composer = app.query_one(Composer)
        # A paste bigger than the server accepts (bodies are capped at 64 KiB).
        too_big = "x" * 70_000
        composer.value = too_big
        await pilot.press("enter")
        await wait_for(pilot, lambda: composer.value == too_big, "the unsent text back")
        await wait_for(
            pilot,
            lambda: any("not sent" in str(n.message).lower() for n in app._notifications),
            "a 'not sent' notification",
        )


async def test_scrolling_to_the_top_loads_older_history(world: World) -> None:
    thread_id = world.climbing[1]
    db = world.work.database
    for n in range(120):
        last = db.add_message(thread_id, "carol", f"note {n:03d}")
    # Read already, so that it opens at the newest (unread, it would open at a
    # "new messages" rule: tests/ui/test_app_unread.py).
    db.mark_read(db.caller("bob"), thread_id, last["message_id"])
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 2, "both accounts' threads")
        await pilot.press("enter")
        view = app.query_one(MessageView)
        await wait_for(pilot, lambda: "note 119" in rendered(view), "the newest page")
        loaded = len(app.session.messages(world.climbing))
        assert loaded < 121  # one page, not the whole thread

        await pilot.press("tab")  # composer -> ... the focus cycle reaches the messages
        while app.focused is not view:
            await pilot.press("tab")
        while loaded < 121:  # each Home at the top asks for one more page
            await pilot.press("home")
            await wait_for(
                pilot,
                lambda n=loaded: len(app.session.messages(world.climbing)) > n,
                "an older page",
            )
            loaded = len(app.session.messages(world.climbing))
        await pilot.press("home")
        await wait_for(pilot, lambda: "note 000" in rendered(view), "the first message")
        assert len(app.session.messages(world.climbing)) == 121
        await pilot.press("escape")
        assert app.focused is app.query_one(ThreadListView)


async def test_each_thread_keeps_its_own_draft(world: World) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 2, "both accounts' threads")
        composer = app.query_one(Composer)
        await pilot.press("enter", *"half a thought")  # in Climbing trip (newest)
        await pilot.press("escape", "j", "enter")  # to Lunch plans
        await wait_for(pilot, lambda: app.main.shown_key == world.lunch, "Lunch plans open")
        assert composer.value == ""
        await pilot.press("escape", "k", "enter")  # back to Climbing trip
        await wait_for(pilot, lambda: app.main.shown_key == world.climbing, "Climbing open again")
        assert composer.value == "half a thought"
        # Nothing was sent while switching.
        assert not any(m.body == "half a thought" for m in app.session.messages(world.climbing))
