"""The composer: where a message is typed before it is sent.

A Textual ``TextArea``, soft-wrapped and growing with its text up to about a
third of the screen, then scrolling. Enter sends; Alt+Enter inserts a line break
(so do Shift+Enter where the terminal reports it, and Ctrl+J, which every terminal
sends as its own byte). A paste keeps its line breaks and stays one message. It
speaks to the app only through :class:`Composer.Send`,
:class:`Composer.EmojiUsed` and :class:`Composer.EditLast` (Up in the empty box),
and ``TextArea.Changed``, which keeps the drafts.

Emoji by name, as in other chat apps: typing a whole ``:thumbsup:`` turns it into
👍 at once, and after ``:`` and two more characters a list of up to eight
suggestions floats above the composer (:class:`~chatui.ui.widgets.emoji_complete.EmojiSuggestions`,
which never takes focus). While it shows, Up/Down move through it, Tab or Enter
puts the highlighted emoji in, Esc closes it; otherwise those keys do what they
always do (Enter sends, Up/Down move between the lines, Esc goes back to the list,
Tab moves focus).

Members by name the same way: ``@`` and a letter or more (not inside a word, so
not in an e-mail address) suggests the open conversation's other members
(:attr:`Composer.members`, set by the app: usernames, or Matrix display names);
Tab or Enter puts ``@name `` in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from textual import events
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.geometry import Offset
from textual.message import Message
from textual.widgets import TextArea
from textual.widgets.text_area import Location

from chatui.ui.widgets.emoji_complete import MAX_SUGGESTIONS, EmojiSuggestions
from chatui.ui.widgets.ordered_keys import OrderedKeys

MIN_QUERY = 2
"""Characters after the colon before suggestions show (":d" would match half the table)."""

NEW_LINE_KEYS = "alt+enter,shift+enter,ctrl+j"
"""Keys that put a line break in the message instead of sending it. Shift+Enter
reaches the app only from terminals with the kitty keyboard protocol (elsewhere
it is a plain Enter); Alt+Enter is ESC CR in the others (chatui.ui.terminal_keys
teaches Textual that); Ctrl+J is a line feed everywhere."""

JOINERS = frozenset({"\u200d", *map(chr, range(0xE0020, 0xE0080))})
"""Zero-width characters that build an emoji (the ZWJ of 👩‍💻, the tags of a
subdivision flag): typed as keys when an emoji keyboard sends a sequence, and not
"printable", so Textual's TextArea would drop them and split the emoji apart."""

# ":" at the start of the line or after a non-word character, then the name so far.
_TRIGGER_RE = re.compile(rf"(?:^|(?<=\W)):([^\s:]{{{MIN_QUERY},100}})$")
# "@" likewise, then at least one character of a member's name.
_MENTION_RE = re.compile(r"(?:^|(?<=[^\w@]))@([\w.\-]{1,100})$")


def complete_member(typed: str, members: Sequence[str], limit: int) -> list[str]:
    """Members whose name starts with ``typed`` (any case), then those that contain
    it, each in the order given."""
    wanted = typed.casefold()
    starts = [m for m in members if m.casefold().startswith(wanted)]
    inside = [m for m in members if wanted in m.casefold() and m not in starts]
    return (starts + inside)[:limit]


