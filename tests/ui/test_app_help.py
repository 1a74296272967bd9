"""The help screen: reachable from F1, ``?`` (outside the composer), ``/help`` and
the palette; it lists the keys the app really has and the slash commands, and it
says plainly what vanish mode cannot do in a terminal.
"""

from __future__ import annotations

from textual.command import CommandPalette
from textual.containers import VerticalScroll

from chatui.ui.app import ChatApp
from chatui.ui.screens.help import HelpScreen
from chatui.ui.widgets.composer import Composer
from chatui.ui.widgets.thread_list import ThreadListView
from tests.ui.conftest import World, choose_in_palette, rendered, wait_for
from tests.ui.test_app_vanish import open_alices_lunch


async def test_f1_shows_keys_commands_and_vanish_limits(world: World) -> None:
    app = ChatApp(world.alice_session())
    async with app.run_test(size=(110, 40)) as pilot:
        await open_alices_lunch(app, pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        text = app.screen.plain
        for key in ("^g", "^t", "^r", "f1"):
            assert key in text.lower()
        assert "/vanish 5m" in text and "/theme" in text and "/react" in text
        assert "screenshots" in text
        assert "scrollback" in text
        assert "modified client" in text
        # It is on screen, not only in an object.
        assert "What vanish mode cannot do" in rendered(app.screen.query_one("#help-text"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), "closed")
        # Nothing typed was lost, the focus is back where it was.
        assert app.focused is app.query_one(Composer)


async def test_question_mark_opens_help_only_outside_the_composer(world: World) -> None:
    app = ChatApp(world.alice_session())
    async with app.run_test(size=(110, 40)) as pilot:
        await open_alices_lunch(app, pilot)
        composer = app.query_one(Composer)
        await pilot.press("question_mark")
        assert composer.value == "?"  # "?" is a fine message
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert app.focused is app.query_one(ThreadListView)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), "closed")


async def test_slash_help_and_the_palette_open_help(world: World) -> None:
    app = ChatApp(world.alice_session())
    async with app.run_test(size=(110, 40)) as pilot:
        await open_alices_lunch(app, pilot)
        await pilot.press(*"/help", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        assert app.query_one(Composer).value == ""
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await choose_in_palette(pilot, "help", "Help: keys, commands")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help again")


async def test_help_at_80_columns_wraps_under_its_text_and_scrolls_to_its_last_line(
    world: World,
) -> None:
    app = ChatApp(world.alice_session())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_alices_lunch(app, pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        await pilot.pause()
        box = app.screen.query_one(VerticalScroll)
        lines = rendered(app.screen.query_one("#help-text")).splitlines()

        def in_view() -> str:
            top, height = round(box.scroll_y), box.scrollable_content_region.height
            return " ".join(" ".join(lines[top : top + height]).split())

        # "Tab  move between the list, the conversation and the message box" does not
        # fit: its second line starts under "move", not under "Tab".
        tab = next(i for i, line in enumerate(lines) if line.strip().startswith("Tab "))
        first, second = lines[tab], lines[tab + 1]
        assert second.strip() and second.index(second.strip()) == first.index("move")
        # The last line of the help can be scrolled to and read whole.
        assert "afford to leak" not in in_view()
        await pilot.press("end")
        await wait_for(pilot, lambda: box.scroll_y == box.max_scroll_y > 0, "the end of the help")
        assert in_view().endswith("not for secrets you cannot afford to leak.")
