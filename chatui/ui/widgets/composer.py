"""The composer: where a message is typed before it is sent.

A single-line ``Input`` for now (Enter sends). It speaks to the app only through
:class:`Composer.Send` (and :class:`Composer.EmojiUsed`), so swapping it for a
multi-line ``TextArea`` later (Enter sends, Shift+Enter breaks the line) changes
nothing outside this module.

Emoji by name, as in other chat apps: typing a whole ``:thumbsup:`` turns it into
👍 at once, and after ``:`` and two more characters a list of up to eight
suggestions floats above the composer (:class:`~chatui.ui.widgets.emoji_complete.EmojiSuggestions`,
which never takes focus). While it shows, Up/Down move through it, Tab or Enter
puts the highlighted emoji in, Esc closes it; otherwise those keys do what they
always do (Enter sends, Esc goes back to the list, Tab moves focus).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, get_character_cell_size
from rich.text import Text
from textual import events
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.expand_tabs import expand_tabs_inline
from textual.geometry import Offset
from textual.message import Message
from textual.widgets import Input

from chatui.ui.widgets.emoji_complete import MAX_SUGGESTIONS, EmojiSuggestions
from chatui.ui.widgets.ordered_keys import OrderedKeys

MIN_QUERY = 2
"""Characters after the colon before suggestions show (":d" would match half the table)."""

LINE_BREAK_GLYPH = "⏎"
"""How a pasted line break is drawn in the one-line composer (the value keeps "\\n")."""

JOINERS = frozenset({"\u200d", *map(chr, range(0xE0020, 0xE0080))})
"""Zero-width characters that build an emoji (the ZWJ of 👩‍💻, the tags of a
subdivision flag): typed as keys when an emoji keyboard sends a sequence, and not
"printable", so Textual's Input would drop them and split the emoji apart."""

# ":" at the start or after a non-word character, then the name typed so far.
_TRIGGER_RE = re.compile(rf"(?:^|(?<=\W)):([^\s:]{{{MIN_QUERY},100}})$")


