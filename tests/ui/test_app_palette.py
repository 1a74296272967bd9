"""Ctrl+P: the command palette jumps to a conversation of any linked account."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette

from chatui.ui.app import ChatApp
from chatui.ui.widgets.composer import Composer
from chatui.ui.widgets.message_view import MessageView
from chatui.ui.widgets.status import ThreadHeader
from chatui.ui.widgets.thread_list import ThreadListView
from tests.conftest import make_user
from tests.ui.conftest import World, rendered, wait_for


def _options(app: ChatApp) -> list[str]:
    results = app.screen.query_one(CommandList)
    return [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]


async def test_palette_opens_a_conversation_of_the_other_account(world: World) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 2, "both accounts' threads")
        thread_list = app.query_one(ThreadListView)
        # Start in the "work" account's thread...
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.shown_key == world.climbing, "Climbing open")

        # ...and jump by name to the "home" account's one.
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press(*"lunch")
        await wait_for(
            pilot,
            lambda: _options(app) and "Lunch plans" in _options(app)[0],
            "Lunch plans offered first",
        )
        assert "H" in _options(app)[0]  # the account label is part of the hit
        await pilot.press("down", "enter")

        await wait_for(pilot, lambda: app.main.shown_key == world.lunch, "Lunch plans open")
        assert not isinstance(app.screen, CommandPalette)
        assert thread_list.cursor_key == world.lunch
        assert app.focused is app.query_one(Composer)
        assert "Lunch plans" in app.query_one(ThreadHeader).plain
        view = app.query_one(MessageView)
        await wait_for(pilot, lambda: "pizza at noon?" in rendered(view), "its history")


async def test_palette_lists_conversations_before_typing(world: World) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 2, "both accounts' threads")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press("down")  # opens the list of discovered commands

        def both_listed() -> bool:
            options = " | ".join(_options(app))
            return "Lunch plans" in options and "Climbing trip" in options

        await wait_for(pilot, both_listed, "both conversations listed")


async def test_palette_shows_hostile_titles_as_text(world: World) -> None:
    hostile = "[b]Heist[/b] $x \x1b]52;c;cHduZWQ=\x07 [link=http://evil]plan[/link]"
    created = world.work.database.create_thread("carol", ["bob"], hostile)
    key = ("work", created["thread_id"])
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 3, "all threads")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press(*"heist")
        await wait_for(pilot, lambda: _options(app) and "Heist" in _options(app)[0], "a hit")
        shown = _options(app)[0]
        # The brackets are shown as typed, not read as markup; the escape is inert.
        assert "[b]Heist[/b]" in shown
        assert "[link=http://evil]plan[/link]" in shown
        assert "\x1b" not in shown
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: app.main.shown_key == key, "the hostile thread open")
        header = app.query_one(ThreadHeader).plain
        assert "[b]Heist[/b]" in header and "\x1b" not in header


async def test_a_persons_name_finds_every_thread_with_them_on_every_account(
    world: World,
) -> None:
    make_user(world.home, "carol")
    book_club = world.home.database.create_thread("carol", ["bob", "alice"], "Book club")
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 3, "all threads")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press(*"caro")

        def with_carol() -> list[str]:
            return [o for o in _options(app) if "Book club" in o or "Climbing trip" in o]

        # Carol on both of Bob's accounts: the group by her name, the other by title
        # words and her name alike; Lunch plans (Alice and Bob only) is not offered.
        await wait_for(pilot, lambda: len(with_carol()) == 2, "both threads with Carol")
        assert not any("Lunch plans" in o for o in _options(app))
        club = next(o for o in _options(app) if "Book club" in o)
        assert "with carol" in club
        # "al" starts no word of Carol's: a person is found by the start of a name.
        await pilot.press(*["backspace"] * 4, *"al")
        await wait_for(
            pilot, lambda: any("Lunch plans" in o for o in _options(app)), "Alice's threads"
        )
        assert not any("Climbing trip" in o for o in _options(app))

        await pilot.press(*["backspace"] * 2, *"caro")
        await wait_for(pilot, lambda: len(with_carol()) == 2, "Carol's threads again")
        index = next(i for i, o in enumerate(_options(app)) if "Book club" in o)
        results = app.screen.query_one(CommandList)
        for _ in range(len(_options(app)) + 1):  # the highlight may already be on one
            if results.highlighted == index:
                break
            await pilot.press("down")
        await pilot.press("enter")
        key = ("home", book_club["thread_id"])
        await wait_for(pilot, lambda: app.main.shown_key == key, "Book club open")
