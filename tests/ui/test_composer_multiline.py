"""The multi-line composer: Enter sends, Alt+Enter (Shift+Enter, Ctrl+J) starts a
new line, a pasted text stays one message, the box grows up to a third of the
screen and then scrolls; completion, commands, drafts and the size limit work on
every line. Against the live reference servers of tests/ui/conftest.py.
"""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.pilot import Pilot

from chatui.core.models import MAX_BODY_BYTES
from chatui.session.session import Session
from chatui.storage.store import Store
from chatui.ui.app import ChatApp
from chatui.ui.screens.help import HelpScreen
from chatui.ui.widgets.composer import Composer
from tests.ui.conftest import World, wait_for
from tests.ui.test_app_reactions import open_bobs_lunch
from tests.ui.test_app_vanish import server_bodies

SIZE = (100, 30)
THIRD = SIZE[1] * 33 // 100  # "about a third of the screen" (33vh): rows, frame included


async def _composer(app: ChatApp, pilot: Pilot, world: World) -> Composer:
    """Bob's Lunch plans open, its composer focused."""
    await open_bobs_lunch(app, pilot, world)
    # From a store the thread is there before the conversation pane is mounted.
    await wait_for(pilot, lambda: app.query(Composer), "the conversation pane")
    composer = app.query_one(Composer)
    await wait_for(pilot, lambda: app.focused is composer, "the composer focused")
    return composer


def _rows(composer: Composer) -> list[str]:
    """The box's text rows as drawn (scrolled as it is)."""
    height = composer.scrollable_content_region.height
    return [composer.render_line(y).text.rstrip() for y in range(height)]


async def test_alt_enter_starts_a_line_and_enter_sends_the_lines_as_one_message(
    world: World,
) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=SIZE) as pilot:
        composer = await _composer(app, pilot, world)
        await pilot.press(*"shopping:", "alt+enter", *"- bread", "shift+enter", *"- milk")
        await pilot.press("ctrl+j", *"thanks")
        assert composer.value == "shopping:\n- bread\n- milk\nthanks"
        assert server_bodies(world) == ["pizza at noon?"]  # nothing sent yet
        await wait_for(pilot, lambda: _rows(composer)[:4] == composer.value.split("\n"), "4 rows")

        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: "shopping:\n- bread\n- milk\nthanks" in server_bodies(world),
            "the four lines sent as one message",
        )
        assert server_bodies(world) == ["pizza at noon?", "shopping:\n- bread\n- milk\nthanks"]
        assert composer.value == ""


async def test_the_box_grows_to_a_third_of_the_screen_then_scrolls(world: World) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=SIZE) as pilot:
        composer = await _composer(app, pilot, world)
        assert composer.outer_size.height == 3  # one line in its frame, as before

        await pilot.press(*"one", "alt+enter", *"two", "alt+enter", *"three")
        await wait_for(pilot, lambda: composer.outer_size.height == 5, "three lines shown")
        assert _rows(composer) == ["one", "two", "three"]

        for number in range(4, 21):
            await pilot.press("alt+enter", *str(number))
        await wait_for(pilot, lambda: composer.outer_size.height == THIRD, "a third of the screen")
        await pilot.pause()
        # It stops there, and the line being typed (the last) is in view.
        shown = _rows(composer)
        assert len(shown) == THIRD - 2
        assert shown[-1] == "20"
        assert "one" not in shown
        # Up moves between the lines, and the box scrolls to follow.
        await pilot.press(*["up"] * 19)
        await wait_for(pilot, lambda: _rows(composer)[0] == "one", "scrolled to the top")
        assert composer.cursor_location[0] == 0
        await pilot.press("ctrl+a", *"# ")
        assert composer.value.startswith("# one\ntwo\n")

        # Sent, it shrinks back to one line.
        await pilot.press("enter")
        await wait_for(pilot, lambda: composer.outer_size.height == 3, "one line again")
        await wait_for(pilot, lambda: any("\n20" in b for b in server_bodies(world)), "sent")


async def test_a_pasted_text_stays_one_message_whatever_its_line_breaks(world: World) -> None:
    """CR LF (Windows clipboards) and a lone CR (a terminal's Enter) are line breaks
    like LF: one kind is kept, and sent."""
    app = ChatApp(world.bob_session())
    async with app.run_test(size=SIZE) as pilot:
        composer = await _composer(app, pilot, world)
        composer.post_message(events.Paste("first\r\nsecond\rthird\n\nfifth"))
        await wait_for(pilot, lambda: "fifth" in composer.value, "the paste")
        assert composer.value == "first\nsecond\nthird\n\nfifth"
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: "first\nsecond\nthird\n\nfifth" in server_bodies(world),
            "the paste sent as one message",
        )
        assert len(server_bodies(world)) == 2


