"""MessageView: the message cursor, reaction chips and chat themes."""

from __future__ import annotations

from dataclasses import replace

from rich.cells import cell_len
from rich.style import Style
from textual.app import App, ComposeResult

from chatui.core.contrast import ColorDepth
from chatui.core.models import Message, VanishSetting
from chatui.core.notices import vanish_change
from chatui.core.themes import load_themes
from chatui.ui.chat_style import ChatStyles
from chatui.ui.widgets.message_view import MessageView
from chatui.ui.widgets.reactions import MAX_CHIPS, reaction_chips
from tests.ui.test_widgets_message_view import FAMILY, FLAG, KEY, NOW, history, msg, screen

KEYCAP = "1️⃣"


class Host(App):
    def __init__(self) -> None:
        super().__init__()
        self.selected: list[Message | None] = []

    def compose(self) -> ComposeResult:
        yield MessageView()

    def on_message_view_selected(self, event: MessageView.Selected) -> None:
        self.selected.append(event.message)


def rows_of(view: MessageView, needle: str) -> list[int]:
    return [y for y, line in enumerate(screen(view)) if needle in line]


def body_style(view: MessageView, needle: str) -> Style:
    """The style the first cell of ``needle`` is drawn with."""
    (row,) = rows_of(view, needle)[:1]
    for segment in view.render_line(row):
        if needle[:4] in segment.text:
            return segment.style
    raise AssertionError(f"{needle!r} not drawn")


# --- selection -------------------------------------------------------------------------


async def test_up_and_down_move_a_message_cursor_that_survives_updates() -> None:
    app = Host()
    async with app.run_test(size=(60, 16)) as pilot:
        view = app.query_one(MessageView)
        base = NOW - 60_000
        messages = [
            msg(1, "first words", sender="alice", ts=base),
            msg(2, "second words", sender="me", ts=base + 1000),
            msg(
                3,
                "",
                sender="alice",
                kind="setting",
                change=vanish_change(VanishSetting("vanish")),
                ts=base + 2000,
            ),
            msg(4, "third words", sender="alice", ts=base + 3000),
            msg(5, "still sending", sender="me", pending=True, message_id="~tx", ts=base + 4000),
        ]
        view.show(KEY, messages, "me")
        view.focus()
        await pilot.pause()
        assert view.selected_message is None  # nothing until the user moves
        assert not any(line.startswith("┃") for line in screen(view))

        await pilot.press("up")  # the newest message that can be acted on
        assert view.selected_message is not None
        assert view.selected_message.message_id == "m000004"
        assert app.selected[-1] == view.selected_message
        (row,) = rows_of(view, "third words")
        assert screen(view)[row].startswith("┃")  # the cursor shows without color too

        await pilot.press("up")  # skips the setting notice
        assert view.selected_message.message_id == "m000002"
        await pilot.press("k")
        assert view.selected_message.message_id == "m000001"
        await pilot.press("j", "down")
        assert view.selected_message.message_id == "m000004"
        await pilot.press("down")  # the pending one is not selectable: stays
        assert view.selected_message.message_id == "m000004"

        await pilot.press("home")
        assert view.selected_message.message_id == "m000001"
        await pilot.press("end")
        assert view.selected_message.message_id == "m000004"
        await pilot.press("up")

        # New messages and a change to the selected one (a reaction): still selected.
        reacted = replace(messages[1], reactions={"👍": ("alice",)})
        view.update_messages([messages[0], reacted, *messages[2:], msg(6, "newer")])
        await pilot.pause()
        assert view.selected_message == reacted
        # The selected message is erased: no selection (and the app is told).
        view.update_messages([messages[0], *messages[2:]])
        await pilot.pause()
        assert view.selected_message is None
        assert app.selected[-1] is None


async def test_moving_the_cursor_scrolls_through_long_history() -> None:
    app = Host()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(MessageView)
        view.show(KEY, history(2000), "me")
        view.focus()
        await pilot.pause()
        for _ in range(30):
            await pilot.press("up")
        selected = view.selected_message
        assert selected is not None and selected.message_id == "m001970"
        assert rows_of(view, "message number 1970 ")  # kept in view
        assert not view.at_bottom


# --- reactions -------------------------------------------------------------------------


async def test_reactions_show_as_chips_with_counts_and_ours_highlighted() -> None:
    app = Host()
    async with app.run_test(size=(60, 14)) as pilot:
        view = app.query_one(MessageView)
        reactions = {"👍": ("alice", "me"), "❤️": ("alice",), FAMILY: ("bob",), FLAG: ("c",)}
        view.show(KEY, [msg(1, "lunch?", sender="alice", reactions=reactions)], "me")
        await pilot.pause()
        (row,) = rows_of(view, "👍")
        line = screen(view)[row]
        assert "👍 2" in line and "❤️ 1" in line and f"{FAMILY} 1" in line and f"{FLAG} 1" in line
        assert cell_len(line) == view.scrollable_content_region.width
        assert rows_of(view, "lunch?")[0] < row  # under the message
        chips = {s.text.strip(): s.style for s in view.render_line(row) if s.text.strip()}
        assert chips["👍 2"] != chips["❤️ 1"]  # ours stands out
        assert chips["👍 2"].reverse or chips["👍 2"].bold

        # A change of reactions arrives as a new copy of the message: redrawn.
        view.update_messages([msg(1, "lunch?", sender="alice", reactions={"🎉": ("me",)})])
        await pilot.pause()
        assert rows_of(view, "🎉 1") and not rows_of(view, "👍")


