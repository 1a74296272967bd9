"""The little list of suggestions shown above the composer while typing ``:name``
(emoji) or ``@name`` (members of the conversation, shown with no glyph column).

It never takes focus: the composer keeps it, and with it every key the person
types, and only steers this list (Up/Down, Tab/Enter to accept, Esc to close).
It floats over the screen (``overlay: screen``, absolutely placed) so showing it
moves nothing else. Drawn from Rich ``Text`` built piece by piece, never markup:
the names come from package tables, but a ``[`` in a name must stay a ``[``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.geometry import Offset
from textual.widget import Widget

MAX_SUGGESTIONS = 8
_GLYPH_CELLS = 2


class EmojiSuggestions(Widget, can_focus=False):
    """Suggestions ``[(":shortcode:", emoji), ...]`` with one highlighted; an empty
    glyph (``("@alice", "")``) draws the label alone."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"emoji-suggestions--highlight"}

    DEFAULT_CSS = """
    EmojiSuggestions {
        overlay: screen;
        position: absolute;
        display: none;
        width: auto;
        height: auto;
        max-width: 60;
        padding: 0 1;
        background: $panel;
        color: $text;
    }
    EmojiSuggestions > .emoji-suggestions--highlight {
        background: $accent;
        color: $text;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.suggestions: list[tuple[str, str]] = []
        self.highlighted = 0

    @property
    def shown(self) -> bool:
        return self.display and bool(self.suggestions)

    @property
    def current(self) -> tuple[str, str] | None:
        if not self.shown:
            return None
        return self.suggestions[self.highlighted]

    def show(self, suggestions: Sequence[tuple[str, str]], anchor: Offset) -> None:
        """Show ``suggestions`` with the first highlighted, the last line just above ``anchor``."""
        self.suggestions = list(suggestions)[:MAX_SUGGESTIONS]
        self.highlighted = 0
        if not self.suggestions:
            self.hide()
            return
        self.place(anchor)
        self.display = True

    def place(self, anchor: Offset) -> None:
        """Move the list so that its last line is just above ``anchor`` (the
        composer moved: it grew or shrank by a line)."""
        height = len(self.suggestions)
        self.styles.offset = (max(0, anchor.x), max(0, anchor.y - height))
        self.refresh(layout=True)

    def hide(self) -> None:
        self.suggestions = []
        self.highlighted = 0
        self.display = False

    def move(self, delta: int) -> None:
        if self.suggestions:
            self.highlighted = (self.highlighted + delta) % len(self.suggestions)
            self.refresh()

    def render(self) -> Text:
        lines = Text(no_wrap=True, overflow="ellipsis", end="")
        highlight = self.get_component_rich_style("emoji-suggestions--highlight", partial=True)
        rows: list[Text] = []
        for index, (code, glyph) in enumerate(self.suggestions):
            chosen = index == self.highlighted
            label = (code, "bold" if chosen else "dim")
            if not glyph:
                rows.append(Text.assemble(label))
                continue
            pad = " " * max(0, _GLYPH_CELLS - cell_len(glyph))
            rows.append(Text.assemble(glyph, pad, " ", label))
        width = max(row.cell_len for row in rows) if rows else 0
        for index, row in enumerate(rows):
            if index:
                lines.append("\n")
            row.pad_right(width - row.cell_len)  # the highlight spans the whole row
            if index == self.highlighted:
                row.stylize(highlight)
            lines.append_text(row)
        return lines