class Composer(OrderedKeys, Input):
    """Type a message; Enter asks the app to send it.

    Its keys take effect in the order typed, even in one burst (OrderedKeys): Enter
    takes the text typed before it, and the text after it is the next message.
    """

    DEFAULT_CSS = """
    Composer {
        height: 3;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # Active only while suggestions show (the actions skip otherwise, and the key
        # goes on to the screen and the app as before).
        Binding("up", "suggestion_move(-1)", "Previous emoji", show=False),
        Binding("down", "suggestion_move(1)", "Next emoji", show=False),
        Binding("tab", "suggestion_accept", "Insert emoji", show=False),
        Binding("escape", "suggestion_close", "Close suggestions", show=False),
    ]

    @dataclass
    class Send(Message):
        """The user pressed Enter on a non-empty message."""

        composer: Composer
        text: str

    @dataclass
    class EmojiUsed(Message):
        """An emoji was put in by completion or by a typed ``:code:``."""

        composer: Composer
        emoji: str

    PLACEHOLDERS: ClassVar[tuple[str, ...]] = (
        "Message · Enter sends · :name for emoji · Esc: back to the list",
        "Message · Enter sends · :name for emoji",
        "Message · Enter sends",
        "Message",
    )
    """Longest first: the box shows the longest that fits its width, whole."""
    PLACEHOLDER = PLACEHOLDERS[0]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            placeholder=self.PLACEHOLDER,
            id=id,
            # Input selects everything on focus by default; in a composer that makes
            # the next key replace the whole draft. Nothing typed may be lost.
            select_on_focus=False,
        )
        self.recent_emoji: Sequence[str] = ()
        """Recently used emoji (most recent first): suggested before others."""
        self.suggestions = EmojiSuggestions()
        self._query_span: tuple[int, int] | None = None

    @property
    def text(self) -> str:
        return self.value

    def set_ready(self, ready: bool) -> None:
        """Take keys (a conversation is open) or not: disabled, and with no
        "Enter sends" promise, while there is nowhere to send to."""
        self.disabled = not ready
        self.placeholder = self._fitting_placeholder() if ready else ""

    def _fitting_placeholder(self) -> str:
        room = self.scrollable_content_region.width
        if not room:  # not laid out yet: on_resize chooses again
            return self.PLACEHOLDER
        return next((p for p in self.PLACEHOLDERS if cell_len(p) <= room), self.PLACEHOLDERS[-1])

    def on_resize(self, event: events.Resize) -> None:
        if self.placeholder:
            self.placeholder = self._fitting_placeholder()

    # --- life cycle ------------------------------------------------------------------

    def on_mount(self) -> None:
        self.watch(self, "cursor_position", self._cursor_moved, init=False)

    def on_unmount(self) -> None:
        if self.suggestions.is_attached:
            self.suggestions.remove()

    def on_blur(self) -> None:
        self._close_suggestions()

    # --- sending ---------------------------------------------------------------------

    async def action_submit(self) -> None:
        if self.suggestions.shown:
            self.action_suggestion_accept()
            return
        # Whitespace-only is "nothing typed": sending it would only make noise.
        if self.value.strip():
            # Taken and cleared in this one step, before anything can await: keys
            # that arrive in a burst are handled before the app sees this message,
            # and whatever is typed after Enter belongs to the next message. The app
            # puts the text back if it cannot use it (put_back).
            self.post_message(self.Send(self, self.take()))

    def take(self) -> str:
        """Empty the composer and return what it held (the text being sent)."""
        text = self.value
        self.value = ""
        self._close_suggestions()
        return text

    def on_key(self, event: events.Key) -> None:
        if event.character in JOINERS and not self.disabled:
            event.stop()
            event.prevent_default()
            if self.selection.is_empty:
                self.insert_text_at_cursor(event.character)
            else:
                self.replace(event.character, *self.selection)

    # --- pasted line breaks ------------------------------------------------------------
    # The composer is one line high until the multi-line composer lands, but a paste
    # must not lose a character: the value keeps its real "\n"s (and sends them), and
    # only the drawing shows each as LINE_BREAK_GLYPH. The glyph is one character and
    # one cell, like the character it stands for is one character, so cursor and
    # mouse positions map one to one.

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()  # Input's own handler would insert the first line again
        if not event.text:
            return
        # Input keeps only the first line of a paste; keep them all (CRLF as one break).
        text = event.text.replace("\r\n", "\n").replace("\r", "\n")
        if self.selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *self.selection)

    @property
    def _shown(self) -> str:
        return self.value.replace("\n", LINE_BREAK_GLYPH)

    @property
    def _value(self) -> Text:
        text = Text(self._shown, no_wrap=True, overflow="ignore", end="")
        start = 0
        while (at := self.value.find("\n", start)) != -1:
            text.stylize("dim", at, at + 1)
            start = at + 1
        return text

    def _position_to_cell(self, position: int) -> int:
        return cell_len(expand_tabs_inline(self._shown[:position], 4))

    def _cell_offset_to_index(self, offset: int) -> int:
        shown = self._shown
        cell_offset = 0
        offset += self.scroll_offset.x
        for index, char in enumerate(shown):
            width = get_character_cell_size(char)
            if cell_offset <= offset < cell_offset + width:
                return index
            cell_offset += width
        return max(0, min(offset, len(shown)))

    def put_back(self, text: str) -> None:
        """Restore text that could not be sent, keeping anything typed since.

        The unsent text goes first, since it was written first.
        """
        current = self.value
        self.value = f"{text} {current}" if current.strip() else text
        self.cursor_position = len(self.value)

    # --- emoji -----------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        # Not stopped: the app keeps drafts from the same message.
        if event.input is not self:
            return
        if self.value.count(":") >= 2:
            from chatui.core.emoji_names import expand_shortcodes_used

            expanded, used = expand_shortcodes_used(self.value)
            if used:
                # Keep the cursor where it was relative to the end: typing at the end
                # (the usual case) leaves it at the end.
                from_end = len(self.value) - self.cursor_position
                self.value = expanded
                self.cursor_position = max(0, len(expanded) - from_end)
                for glyph in used:
                    self.post_message(self.EmojiUsed(self, glyph))
                return
        self._update_suggestions()

    def _cursor_moved(self, _position: int) -> None:
        self._update_suggestions()

    def _update_suggestions(self) -> None:
        if not self.has_focus:
            self._close_suggestions()
            return
        before = self.value[: self.cursor_position]
        match = _TRIGGER_RE.search(before)
        if match is None:
            self._close_suggestions()
            return
        from chatui.core.emoji_names import complete

        found = complete(match.group(1), limit=MAX_SUGGESTIONS, recent=self.recent_emoji)
        if not found:
            self._close_suggestions()
            return
        self._query_span = match.span()
        if not self.suggestions.is_attached:
            # The list floats over the screen, so it lives there, not inside the Input;
            # mounted on first use so the app's first frame has one widget fewer.
            self.screen.mount(self.suggestions)
        cursor = self.cursor_screen_offset
        anchor = Offset(cursor.x - cell_len(match.group(0)), self.region.y)
        self.suggestions.show(found, anchor)

    def _close_suggestions(self) -> None:
        self._query_span = None
        if self.suggestions.display:
            self.suggestions.hide()

    def action_suggestion_move(self, delta: int) -> None:
        if not self.suggestions.shown:
            raise SkipAction()
        self.suggestions.move(delta)

    def action_suggestion_accept(self) -> None:
        current = self.suggestions.current
        span = self._query_span
        if current is None or span is None:
            raise SkipAction()
        _code, glyph = current
        start, end = span
        after = self.value[end:]
        insert = glyph if after.startswith(" ") else f"{glyph} "
        self._close_suggestions()
        self.value = self.value[:start] + insert + after
        self.cursor_position = start + len(insert)
        self.post_message(self.EmojiUsed(self, glyph))

    def action_suggestion_close(self) -> None:
        if not self.suggestions.shown:
            raise SkipAction()
        self._close_suggestions()