def test_hostile_and_numerous_reactions_stay_in_their_line() -> None:
    plain, mine = Style(), Style(reverse=True)
    hostile = {
        "\x1b]52;c;AAAA\x07": ("a",),
        "[b]x[/b]": ("b",),
        "Z" + "\u0301" * 300: ("c",),
        "🇯🇵" * 50: ("d",),
        "": ("e",),
        "👍": (),
    }
    line = reaction_chips(hostile, "me", 80, style=plain, mine_style=mine)
    assert line is not None
    assert "\x1b" not in line.plain and "\x07" not in line.plain
    assert "[b]x" in line.plain  # text, never markup
    assert line.plain.count("\u0301") <= 4
    assert line.cell_len <= 80
    assert line.plain.count("🇯🇵") <= 3 and "\U0001f1ef " not in line.plain  # no half flag
    many = {chr(0x1F600 + i): ("x",) * (i + 1) for i in range(40)}
    line = reaction_chips(many, "me", 200, style=plain, mine_style=mine)
    assert line is not None
    assert sum(1 for i in range(40) if chr(0x1F600 + i) in line.plain) == MAX_CHIPS
    hidden = sum(i + 1 for i in range(MAX_CHIPS, 40))
    assert line.plain.rstrip().endswith(f"+{hidden}")
    narrow = reaction_chips(many, "me", 24, style=plain, mine_style=mine)
    assert narrow is not None and narrow.cell_len <= 24 and "+" in narrow.plain
    assert reaction_chips({}, "me", 80, style=plain, mine_style=mine) is None
    keycap = reaction_chips({KEYCAP: ("me",)}, "me", 80, style=plain, mine_style=mine)
    assert keycap is not None and keycap.cell_len == cell_len(f" {KEYCAP} 1 ")


# --- themes ----------------------------------------------------------------------------


def themed(name: str, depth: ColorDepth = ColorDepth.TRUECOLOR) -> ChatStyles:
    catalog = load_themes(None)
    theme = catalog.get(name)
    assert theme is not None, catalog.names()
    return ChatStyles.for_theme(theme, depth)


def gradient_theme_name() -> str:
    catalog = load_themes(None)
    return next(name for name, t in catalog.themes.items() if len(t.mine_bubble) > 1)


async def test_a_chat_theme_colors_bubbles_and_redraws() -> None:
    app = Host()
    async with app.run_test(size=(60, 30)) as pilot:
        view = app.query_one(MessageView)
        base = NOW - 600_000
        messages = [
            msg(
                n,
                f"line {n} " + ("from me" if n % 2 else "from alice"),
                sender="me" if n % 2 else "alice",
                ts=base + n * 1000,
            )
            for n in range(1, 9)
        ]
        view.show(KEY, messages, "me")
        await pilot.pause()
        plain_mine = body_style(view, "line 7 from me")
        name = gradient_theme_name()
        styles = themed(name)
        renders = 0
        original = view._render_block

        def counting(*args, **kwargs):
            nonlocal renders
            renders += 1
            return original(*args, **kwargs)

        view._render_block = counting  # type: ignore[method-assign]
        view.chat_styles = styles
        await pilot.pause()
        assert renders > 0  # the cache was dropped: new colors
        mine = body_style(view, "line 7 from me")
        theirs = body_style(view, "line 8 from alice")
        assert mine != plain_mine
        assert mine.bgcolor is not None and theirs.bgcolor is not None
        assert mine.bgcolor != theirs.bgcolor
        # A gradient follows the screen position: my bubbles higher up differ.
        top_mine = body_style(view, "line 1 from me")
        assert top_mine.bgcolor != mine.bgcolor
        assert view.rich_style.bgcolor == styles.background.bgcolor

        view.chat_styles = None
        await pilot.pause()
        assert body_style(view, "line 7 from me") == plain_mine


async def test_a_theme_without_colors_keeps_mine_and_theirs_apart() -> None:
    app = Host()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(MessageView)
        view.show(KEY, [msg(1, "from alice", sender="alice"), msg(2, "from me", sender="me")], "me")
        view.chat_styles = themed(gradient_theme_name(), ColorDepth.NONE)
        await pilot.pause()
        mine = body_style(view, "from me")
        theirs = body_style(view, "from alice")
        assert mine.reverse or mine.bold
        assert not theirs.reverse and not theirs.bold


async def test_emoji_can_be_shown_as_shortcodes() -> None:
    app = Host()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(MessageView)
        message = msg(1, "great 👍 idea", sender="alice", reactions={"❤️": ("me",)})
        view.show(KEY, [message], "me")
        await pilot.pause()
        assert rows_of(view, "great 👍 idea") and rows_of(view, "❤️ 1")
        view.shortcodes = True
        await pilot.pause()
        assert rows_of(view, "great :thumbsup: idea")
        assert rows_of(view, ":heart: 1") or rows_of(view, ":red_heart: 1")
        assert not rows_of(view, "👍")
        view.shortcodes = False
        await pilot.pause()
        assert rows_of(view, "great 👍 idea")


async def test_clicking_a_message_selects_it() -> None:
    app = Host()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(MessageView)
        view.show(KEY, [msg(1, "click me", sender="alice"), msg(2, "not me", sender="me")], "me")
        await pilot.pause()
        (row,) = rows_of(view, "click me")
        await pilot.click(MessageView, offset=(5, row))
        await pilot.pause()
        assert view.selected_message is not None
        assert view.selected_message.body == "click me"
