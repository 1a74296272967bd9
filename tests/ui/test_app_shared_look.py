"""A chat's shared look, end to end: what Alice does in her app is what Bob sees in his.

Chat themes and reactions are something both people in a conversation see: a theme one of them
picks, the line in the thread that says so, and reactions under a message. So
both sides are real apps (Pilot) on one live reference server, and everything is
checked where Bob would notice it: the styles his message view paints with, and
the lines it draws on his screen. Both use only keys: the theme picker (Ctrl+T),
the quick reaction (Ctrl+R, the theme's first emoji, again to take it back), the
emoji picker (Ctrl+Y, search, Enter); Bob adds his own reaction so that a count
of two is on screen too.
"""

from __future__ import annotations

from textual.widget import Widget

from chatui.core.themes import load_themes
from chatui.ui.app import ChatApp
from chatui.ui.screens.emoji_picker import EmojiPicker
from chatui.ui.screens.theme_picker import ThemePicker
from chatui.ui.widgets.message_view import MessageView
from tests.ui.conftest import World, rendered, rendered_lines, wait_for
from tests.ui.test_app_theme import picker_theme
from tests.ui.test_app_vanish import open_alices_lunch

BOBS_LINE = "sure, where?"
_BAR_LOW, _BAR_HIGH = "\u2500", "\u259f"  # box drawing and block elements
LONG_WAIT = 30.0  # two apps and a server on a busy CI machine; only bounds a hang


def chips_under(view: Widget, body: str) -> dict[str, int]:
    """The reaction chips drawn on the line under ``body``: {emoji: count}.

    Chips read " 🍬 2   🌮 1 " on screen, behind the message's gutter; the line
    under a message without reactions is blank (or the next message), which
    reads as no chips.
    """
    lines = rendered_lines(view)
    index = next((i for i, line in enumerate(lines) if line.rstrip().endswith(body)), None)
    if index is None or index + 1 >= len(lines):
        return {}
    # The gutter may hold the selection bar ("┃"): box drawing, not a chip.
    words = [w for w in lines[index + 1].split() if not all(_BAR_LOW <= c <= _BAR_HIGH for c in w)]
    if len(words) % 2 or not all(count.isdigit() for count in words[1::2]):
        return {}
    return {emoji: int(count) for emoji, count in zip(words[::2], words[1::2], strict=True)}


async def until(pilot, predicate, what: str) -> None:
    """``wait_for`` with room for two apps and a server on a slow machine."""
    await wait_for(pilot, predicate, what, LONG_WAIT)


async def pick_emoji(app: ChatApp, pilot, name: str, glyph: str) -> None:
    """Ctrl+Y, type ``name`` in the search box, Enter once ``glyph`` is the one chosen."""
    await pilot.press("ctrl+y")
    await until(pilot, lambda: isinstance(app.screen, EmojiPicker), "the emoji picker")
    picker = app.screen
    await pilot.press(*name)
    await until(
        pilot,
        lambda: picker.grid.current is not None and picker.grid.current.glyph == glyph,
        f"{glyph} found by searching {name!r}",
    )
    await pilot.press("enter")
    await until(pilot, lambda: not isinstance(app.screen, EmojiPicker), "the picker closed")


async def test_alices_theme_and_reactions_show_on_bobs_screen(world: World) -> None:
    world.home.database.add_message(world.lunch[1], "bob", BOBS_LINE)
    default = load_themes(None).default
    alice_app = ChatApp(world.alice_session())
    bob_app = ChatApp(world.bob_session())
    async with alice_app.run_test(size=(110, 30)) as alice, bob_app.run_test(size=(110, 30)) as bob:
        # Bob has the conversation open: everything below reaches him live.
        await until(bob, lambda: len(bob_app.session.inbox) == 2, "Bob's threads")
        bob_app.main.jump_to(world.lunch)
        bob_view = bob_app.query_one(MessageView)
        await until(bob, lambda: BOBS_LINE in rendered(bob_view), "Bob's own line")
        assert bob_view.chat_styles is not None and bob_view.chat_styles.theme.name == "Default"
        assert chips_under(bob_view, BOBS_LINE) == {}

        # Alice: Ctrl+T, one down, Enter.
        await open_alices_lunch(alice_app, alice)
        alice_view = alice_app.query_one(MessageView)
        # She reads Bob's line first: her app reacts to what it holds.
        await until(alice, lambda: BOBS_LINE in rendered(alice_view), "Bob's line at Alice's")
        await alice.press("ctrl+t")
        await until(alice, lambda: isinstance(alice_app.screen, ThemePicker), "the picker")
        await alice.press("down")
        chosen = picker_theme(alice_app)
        assert chosen.name != default.name
        # What follows tells the theme's own quick reaction from the default's.
        assert chosen.quick_reaction != default.quick_reaction
        await alice.press("enter")

        # Bob's thread is drawn in it: the name and the colors came over the wire.
        await until(
            bob,
            lambda: (
                bob_view.chat_styles is not None and bob_view.chat_styles.theme.name == chosen.name
            ),
            "Bob's thread drawn in Alice's theme",
        )
        assert bob_view.chat_styles.theme.mine_bubble == chosen.mine_bubble
        assert bob_view.chat_styles.theme.theirs_bubble == chosen.theirs_bubble
        await until(
            bob,
            lambda: f"alice changed the theme to {chosen.name}" in rendered(bob_view),
            "the notice on Bob's screen",
        )

        # Alice's quick reaction (the new theme's first) lands under Bob's message.
        await until(
            alice,
            lambda: alice_view.chat_styles.theme.name == chosen.name,
            "Alice's thread in the theme she shared",
        )
        quick = chosen.quick_reaction
        await alice.press("ctrl+r")
        await until(
            bob,
            lambda: chips_under(bob_view, BOBS_LINE) == {quick: 1},
            f"{quick} 1 under Bob's message on his screen",
        )

        # Any emoji from the picker: a second chip, after the first.
        await pick_emoji(alice_app, alice, "taco", "🌮")
        await until(
            bob,
            lambda: chips_under(bob_view, BOBS_LINE) == {quick: 1, "🌮": 1},
            "both chips on Bob's screen",
        )
        assert list(chips_under(bob_view, BOBS_LINE)) == [quick, "🌮"]  # in order of reacting

        # Bob adds his own taco to his message: the count is 2 on both screens.
        bob_view.focus()
        await bob.press("end")
        await until(
            bob,
            lambda: (
                bob_view.selected_message is not None
                and bob_view.selected_message.body == BOBS_LINE
            ),
            "Bob's message selected",
        )
        await pick_emoji(bob_app, bob, "taco", "🌮")
        await until(
            bob,
            lambda: chips_under(bob_view, BOBS_LINE) == {quick: 1, "🌮": 2},
            "two tacos on Bob's screen",
        )
        await until(
            alice,
            lambda: chips_under(alice_view, BOBS_LINE) == {quick: 1, "🌮": 2},
            "two tacos on Alice's screen",
        )

        # The same key again takes Alice's quick reaction back: its chip goes.
        await alice.press("ctrl+r")
        await until(
            bob,
            lambda: chips_under(bob_view, BOBS_LINE) == {"🌮": 2},
            f"{quick} gone from Bob's screen",
        )
        # Nothing else changed on the way: still the theme, still the notice.
        assert bob_view.chat_styles.theme.name == chosen.name
        assert f"alice changed the theme to {chosen.name}" in rendered(bob_view)
