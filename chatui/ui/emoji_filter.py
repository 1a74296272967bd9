"""Emoji drawn at the width the layout counted, on every screen (docs/emoji.md).

Textual lays a line out by Rich's count of cells; a terminal that draws an emoji
narrower or wider than that moves everything after it on the line (a dialog's
right border, the composer's). :class:`SteadyEmoji` is a Textual line filter: as
each finished line leaves a widget, every emoji cluster terminals disagree on is
swapped for a stand-in of the same width that they all draw alike
(:func:`chatui.core.emoji_width.steady_emoji`). One place for every widget,
dialog, toast and the message box, and the text itself is never changed: only
what is drawn.

``[display] emoji = "exact"`` turns it off, for terminals that draw grapheme
clusters as Rich counts them (kitty, WezTerm, foot, Ghostty).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.segment import Segment
from textual.filter import LineFilter

from chatui.core.emoji_width import disputed, steady_emoji

if TYPE_CHECKING:
    from textual.color import Color


class SteadyEmoji(LineFilter):
    """Each segment's text in its steady form (the same cells, undisputed glyphs)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        # Nearly every line holds nothing disputed: hand the same list back.
        if not any(not control and disputed(text) for text, _style, control in segments):
            return segments
        return [
            Segment(text if control else steady_emoji(text), style, control)
            for text, style, control in segments
        ]