async def test_emoji_completion_works_on_the_second_line(world: World) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=SIZE) as pilot:
        composer = await _composer(app, pilot, world)
        await pilot.press(*"great", "alt+enter", *":thu")
        popup = composer.suggestions
        await wait_for(pilot, lambda: popup.display, "emoji suggestions")
        # Above the box, which grew to two lines: nothing typed is covered.
        await wait_for(pilot, lambda: composer.outer_size.height == 4, "two lines")
        await wait_for(pilot, lambda: popup.region.bottom == composer.region.y, "above the box")
        await pilot.press("tab")
        await pilot.pause()
        assert composer.value == "great\n👍 "
        assert app.focused is composer
        await pilot.press(*"and :tada:")
        await wait_for(pilot, lambda: composer.value == "great\n👍 and 🎉", "the code expanded")
        # With no list showing, Tab moves the focus on, as it always did.
        await pilot.press("tab")
        await wait_for(pilot, lambda: app.focused is not composer, "the focus moved on")
        assert composer.value == "great\n👍 and 🎉"


async def test_slash_commands_are_still_recognised(world: World) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=SIZE) as pilot:
        composer = await _composer(app, pilot, world)
        # An unknown command with more lines is not sent: it all stays, to fix.
        await pilot.press(*"/nope", "alt+enter", *"second line", "enter")
        await wait_for(
            pilot,
            lambda: any("Unknown command /nope" in str(n.message) for n in app._notifications),
            "the unknown command said",
        )
        assert composer.value == "/nope\nsecond line"
        assert server_bodies(world) == ["pizza at noon?"]

        composer.value = ""
        await pilot.press(*"/help", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")


async def test_a_draft_with_line_breaks_survives_a_restart(world: World, tmp_path: Path) -> None:
    def bob() -> ChatApp:
        plain = world.bob_session()
        store = Store(tmp_path / "store.sqlite3")
        return ChatApp(Session(list(plain.linked.values()), store=store))

    app = bob()
    async with app.run_test(size=SIZE) as pilot:
        composer = await _composer(app, pilot, world)
        await pilot.press(*"dear alice,", "alt+enter", "alt+enter", *"half a thought")
        store = app.session.store
        await wait_for(
            pilot,
            lambda: store.drafts() == {world.lunch: "dear alice,\n\nhalf a thought"},
            "the draft stored",
        )

    app = bob()
    async with app.run_test(size=SIZE) as pilot:
        composer = await _composer(app, pilot, world)
        assert composer.value == "dear alice,\n\nhalf a thought"
        await wait_for(pilot, lambda: composer.outer_size.height == 5, "three lines shown")
        await pilot.press(*" goes on")  # the cursor is at the end, to go on typing
        assert composer.value == "dear alice,\n\nhalf a thought goes on"


async def test_a_long_message_over_the_limit_keeps_its_lines_in_the_box(world: World) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=SIZE) as pilot:
        composer = await _composer(app, pilot, world)
        line = "a line of the long letter é\n"
        too_long = line * (MAX_BODY_BYTES // len(line.encode()) + 1)
        composer.post_message(events.Paste(too_long))
        await wait_for(pilot, lambda: composer.value == too_long, "the paste")
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: any("the limit is 65,536" in str(n.message) for n in app._notifications),
            "the limit said",
        )
        assert composer.value == too_long
        assert server_bodies(world) == ["pizza at noon?"]
        assert not any(m.pending for m in app.session.messages(world.lunch))  # no outbox


async def test_ctrl_z_still_suspends_from_the_box(world: World) -> None:
    """TextArea's undo key is given back: Ctrl+Z suspends, as it did while typing."""

    class Recording(ChatApp):
        suspended = 0

        def action_suspend(self) -> None:
            self.suspended += 1

    app = Recording(world.bob_session())
    async with app.run_test(size=SIZE) as pilot:
        composer = await _composer(app, pilot, world)
        await pilot.press(*"kept", "ctrl+z")
        await wait_for(pilot, lambda: app.suspended == 1, "the suspend action")
        assert composer.value == "kept"
