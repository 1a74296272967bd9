"""Where a conversation opens, and news arriving below, in the app against live servers.

Reopening a conversation lands at its newest message (wherever it was scrolled
to when last shown), or at a "new messages" rule above the first unread one;
scrolled up, the bottom row counts the messages others send meanwhile
("↓ 2 new messages below") until the user is at the bottom again. Bob's app runs
against the reference servers of tests/ui/conftest.py; Alice sends through the
server's own send code (or her own app), which Bob's live stream hears.
"""

from __future__ import annotations

from textual.pilot import Pilot

from chatui.core.models import ThreadKey
from chatui.ui.app import ChatApp
from chatui.ui.widgets.composer import Composer
from chatui.ui.widgets.message_view import MessageView
from chatui.ui.widgets.thread_list import ThreadListView
from tests.ui.conftest import World, rendered, rendered_lines, thread_rows, wait_for

SIZE = (100, 30)
RULE = "─ new messages ─"


def seed_read(world: World, count: int, prefix: str = "old") -> None:
    """Alice writes ``count`` lines in Lunch plans, and Bob has read them all."""
    db = world.home.database
    last = None
    for n in range(count):
        last = db.add_message(world.lunch[1], "alice", f"{prefix} {n:02d}")
    assert last is not None
    db.mark_read(db.caller("bob"), world.lunch[1], last["message_id"])


def send_as_alice(world: World, *bodies: str) -> None:
    for body in bodies:
        world.home.database.add_message(world.lunch[1], "alice", body)


async def focus_conversation(app: ChatApp, pilot: Pilot) -> MessageView:
    """Tab round to the conversation, as a person would."""
    view = app.query_one(MessageView)
    while app.focused is not view:
        await pilot.press("tab")
    return view


async def open_from_list(app: ChatApp, pilot: Pilot, key: ThreadKey) -> MessageView:
    """Back to the list (Esc), move to ``key``'s row, Enter; wait until it is drawn."""
    thread_list = app.query_one(ThreadListView)
    await pilot.press("escape")
    while thread_list.cursor_key != key:
        order = [app.session.inbox.at(i).key for i in range(len(app.session.inbox))]
        here = order.index(thread_list.cursor_key) if thread_list.cursor_key in order else -1
        await pilot.press("j" if order.index(key) > here else "k")
    await pilot.press("enter")
    view = app.query_one(MessageView)
    await wait_for(
        pilot,
        lambda: app.main.shown_key == key and app.session.is_loaded(key) and rendered(view).strip(),
        f"{key} open",
    )
    return view


def rule_row(view: MessageView) -> int | None:
    rows = [y for y, line in enumerate(rendered_lines(view)) if RULE in line]
    return rows[0] if rows else None


async def test_reopening_lands_at_the_newest_after_scrolling_up_and_switching_away(
    world: World,
) -> None:
    seed_read(world, 60)
    app = ChatApp(world.bob_session())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 2, "both accounts' threads")
        assert app.session.inbox.at(0).key == world.lunch  # the newest, under the cursor
        await pilot.press("enter")
        view = app.query_one(MessageView)
        await wait_for(pilot, lambda: "old 59" in rendered(view), "the newest line")
        assert rule_row(view) is None  # nothing unread: no rule
        await focus_conversation(app, pilot)
        await pilot.press("pageup", "pageup", "pageup")
        await wait_for(pilot, lambda: "old 59" not in rendered(view), "scrolled up")
        assert not view.at_bottom

        await open_from_list(app, pilot, world.climbing)
        view = await open_from_list(app, pilot, world.lunch)
        await wait_for(pilot, lambda: "old 59" in rendered(view), "the newest line again")
        assert view.at_bottom and view.scroll_y == view.max_scroll_y
        assert "old 59" in rendered_lines(view)[-1]
        assert rule_row(view) is None


async def test_unread_messages_open_at_a_rule_above_the_first_of_them(world: World) -> None:
    seed_read(world, 40)
    send_as_alice(world, *(f"new {n:02d}" for n in range(25)))  # more than a screen
    app = ChatApp(world.bob_session())
    async with app.run_test(size=SIZE) as pilot:

        def lunch_unread() -> bool:
            rows = thread_rows(app)
            return bool(rows) and "Lunch plans" in rows[0] and rows[0].endswith(" 25")

        await wait_for(pilot, lunch_unread, "Lunch plans with 25 unread")
        await pilot.press("enter")
        view = app.query_one(MessageView)
        await wait_for(pilot, lambda: rule_row(view) is not None, "the rule on screen")
        lines = rendered_lines(view)
        row = rule_row(view)
        assert row is not None and row <= 2, lines  # near the top
        assert lines[row + 1].lstrip().startswith("alice")  # who wrote, again
        assert "new 00" in lines[row + 2]  # the first unread message
        assert not any("old" in line for line in lines[row:])
        assert not any("new 24" in line for line in lines)  # the newest is further down
        await wait_for(pilot, lambda: not thread_rows(app)[0].endswith(" 25"), "read")

        # The rule stays while the thread is open ...
        await focus_conversation(app, pilot)
        await pilot.press("end")
        await wait_for(pilot, lambda: "new 24" in rendered(view), "the newest")
        await pilot.press("pageup")  # the 25 new lines are about a screen
        await wait_for(pilot, lambda: rule_row(view) is not None, "the rule, still there")

        # ... and goes when it is opened again with nothing new, at the newest.
        await open_from_list(app, pilot, world.climbing)
        view = await open_from_list(app, pilot, world.lunch)
        await wait_for(pilot, lambda: "new 24" in rendered(view), "the newest")
        assert view.at_bottom and rule_row(view) is None


