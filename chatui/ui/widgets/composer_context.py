"""The one-line bar above the composer that says what Enter will do, when it is
not "send a new message": "↳ Replying to alice: pizza at noon?" or
"✎ Editing — Enter saves · Esc cancels".

It draws one line, cut to its width by grapheme (a flag or a family emoji is
shown whole or not at all) with an ellipsis, from text made safe for one line
(chatui.core.sanitize): the quoted message is someone else's, untrusted text.
Hidden while the composer is in its plain mode.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from chatui.core.sanitize import one_line, truncate_cells


def reply_words(sender: str, body: str) -> str:
    """The bar's text when replying to ``sender``'s ``body`` (not yet fitted)."""
    return f"↳ Replying to {one_line(sender, 60)}: {one_line(body)}"


EDIT_WORDS = "✎ Editing — Enter saves · Esc cancels"


class ComposerContext(Widget):
    """Reply or edit mode, shown above the composer (hidden otherwise)."""

    DEFAULT_CSS = """
    ComposerContext {
        height: 1;
        padding: 0 2;
        color: $text-muted;
        background: $boost;
        display: none;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._words = ""

    @property
    def words(self) -> str:
        """What the bar says, whole (before fitting to the width); "" when hidden."""
        return self._words

    def show(self, words: str) -> None:
        self._words = words
        self.display = bool(words)
        self.refresh()

    def clear(self) -> None:
        self.show("")

    def render(self) -> Text:
        return Text(truncate_cells(self._words, self.content_region.width or 80), no_wrap=True)
