"""Emoji in the composer: ``:name`` suggestions while typing, and whole codes expanded."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from chatui.ui.app import ChatApp
from chatui.ui.widgets.composer import Composer
from chatui.ui.widgets.emoji_complete import EmojiSuggestions
from tests.ui.conftest import World, rendered, rendered_lines, wait_for


class ComposerApp(App):
    """The composer at the bottom of a screen, as in the chat app."""

    CSS = "#above { height: 1fr; }"

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []
        self.used: list[str] = []
        self.escaped = 0

    def compose(self) -> ComposeResult:
        yield Static("messages", id="above")
        yield Composer(id="composer")

    def on_mount(self) -> None:
        self.query_one(Composer).focus()

    def on_composer_send(self, event: Composer.Send) -> None:
        self.sent.append(event.text)

    def on_composer_emoji_used(self, event: Composer.EmojiUsed) -> None:
        self.used.append(event.emoji)

    def key_escape(self) -> None:
        self.escaped += 1


async def test_typing_a_name_suggests_and_tab_puts_the_emoji_in() -> None:
    app = ComposerApp()
    async with app.run_test(size=(70, 20)) as pilot:
        composer = app.query_one(Composer)
        popup = composer.suggestions
        await pilot.press(*":t")
        assert not popup.display  # one character is not enough
        await pilot.press("h", "u")
        await pilot.pause()
        assert popup.display
        lines = rendered_lines(popup)
        assert "👍" in lines[0] and ":thumbsup:" in lines[0]
        # It floats just above the composer, and the composer keeps the focus.
        assert popup.region.bottom == composer.region.y
        assert app.focused is composer
        await pilot.press("tab")
        await pilot.pause()
        assert composer.value == "👍 "
        assert not popup.display
        assert app.used == ["👍"]
        assert app.focused is composer  # Tab did not move the focus away


async def test_up_down_choose_and_enter_accepts_without_sending() -> None:
    app = ComposerApp()
    async with app.run_test(size=(70, 20)) as pilot:
        composer = app.query_one(Composer)
        popup = composer.suggestions
        await pilot.press(*"yay :thu")
        await pilot.pause()
        second = popup.suggestions[1][1]
        await pilot.press("down", "down", "up", "enter")
        await pilot.pause()
        assert composer.value == f"yay {second} "
        assert app.sent == []  # Enter took the suggestion, it did not send
        await pilot.press("enter")
        await pilot.pause()
        assert app.sent == [f"yay {second} "]


async def test_escape_closes_the_list_first_and_then_goes_on_as_before() -> None:
    app = ComposerApp()
    async with app.run_test(size=(70, 20)) as pilot:
        composer = app.query_one(Composer)
        popup = composer.suggestions
        await pilot.press(*":smi")
        await pilot.pause()
        assert popup.display
        await pilot.press("escape")
        await pilot.pause()
        assert not popup.display and app.escaped == 0
        assert composer.value == ":smi"  # nothing typed is lost
        await pilot.press("escape")
        await pilot.pause()
        assert app.escaped == 1  # with no list, Esc reaches the app as before


async def test_a_whole_code_expands_at_once_and_others_stay() -> None:
    app = ComposerApp()
    async with app.run_test(size=(70, 20)) as pilot:
        composer = app.query_one(Composer)
        await pilot.press(*"ship it :tada:")
        await pilot.pause()
        assert composer.value == "ship it 🎉"
        assert composer.cursor_position == len(composer.value)
        await pilot.press(*" at 10:30: :nope:")
        await pilot.pause()
        assert composer.value == "ship it 🎉 at 10:30: :nope:"
        assert app.used == ["🎉"]


async def test_recently_used_emoji_are_suggested_first() -> None:
    app = ComposerApp()
    async with app.run_test(size=(70, 20)) as pilot:
        composer = app.query_one(Composer)
        composer.recent_emoji = ["💘"]
        await pilot.press(*":hea")
        await pilot.pause()
        popup = app.query_one(EmojiSuggestions)
        assert popup.suggestions[0][1] == "💘"
        assert "💘" in rendered(popup).splitlines()[0]


async def test_completion_in_the_chat_app_keeps_esc_and_drafts_working(world: World) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 2, "both accounts' threads")
        composer = app.query_one(Composer)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.focused is composer, "composer focus")
        await pilot.press(*"lunch :pizz")
        popup = composer.suggestions
        await wait_for(pilot, lambda: popup.display, "emoji suggestions")
        await pilot.press("tab")
        await pilot.pause()
        assert composer.value == "lunch 🍕 "
        await pilot.press(*":smi", "escape")
        await pilot.pause()
        assert app.focused is composer  # the first Esc only closed the list
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.focused is not composer, "back to the list")
        assert composer.value == "lunch 🍕 :smi"
