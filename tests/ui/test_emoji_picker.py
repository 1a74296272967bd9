"""The emoji picker: search, groups, recently used first, keys, and columns that line up."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import App

from chatui.core.emoji_names import SKIN_TONES, catalogue
from chatui.ui.screens.emoji_picker import (
    RECENT_TITLE,
    SLOT,
    EmojiGrid,
    EmojiPicker,
    GroupBar,
)
from tests.ui.conftest import rendered, rendered_lines

UNSET = object()


class PickerApp(App):
    def __init__(self, picker: EmojiPicker) -> None:
        super().__init__()
        self.picker = picker
        self.result: object = UNSET

    def on_mount(self) -> None:
        self.push_screen(self.picker, self._done)

    def _done(self, result: str | None) -> None:
        self.result = result


async def test_reactions_then_recent_then_unicode_groups() -> None:
    picker = EmojiPicker(recent=["👍🏽", "🎉"], first=["❤️", "😂"], first_title="Sunset reactions")
    app = PickerApp(picker)
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.pause()
        grid = picker.query_one(EmojiGrid)
        titles = [s.title for s in grid.sections]
        assert titles[:4] == [
            "Sunset reactions",
            RECENT_TITLE,
            "Smileys & Emotion",
            "People & Body",
        ]
        assert titles[-1] == "Flags"
        lines = [line.strip() for line in rendered_lines(grid)]
        assert lines[:4] == ["Sunset reactions", "❤️  😂", RECENT_TITLE, "👍🏽  🎉"]
        # About 1,900 emoji, and not a widget for each of them.
        assert len(grid.cells) > 1900
        assert len(picker.query("*")) < 20
        # The highlighted emoji is named under the grid.
        assert "red heart" in rendered(picker.query_one("#emoji-info"))


async def test_arrows_move_and_enter_chooses() -> None:
    picker = EmojiPicker(recent=["🎉", "🍕"], first=["❤️", "😂"])
    app = PickerApp(picker)
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.press("down", "right")  # to the recent row, then its second emoji
        await pilot.press("enter")
        await pilot.pause()
        assert app.result == "🍕"


async def test_escape_cancels_with_none() -> None:
    picker = EmojiPicker()
    app = PickerApp(picker)
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.press("escape")
        await pilot.pause()
        assert app.result is None


async def test_search_by_alias_and_skin_tone() -> None:
    picker = EmojiPicker()
    app = PickerApp(picker)
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.press(*"thumbsup")
        await pilot.pause()
        grid = picker.query_one(EmojiGrid)
        assert grid.current is not None and grid.current.glyph == "👍"
        await pilot.press("ctrl+t", "ctrl+t", "ctrl+t")  # medium skin tone
        await pilot.press("enter")
        await pilot.pause()
        assert app.result == "👍" + SKIN_TONES[2]


async def test_search_with_no_match_says_so_and_enter_does_nothing() -> None:
    picker = EmojiPicker()
    app = PickerApp(picker)
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.press(*"qqqzzz", "enter")
        await pilot.pause()
        assert "No emoji named 'qqqzzz'" in rendered(picker.query_one(EmojiGrid))
        assert app.result is UNSET
        await pilot.press(*["backspace"] * 6, *"pizza", "enter")
        await pilot.pause()
        assert app.result == "🍕"


async def test_tab_jumps_from_group_to_group() -> None:
    picker = EmojiPicker(recent=["🎉"])
    app = PickerApp(picker)
    async with app.run_test(size=(80, 30)) as pilot:
        bar = picker.query_one(GroupBar)
        grid = picker.query_one(EmojiGrid)
        assert rendered(bar).rstrip().endswith(RECENT_TITLE)
        await pilot.press("tab", "tab")
        await pilot.pause()
        assert rendered(bar).rstrip().endswith("People & Body")
        assert grid.current is not None and grid.current.entry.group == "People & Body"
        assert "People & Body" in rendered(grid)  # its header is on screen
        await pilot.press("shift+tab")
        await pilot.pause()
        assert rendered(bar).rstrip().endswith("Smileys & Emotion")


async def test_a_click_chooses() -> None:
    picker = EmojiPicker(first=["🔥", "🎉"])
    app = PickerApp(picker)
    async with app.run_test(size=(80, 30)) as pilot:
        grid = picker.query_one(EmojiGrid)
        await pilot.click(grid, offset=(SLOT + 1, 1))  # row 1 (under the header), column 1
        await pilot.pause()
        assert app.result == "🎉"


async def test_every_row_of_every_group_lines_up_in_columns() -> None:
    """Flags, keycaps, ZWJ sequences and skin tones: each slot is SLOT cells by Rich's measure."""
    picker = EmojiPicker(recent=["👩\u200d💻", "🇫🇷", "1️⃣", "❤️"])
    app = PickerApp(picker)
    async with app.run_test(size=(80, 30)) as pilot:
        grid = picker.query_one(EmojiGrid)
        for tone in range(len(SKIN_TONES) + 1):
            picker.tone = tone
            grid.set_sections(picker.sections())
            await pilot.pause()
            columns = grid._columns
            assert columns > 1
            checked = 0
            for index, row in enumerate(grid._rows):
                if row.header:
                    continue
                text = grid.row_text(index).plain
                assert cell_len(text) == row.count * SLOT, (tone, text)
                if row.count == columns:
                    checked += 1
            assert checked > 100
        # And as drawn: every line on screen is exactly the grid's width.
        width = grid.scrollable_content_region.width
        for strip_y in range(grid.size.height):
            assert grid.render_line(strip_y).cell_length == width
    assert len(catalogue().entries()) > 1800


async def test_a_search_names_itself_once_and_the_bar_counts_what_it_found() -> None:
    picker = EmojiPicker(recent=["🎉"])
    app = PickerApp(picker)
    async with app.run_test(size=(80, 30)) as pilot:
        bar = picker.query_one(GroupBar)
        await pilot.press(*"fire")
        await pilot.pause()
        screen_text = "\n".join(rendered(widget) for widget in (bar, picker.query_one(EmojiGrid)))
        assert screen_text.count("Results for 'fire'") == 1
        found = len(picker.query_one(EmojiGrid).sections[0].cells)
        assert rendered(bar).strip() == f"{found} found"
        await pilot.press(*["backspace"] * 4)
        await pilot.pause()
        assert rendered(bar).rstrip().endswith(RECENT_TITLE)  # browsing again: the groups