async def test_news_while_away_open_at_the_rule_and_the_bottom_when_they_fit(
    world: World,
) -> None:
    seed_read(world, 40)
    app = ChatApp(world.bob_session())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 2, "both accounts' threads")
        await pilot.press("enter")  # Lunch plans, all read: loaded, then left
        view = app.query_one(MessageView)
        await wait_for(pilot, lambda: "old 39" in rendered(view), "Lunch plans")
        await open_from_list(app, pilot, world.climbing)

        send_as_alice(world, "still hungry?", "pizza or sushi?")

        def two_unread() -> bool:
            return any("Lunch plans" in row and row.endswith(" 2") for row in thread_rows(app))

        await wait_for(pilot, two_unread, "Lunch plans with 2 unread")
        view = await open_from_list(app, pilot, world.lunch)
        await wait_for(pilot, lambda: rule_row(view) is not None, "the rule")
        lines = rendered_lines(view)
        row = rule_row(view)
        assert row is not None
        assert "still hungry?" in lines[row + 2]
        assert "old 39" in "\n".join(lines[:row])  # what was read is above it
        assert view.at_bottom and "pizza or sushi?" in lines[-1]  # it all fits


async def test_scrolled_up_news_from_alice_is_counted_until_the_bottom(world: World) -> None:
    seed_read(world, 60)
    alice_app = ChatApp(world.alice_session())
    bob_app = ChatApp(world.bob_session())
    async with alice_app.run_test(size=SIZE) as alice, bob_app.run_test(size=SIZE) as bob:
        await wait_for(bob, lambda: len(bob_app.session.inbox) == 2, "Bob's threads")
        await bob.press("enter")
        view = bob_app.query_one(MessageView)
        await wait_for(bob, lambda: "old 59" in rendered(view), "Lunch plans at the newest")
        await focus_conversation(bob_app, bob)
        await bob.press("pageup", "pageup")
        await wait_for(bob, lambda: not view.at_bottom, "Bob scrolled up")
        before = rendered_lines(view)

        # Alice types two messages in her own app.
        await wait_for(alice, lambda: len(alice_app.session.inbox) == 1, "Alice's thread")
        await alice.press("enter")
        composer = alice_app.query_one(Composer)
        await wait_for(alice, lambda: alice_app.focused is composer, "Alice's composer")
        await alice.press(*"you there?", "enter", *"hello?", "enter")

        await wait_for(
            bob, lambda: "↓ 2 new messages below · end" in rendered(view), "the count of news"
        )
        lines = rendered_lines(view)
        assert "↓ 2 new messages below" in lines[-1]  # on the bottom row
        assert lines[:-1] == before[:-1]  # and nothing moved
        assert not view.at_bottom

        # End (the conversation has the focus) goes there; the count goes.
        await bob.press("end")
        await wait_for(bob, lambda: "hello?" in rendered(view), "Alice's messages")
        assert view.at_bottom and "new messages below" not in rendered(view)

        # While typing, the count names Ctrl+End, which jumps there too.
        await bob.press("pageup", "pageup")
        await wait_for(bob, lambda: not view.at_bottom, "scrolled up again")
        bob_composer = bob_app.query_one(Composer)
        while bob_app.focused is not bob_composer:
            await bob.press("tab")
        await alice.press(*"lunch?", "enter")
        await wait_for(bob, lambda: "↓ 1 new message below · ^end" in rendered(view), "one more")
        await bob.press("ctrl+end")
        await wait_for(bob, lambda: "lunch?" in rendered(view), "the newest")
        assert view.at_bottom and "new message below" not in rendered(view)
        assert bob_app.focused is bob_composer  # still typing

        # At the bottom, news is followed as before, with no count.
        await alice.press(*"ok!", "enter")
        await wait_for(bob, lambda: "ok!" in rendered_lines(view)[-1], "followed to the newest")
        assert "new message" not in rendered(view)