def _one_kind_of_break(text: str) -> str:
    """CR LF and a lone CR (what terminals and some clipboards use) as "\\n"."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class Composer(OrderedKeys, TextArea):
    """Type a message; Enter asks the app to send it.

    Its keys take effect in the order typed, even in one burst (OrderedKeys): Enter
    takes the text typed before it, and the text after it is the next message.
    """

    DEFAULT_CSS = """
    Composer {
        height: auto;
        min-height: 3;
        /* "about a third of the screen": the text scrolls inside beyond that */
        max-height: 33vh;
        /* as the one-line box it replaced looked: the snapshots hold it */
        padding: 0 2;
        scrollbar-size-vertical: 1;
        &:focus {
            background-tint: $foreground 5%;
        }
        & .text-area--placeholder {
            color: $text-disabled;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # A key bound here replaces TextArea's binding of that key (Textual merges
        # bindings per key), so these also move the cursor when no list shows.
        Binding("enter", "submit", "Send", show=False),
        Binding(NEW_LINE_KEYS, "new_line", "New line", show=False),
        Binding("up", "up", "Previous emoji or line", show=False),
        Binding("down", "down", "Next emoji or line", show=False),
        # Active only while suggestions show (the actions skip otherwise, and the key
        # goes on to the screen and the app as before).
        Binding("tab", "suggestion_accept", "Insert emoji", show=False),
        Binding("escape", "suggestion_close", "Close suggestions", show=False),
        # TextArea's undo/redo and line/all selection keys go on to the app, as they
        # did past the one-line box: Ctrl+Z suspends, Ctrl+Y reacts, and a user's
        # [keys] may name F6 or F7.
        Binding("ctrl+z,super+z,ctrl+y,super+y,f6,f7", "pass_on", show=False),
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

    @dataclass
    class EditLast(Message):
        """Up in the empty box: the user wants to change their last message (as in
        Slack and Telegram)."""

        composer: Composer

    PLACEHOLDERS: ClassVar[tuple[str, ...]] = (
        "Message · Enter sends · Alt+Enter: new line · :name for emoji · Esc: back to the list",
        "Message · Enter sends · Alt+Enter: new line · :name for emoji",
        "Message · Enter sends · :name for emoji",
        "Message · Enter sends",
        "Message",
    )
    """Longest first: the box shows the longest that fits its width, whole."""
    PLACEHOLDER = PLACEHOLDERS[0]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            id=id,
            placeholder=self.PLACEHOLDER,
            soft_wrap=True,
            tab_behavior="focus",  # Tab completes an emoji or moves the focus
            show_line_numbers=False,
            highlight_cursor_line=False,
        )
        self.set_reactive(TextArea.match_cursor_bracket, False)  # a message is not code
        self.recent_emoji: Sequence[str] = ()
        """Recently used emoji (most recent first): suggested before others."""
        self.members: Sequence[str] = ()
        """The open conversation's other members, as a mention names them (what
        follows the ``@``: chatui.core.mentions.handles): ``@`` + letters suggests
        them."""
        self.suggestions = EmojiSuggestions()
        self._query_span: tuple[Location, Location] | None = None
        self._mentioning = False
        """The suggestions show members (``@name``), not emoji."""

    # --- the text as one string ----------------------------------------------------

    @property
    def value(self) -> str:
        """The whole message, line breaks as "\\n"."""
        return self.text

    @value.setter
    def value(self, text: str) -> None:
        """Replace the whole message; the cursor goes to its end (to go on typing)."""
        self.load_text(_one_kind_of_break(text))
        self.move_cursor(self.document.end)

    @property
    def cursor_position(self) -> int:
        """The cursor as an index into :attr:`value`."""
        return self.document.get_index_from_location(self.cursor_location)

    @cursor_position.setter
    def cursor_position(self, index: int) -> None:
        index = max(0, min(index, len(self.text)))
        self.move_cursor(self.document.get_location_from_index(index))

    def type_text(self, text: str) -> None:
        """Put ``text`` where the cursor is, over any selection, as typing would."""
        start, end = self.selection
        self.replace(_one_kind_of_break(text), start, end, maintain_selection_offset=False)

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
        if self.suggestions.shown and self._query_span is not None:
            # Grown or shrunk by a line: its top, which the list sits on, moved.
            self.suggestions.place(self._suggestions_anchor(self._query_span))

    # --- life cycle ------------------------------------------------------------------

    def on_mount(self) -> None:
        self.watch(self, "selection", self._cursor_moved, init=False)

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
        if self.text.strip():
            # Taken and cleared in this one step, before anything can await: keys
            # that arrive in a burst are handled before the app sees this message,
            # and whatever is typed after Enter belongs to the next message. The app
            # puts the text back if it cannot use it (put_back).
            self.post_message(self.Send(self, self.take()))

    def take(self) -> str:
        """Empty the composer and return what it held (the text being sent)."""
        text = self.text
        self.value = ""
        self._close_suggestions()
        return text

    def put_back(self, text: str) -> None:
        """Restore text that could not be sent, keeping anything typed since.

        The unsent text goes first, since it was written first.
        """
        current = self.text
        self.value = f"{text} {current}" if current.strip() else text

    # --- keys ------------------------------------------------------------------------

    def action_new_line(self) -> None:
        self._close_suggestions()
        self.type_text("\n")

    def action_up(self) -> None:
        if self.suggestions.shown:
            self.suggestions.move(-1)
        elif not self.text:
            self.post_message(self.EditLast(self))
        else:
            self.action_cursor_up()

    def action_down(self) -> None:
        if self.suggestions.shown:
            self.suggestions.move(1)
        else:
            self.action_cursor_down()

    def action_pass_on(self) -> None:
        raise SkipAction()

    def on_key(self, event: events.Key) -> None:
        if event.character in JOINERS and not self.disabled:
            event.stop()
            event.prevent_default()
            self.type_text(event.character)

    def _on_paste(self, event: events.Paste) -> None:
        # Instead of TextArea's own, which would keep a terminal's CR as a second
        # kind of line break (the message would be sent with it).
        event.stop()
        event.prevent_default()
        if event.text:
            self.type_text(event.text)

    # --- emoji -----------------------------------------------------------------------

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        # Not stopped: the app keeps drafts from the same message.
        if event.text_area is not self:
            return
        text = self.text
        if text.count(":") >= 2:
            from chatui.core.emoji_names import expand_shortcodes_used

            expanded, used = expand_shortcodes_used(text)
            if used:
                # Keep the cursor where it was relative to the end: typing at the end
                # (the usual case) leaves it at the end.
                from_end = len(text) - self.cursor_position
                self.value = expanded
                self.cursor_position = len(expanded) - from_end
                for glyph in used:
                    self.post_message(self.EmojiUsed(self, glyph))
                return
        self._update_suggestions()

    def _cursor_moved(self, _selection: object) -> None:
        self._update_suggestions()

    def _update_suggestions(self) -> None:
        if not self.has_focus:
            self._close_suggestions()
            return
        row, column = self.cursor_location
        before = self.document[row][:column]
        mention = _MENTION_RE.search(before) if self.members else None
        if mention is not None:
            names = complete_member(mention.group(1), self.members, MAX_SUGGESTIONS)
            if names:
                self._show_suggestions([(f"@{n}", "") for n in names], row, mention.span())
                self._mentioning = True
                return
        match = _TRIGGER_RE.search(before)
        if match is None:
            self._close_suggestions()
            return
        from chatui.core.emoji_names import complete

        found = complete(match.group(1), limit=MAX_SUGGESTIONS, recent=self.recent_emoji)
        if not found:
            self._close_suggestions()
            return
        self._show_suggestions(found, row, match.span())
        self._mentioning = False

    def _show_suggestions(
        self, found: Sequence[tuple[str, str]], row: int, span: tuple[int, int]
    ) -> None:
        start, end = span
        self._query_span = ((row, start), (row, end))
        if not self.suggestions.is_attached:
            # The list floats over the screen, so it lives there, not inside the box;
            # mounted on first use so the app's first frame has one widget fewer.
            self.screen.mount(self.suggestions)
        self.suggestions.show(found, self._suggestions_anchor(self._query_span))

    def _suggestions_anchor(self, span: tuple[Location, Location]) -> Offset:
        """Where the list goes: above the box, starting under the typed ``:name``."""
        (row, start), (_row, end) = span
        typed = cell_len(self.document[row][start:end])
        return Offset(self.cursor_screen_offset.x - typed, self.region.y)

    def _close_suggestions(self) -> None:
        self._query_span = None
        if self.suggestions.display:
            self.suggestions.hide()

    def action_suggestion_accept(self) -> None:
        current = self.suggestions.current
        span = self._query_span
        if current is None or span is None:
            raise SkipAction()
        code, glyph = current
        mentioning = self._mentioning
        chosen = code if mentioning else glyph  # "@alice" or the emoji itself
        start, end = span
        row, end_column = end
        after = self.document[row][end_column:]
        insert = chosen if after.startswith(" ") else f"{chosen} "
        self._close_suggestions()
        self.replace(insert, start, end, maintain_selection_offset=False)
        if not mentioning:
            self.post_message(self.EmojiUsed(self, glyph))

    def action_suggestion_close(self) -> None:
        if not self.suggestions.shown:
            raise SkipAction()
        self._close_suggestions()
