"""Without color the cues that colors used to carry are still on screen.

Each test renders a full frame of the real app exactly as Textual's driver would
write it (the compositor's update, turned into escape sequences by the app's own
console), reads it with the SGR parser for colors, and feeds it to a terminal
emulator (pyte) to ask what a person sees in each cell: reverse video on the
list's cursor, an unread count that stands out on that reversed row too, the
highlighted option of a menu, the focused button. tests/e2e/test_no_color_e2e.py
checks the real process on a pty; the invitation dialog is only checked here (an
invitation reaches the app from a Matrix server).
"""

from __future__ import annotations

import importlib.util

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from chatui.core.models import VANISH_OFF, Thread
from chatui.ui.app import ChatApp
from chatui.ui.screens.invite import InviteScreen
from chatui.ui.screens.vanish_menu import VanishMenu
from chatui.ui.widgets.thread_list import ThreadListView
from tests.e2e.sgr import color_attributes
from tests.support import require
from tests.ui.conftest import World, wait_for

SIZE = (100, 30)


@pytest.fixture
def no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLORTERM", "truecolor")


@pytest.fixture
def colors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLORTERM", "truecolor")


class Frame:
    """One full frame: its bytes, and the screen a terminal shows after them."""

    def __init__(self, app: ChatApp) -> None:
        require(importlib.util.find_spec("pyte") is not None, "the pyte terminal emulator")
        import pyte

        update = app.screen._compositor.render_update(
            full=True, screen_stack=app._background_screens
        )
        self.bytes = update.render_segments(app.console).encode()
        width, height = app.size
        self.screen = pyte.Screen(width, height)
        pyte.ByteStream(self.screen).feed(self.bytes)

    def row(self, text: str, after: int = 0) -> int:
        """The first row (from ``after``) that shows ``text``."""
        for y in range(after, self.screen.lines):
            if text in self.line(y):
                return y
        raise AssertionError(f"{text!r} is not on screen:\n" + "\n".join(self.screen.display))

    def line(self, y: int) -> str:
        return "".join(self.screen.buffer[y][x].data for x in range(self.screen.columns))

    def cells(self, text: str, after: int = 0) -> list:
        """The cells showing ``text`` (its first occurrence)."""
        y = self.row(text, after)
        x = self.line(y).index(text)
        return [self.screen.buffer[y][x + i] for i in range(len(text))]


def _reversed(cells: list) -> bool:
    return all(cell.reverse for cell in cells)


async def _list_ready(pilot: Pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: len(app.session.inbox) == 2, "both threads in the list")
    await pilot.pause()


@pytest.mark.usefixtures("no_color")
async def test_the_list_cursor_and_unread_counts_stand_out_without_color(world: World) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=SIZE) as pilot:
        await _list_ready(pilot)
        assert isinstance(app.focused, ThreadListView)
        frame = Frame(app)
        assert color_attributes(frame.bytes) == []
        # Newest first: the cursor is on "Climbing trip", the row in reverse video.
        assert _reversed(frame.cells("Climbing trip"))
        assert not _reversed(frame.cells("Lunch plans"))
        # Each thread has one unread message: a reversed " 1 " badge on the plain
        # row, an un-reversed one on the reversed row, bold on both.
        cursor_row = frame.row("Climbing trip") + 1
        plain_row = frame.row("Lunch plans") + 1
        cursor_badge, plain_badge = (frame.cells(" 1 ", after=y) for y in (cursor_row, plain_row))
        assert not any(cell.reverse for cell in cursor_badge)
        assert _reversed(plain_badge)
        assert all(cell.bold for cell in cursor_badge + plain_badge if cell.data == "1")

        # With the focus elsewhere the cursor is underlined instead.
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.focused, ThreadListView), "focus moved")
        await pilot.pause()
        frame = Frame(app)
        title = frame.cells("Climbing trip")
        assert all(cell.underscore for cell in title) and not _reversed(title)
        assert color_attributes(frame.bytes) == []


@pytest.mark.usefixtures("no_color")
async def test_a_menus_highlighted_option_is_reversed_without_color() -> None:
    """Textual's OptionList draws its highlight with a background only; reverse is
    what remains of it (chatui.ui.no_color makes Textual honour the CSS)."""
    app = ChatApp(None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # the first-run screen is up
        await app.push_screen(VanishMenu(VANISH_OFF, title="Lunch plans"))
        await wait_for(pilot, lambda: isinstance(app.screen, VanishMenu), "the vanish menu")
        await pilot.press("down")
        await wait_for(pilot, lambda: app.screen.query_one(OptionList).highlighted == 1, "moved")
        await pilot.pause()
        frame = Frame(app)
        assert color_attributes(frame.bytes) == []
        assert "Vanish mode" in frame.line(frame.row("Vanish mode"))
        assert _reversed(frame.cells("Vanish — once seen"))
        assert not _reversed(frame.cells("Off — messages stay"))


@pytest.mark.usefixtures("colors")
async def test_with_colors_the_highlight_is_Textuals_own() -> None:
    """The reverse shim of no-color mode leaves colored apps alone, even in a
    process where a no-color app ran before (as in this test run)."""
    app = ChatApp(None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.push_screen(VanishMenu(VANISH_OFF))
        await wait_for(pilot, lambda: isinstance(app.screen, VanishMenu), "the vanish menu")
        await pilot.pause()
        frame = Frame(app)
        assert color_attributes(frame.bytes) != []
        assert not _reversed(frame.cells("Off — messages stay"))


@pytest.mark.usefixtures("no_color")
async def test_the_invitation_dialog_reads_without_color() -> None:
    app = ChatApp(None)
    invite = Thread(
        account_id="home",
        thread_id="t1",
        title="Book club",
        members=("bob", "emma"),
        membership="invite",
        inviter="emma",
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.push_screen(InviteScreen(invite))
        await wait_for(pilot, lambda: isinstance(app.screen, InviteScreen), "the invitation")
        screen = app.screen
        assert isinstance(screen, InviteScreen)
        screen.show_error("The server refused: try again later")
        await pilot.pause()
        frame = Frame(app)
        assert color_attributes(frame.bytes) == []
        frame.row("emma invited you to Book club")
        assert all(cell.bold for cell in frame.cells("The server refused"))
        # Accept has the focus: the one button in reverse video.
        assert _reversed(frame.cells("Accept"))
        assert not _reversed(frame.cells("Decline")) and not _reversed(frame.cells("Later"))
