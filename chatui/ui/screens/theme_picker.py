"""The chat theme picker: a list of themes down the left side, with a live preview.

Moving through the list restyles the open conversation at once (the caller's
``preview`` callback), so the choice is made by looking, not by reading names.
The panel covers the thread list, which is of no use meanwhile, and the screen
behind it is not dimmed: the conversation must stay in view, whole, for the
preview to mean anything (the main screen gives the list the panel's width,
:data:`PANEL_WIDTH`, while it is open, so at 80 or 60 columns no line of the
conversation is hidden; unlike the centred dialogs, the thread still counts as on
screen; see ``THREAD_VISIBLE`` and chatui.ui.controllers.seen).

Enter dismisses with the chosen theme (the app then shares it with the
conversation); Esc dismisses with None and the app puts the old look back.

Theme names may come from a user's file or another participant: plain ``Text``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from chatui.core.sanitize import one_line

if TYPE_CHECKING:
    from chatui.core.themes import ChatTheme

Preview = Callable[["ChatTheme"], None]

PANEL_WIDTH = 30
"""Cells of the panel (its border included): the longest built-in theme's row."""

_MARK = "● "  # the theme in force
_NO_MARK = "○ "
_SWATCH_STOPS = 3


def _swatch(colors: Sequence[str], stops: int = _SWATCH_STOPS) -> Text:
    """Two cells per color stop (at most ``stops``), in that color; always as wide."""
    text = Text()
    shown = list(colors)[:stops]
    for color in shown:
        try:
            text.append("  ", Style(bgcolor=color))
        except Exception:  # an odd color must not break the list
            text.append("  ")
    text.append("  " * (stops - len(shown)))
    return text


def theme_row(theme: ChatTheme, current: bool) -> Text:
    """One row: the mark for the theme in force, its colors, its name, its first emoji."""
    row = Text(no_wrap=True, overflow="ellipsis")
    row.append(_MARK if current else _NO_MARK)
    row.append_text(_swatch(theme.mine_bubble))  # mine: the gradient, if any
    row.append_text(_swatch(theme.theirs_bubble[:1], stops=1))
    row.append(" ")
    row.append(one_line(theme.name, 64))
    if theme.quick_reactions:
        row.append(" ")
        row.append(one_line(theme.quick_reactions[0], 16))
    return row


class ThemePicker(ModalScreen["ChatTheme | None"]):
    """Pick the conversation's theme; ``preview`` is called for each highlighted one."""

    THREAD_VISIBLE: ClassVar[bool] = True
    """The open conversation stays visible (and counts as seen) behind this screen."""
    previews_chat_theme: ClassVar[bool] = True
    """While open, the app leaves the thread's look to the preview."""

    DEFAULT_CSS = f"""
    ThemePicker {{
        align: left top;
        background: $background 0%;
    }}
    ThemePicker > Vertical {{
        width: {PANEL_WIDTH};
        max-width: 50%;
        height: 100%;
        padding: 0 0 0 1;
        border-right: tall $primary;
        border-title-style: bold;
        background: $surface;
    }}
    ThemePicker #theme-about {{
        color: $text-muted;
        margin-bottom: 1;
    }}
    ThemePicker OptionList, ThemePicker OptionList:focus {{
        height: 1fr;
        border: none;
        padding: 0;
    }}
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="theme_picker.cancel"),
    ]

    def __init__(
        self,
        themes: Sequence[ChatTheme],
        current: str | None,
        preview: Preview | None = None,
    ) -> None:
        super().__init__()
        self.themes = list(themes)
        self.current = current
        self._preview = preview

    def compose(self) -> ComposeResult:
        options = [
            Option(theme_row(theme, theme.name == self.current), id=f"theme-{index}")
            for index, theme in enumerate(self.themes)
        ]
        with Vertical() as panel:
            panel.border_title = "Chat theme"
            yield Static(
                Text("Enter: use it here (everyone in the chat sees it) · Esc: keep the old one"),
                id="theme-about",
            )
            yield OptionList(*options, id="theme-options")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        index = next((i for i, t in enumerate(self.themes) if t.name == self.current), 0)
        if self.themes:
            options.highlighted = index
        options.focus()

    def _theme_of(self, option: Option) -> ChatTheme | None:
        option_id = option.id or ""
        if not option_id.startswith("theme-"):
            return None
        return self.themes[int(option_id.removeprefix("theme-"))]

    @on(OptionList.OptionHighlighted, "#theme-options")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        theme = self._theme_of(event.option)
        if theme is not None and self._preview is not None:
            self._preview(theme)

    @on(OptionList.OptionSelected, "#theme-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self._theme_of(event.option))

    def action_cancel(self) -> None:
        self.dismiss(None)
