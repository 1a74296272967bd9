"""The merged thread list: every account's conversations in one Line-API view.

One widget draws all rows (``render_line``), two terminal lines per thread, so the
cost of a frame depends on the height of the screen, not on the number of threads
(docs/performance.md: a ListView of 5,000 items takes half a minute to appear). Rendered
lines are cached per (thread object, line, width, cursor, focus, day) in an LRU;
threads are frozen dataclasses, so a changed thread (a new message, a read, a
vanish setting turned on) is a new object and misses the cache by itself. Theme
changes and resizes clear it.

A thread with vanish mode on shows a glyph on its first line (VANISH_MARKERS):
a glyph rather than a color, so that it still reads under NO_COLOR. Unread
mentions of the user are counted beside the unread count ("@2"); while someone
types in a thread, its preview says so ("alice is typing…", in italics): who
types is not part of the thread object, so the row cache is keyed on it too.

All server text (titles, previews, sender names) goes through
:func:`chatui.core.sanitize.safe_text` and into Rich ``Text`` pieces; no markup is
ever parsed from it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar, NamedTuple

from rich.cells import cell_len
from rich.color import Color, ColorParseError
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from chatui.core.chat_words import DELETED_WORDS, typing_words
from chatui.core.clock import now_ms
from chatui.core.inbox import Inbox
from chatui.core.models import AccountConfig, Thread, ThreadKey
from chatui.core.notices import describe_change
from chatui.core.sanitize import safe_text, truncate_cells
from chatui.core.timefmt import local_day, short_time

ROW_HEIGHT = 2
_LABEL_MAX = 8  # cells of an account label shown in the badge
_PREVIEW_MAX = 300  # characters of a body worth sanitizing for a one-line preview
_INVITE_TAG = "invite · "
_MIN_TITLE = 8
"""Cells kept for the title: the time and the vanish glyph give way first (in a
narrow list "Sat…" next to "2024-01-06" says nothing; the title alone says which
conversation it is)."""

# Shown on a thread's first line while its vanish mode is on. Glyphs, not color, so
# that they survive NO_COLOR; each one code point of East Asian Width "W" with
# default emoji presentation, so every terminal and Rich agree it takes two cells
# (unlike text-default symbols such as U+23F1 STOPWATCH, drawn one or two wide).
VANISH_MARKERS: Mapping[str, str] = {"timer": "⏳", "vanish": "👻"}
_MARKER_WIDTH = 2


class _RowStyles(NamedTuple):
    """The finished style of each piece of a row, for one cursor/focus state."""

    base: Style
    title: Style
    title_unread: Style
    invite: Style
    time: Style
    preview: Style
    preview_empty: Style
    marker: Style
    unread: Style
    mention: Style
    typing: Style


def _contrast_text(color: str) -> str | None:
    """Black or white, whichever reads better on ``color`` (None if unparsable)."""
    try:
        triplet = Color.parse(color).get_truecolor()
    except ColorParseError:
        return None

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = (
        0.2126 * channel(triplet.red)
        + 0.7152 * channel(triplet.green)
        + 0.0722 * channel(triplet.blue)
    )
    # The crossover where black and white have equal contrast against the color.
    return "#000000" if luminance > 0.179 else "#ffffff"


class ThreadListView(ScrollView, can_focus=True):
    """Shows an :class:`Inbox`, newest activity first, with a keyboard cursor."""

    DEFAULT_CSS = """
    ThreadListView {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        & > .thread-list--cursor {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .thread-list--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
        & > .thread-list--title { color: $foreground; }
        & > .thread-list--time { color: $text-muted; }
        & > .thread-list--preview { color: $text-muted; }
        & > .thread-list--unread { color: $text; background: $accent; text-style: bold; }
        & > .thread-list--mention { color: $text-warning; text-style: bold; }
        & > .thread-list--typing { color: $text-accent; text-style: italic; }
        & > .thread-list--empty { color: $text-muted; text-style: italic; }
        & > .thread-list--invite { color: $accent; text-style: bold; }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "thread-list--cursor",
        "thread-list--title",
        "thread-list--time",
        "thread-list--preview",
        "thread-list--unread",
        "thread-list--mention",
        "thread-list--typing",
        "thread-list--empty",
        "thread-list--invite",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("home", "cursor_home", "First", show=False),
        Binding("end", "cursor_end", "Last", show=False),
        Binding("pageup", "page_cursor_up", "Page up", show=False),
        Binding("pagedown", "page_cursor_down", "Page down", show=False),
        Binding("enter", "open", "Open", show=False),
    ]

    empty_text = "No conversations yet — Ctrl+N starts one"

    class _FromList(Message):
        """A message from the list; ``control`` is the list (what @on selectors match)."""

        def __init__(self, thread_list: ThreadListView) -> None:
            super().__init__()
            self.thread_list = thread_list

        @property
        def control(self) -> ThreadListView:
            return self.thread_list

    class Highlighted(_FromList):
        """The cursor moved to another thread (by the user or a reorder)."""

        def __init__(self, thread_list: ThreadListView, key: ThreadKey) -> None:
            super().__init__(thread_list)
            self.key = key

    class Opened(_FromList):
        """The user chose a thread (Enter or a click)."""

        def __init__(self, thread_list: ThreadListView, key: ThreadKey) -> None:
            super().__init__(thread_list)
            self.key = key

    class TypedAhead(_FromList):
        """Text typed after Enter, before the conversation had opened: it was meant
        for the message box (a fast typist, a paste), so it is handed on, not lost."""

        def __init__(self, thread_list: ThreadListView, text: str) -> None:
            super().__init__(thread_list)
            self.text = text

    _opening = False
    """Between Enter and the focus leaving for the conversation (see on_key)."""
    _typed = ""
    """Letters that arrived meanwhile (see take_typed_ahead)."""

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._inbox: Inbox = Inbox()
        self._me: Callable[[str], str] = lambda account_id: ""
        self._accounts: Mapping[str, AccountConfig] = {}
        self._cursor_key: ThreadKey | None = None
        self._cursor_index = 0
        self._user_moved = False
        self._lines: LRUCache[tuple, tuple[Thread, Strip]] = LRUCache(1024)
        self._style_cache: dict[tuple[bool, bool], _RowStyles] = {}
        self._badges: dict[str, tuple[str, Style]] = {}
        self._width = 0
        self._typing: dict[ThreadKey, str] = {}  # "alice is typing…", by thread

    # --- public API ----------------------------------------------------------------

    def set_source(
        self,
        inbox: Inbox,
        me: Callable[[str], str],
        accounts: Mapping[str, AccountConfig],
    ) -> None:
        """Show ``inbox``; ``me(account_id)`` names the user on that account."""
        self._inbox = inbox
        self._me = me
        self._accounts = accounts
        self._lines.clear()
        self._badges.clear()
        self.refresh_threads()

    @property
    def cursor_key(self) -> ThreadKey | None:
        """The highlighted thread, or None while the list is empty."""
        return self._cursor_key

    @property
    def cursor_index(self) -> int | None:
        """The highlighted row (0 is the newest), or None while the list is empty."""
        return self._cursor_index if self._cursor_key is not None else None

    def refresh_threads(self) -> None:
        """Re-read the inbox after it changed (call on every ``InboxChanged``).

        The cursor stays on the same thread wherever it moved to; until the user
        has moved it, it stays on the newest thread instead.
        """
        count = len(self._inbox)
        was_visible = self._row_visible(self._cursor_index)
        old_key = self._cursor_key
        if count == 0:
            self._cursor_key = None
            self._cursor_index = 0
        else:
            index = None
            if self._user_moved and old_key is not None:
                index = self._inbox.index_of(old_key)
                if index is None:  # the thread is gone: stay at the same height
                    index = min(self._cursor_index, count - 1)
            self._cursor_index = 0 if index is None else index
            self._cursor_key = self._inbox.at(self._cursor_index).key
        self.virtual_size = Size(0, count * ROW_HEIGHT)
        if was_visible:
            self._scroll_to_cursor()
        self.refresh()
        if self._cursor_key is not None and self._cursor_key != old_key:
            self.post_message(self.Highlighted(self, self._cursor_key))

    def set_typing(self, key: ThreadKey, names: list[str]) -> None:
        """Who is typing in ``key`` now (display names; none: nobody): the row's
        preview says so until they stop (call on every ``TypingUpdated``)."""
        words = typing_words(names)
        if words == self._typing.get(key, ""):
            return
        if words:
            self._typing[key] = words
        else:
            self._typing.pop(key, None)
        index = self._inbox.index_of(key)
        if index is not None:
            self._refresh_row(index)

    def typing_in(self, key: ThreadKey) -> str:
        """What the row of ``key`` says of typing ("" when nobody types)."""
        return self._typing.get(key, "")

    def select_key(self, key: ThreadKey) -> bool:
        """Move the cursor to ``key`` (e.g. after a palette jump); False if unknown."""
        index = self._inbox.index_of(key)
        if index is None:
            return False
        self._move_to(index)
        return True

    # --- cursor --------------------------------------------------------------------

    def _move_to(self, index: int) -> None:
        count = len(self._inbox)
        if count == 0:
            return
        index = max(0, min(index, count - 1))
        self._user_moved = True
        old_index, old_key = self._cursor_index, self._cursor_key
        self._cursor_index = index
        self._cursor_key = self._inbox.at(index).key
        self._refresh_row(old_index)
        self._refresh_row(index)
        self._scroll_to_cursor()
        if self._cursor_key != old_key:
            self.post_message(self.Highlighted(self, self._cursor_key))

    def _page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height // ROW_HEIGHT)

    def action_cursor_up(self) -> None:
        self._move_to(self._cursor_index - 1)

    def action_cursor_down(self) -> None:
        self._move_to(self._cursor_index + 1)

    def action_cursor_home(self) -> None:
        self._move_to(0)

    def action_cursor_end(self) -> None:
        self._move_to(len(self._inbox) - 1)

    def action_page_cursor_up(self) -> None:
        self._move_to(self._cursor_index - self._page_rows())

    def action_page_cursor_down(self) -> None:
        self._move_to(self._cursor_index + self._page_rows())

    def action_open(self) -> None:
        if self._cursor_key is not None:
            self.post_message(self.Opened(self, self._cursor_key))

    def on_key(self, event: events.Key) -> None:
        # Keys already on their way when Enter opens a conversation still arrive
        # here (the Enter binding runs after they were handed to the list): letters
        # among them are the start of the message, kept for the message box.
        if event.key == "enter" and self._cursor_key is not None:
            self._opening = True
        elif self._opening and event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            self._typed += event.character

    def end_typing_ahead(self) -> None:
        """Enter opened nothing: letters are list keys again (j, k...)."""
        self._opening = False
        self._typed = ""

    def take_typed_ahead(self) -> str:
        """What was typed between Enter and now (the app puts it in the message box)."""
        typed, self._typed = self._typed, ""
        return typed

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = (offset.y + self.scroll_offset.y) // ROW_HEIGHT
        if 0 <= index < len(self._inbox):
            self._move_to(index)
            self.post_message(self.Opened(self, self._cursor_key))  # type: ignore[arg-type]

    def _row_visible(self, index: int) -> bool:
        top = self.scroll_offset.y
        y = index * ROW_HEIGHT
        return top <= y < top + max(ROW_HEIGHT, self.scrollable_content_region.height)

    def _scroll_to_cursor(self) -> None:
        if not self._inbox or not self.is_mounted:
            return
        self.scroll_to_region(
            Region(0, self._cursor_index * ROW_HEIGHT, 1, ROW_HEIGHT),
            animate=False,
            force=True,
            x_axis=False,
            immediate=True,
        )

    def _refresh_row(self, index: int) -> None:
        self.refresh_lines(index * ROW_HEIGHT, ROW_HEIGHT)

    # --- keeping the cache honest --------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._style_cache.clear()
        self._lines.clear()

    def on_resize(self, event: events.Resize) -> None:
        self._lines.clear()
        self._scroll_to_cursor()

    def on_focus(self, event: events.Focus) -> None:
        self._refresh_row(self._cursor_index)

    def on_blur(self, event: events.Blur) -> None:
        self._opening = False
        if self._typed:  # letters that came after the app took the first ones
            self.post_message(self.TypedAhead(self, self.take_typed_ahead()))
        self._refresh_row(self._cursor_index)

    def on_mount(self) -> None:
        # "14:05" becomes "Mon" at midnight: repaint now and then (cheap: cached rows).
        self.set_interval(60, self.refresh)

    # --- rendering -----------------------------------------------------------------
    #
    # A row is built as (text, style) pieces and turned into segments directly: no
    # rich Text per line, and the component styles are looked up once per theme and
    # focus state (_row_styles), not per line. The first frame draws some forty lines
    # of this list; each lookup of a widget's rich_style walks the DOM, and per line
    # they were most of the list's share of that frame (bench/startup.py).

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row = self.scroll_offset.y + y
        index, line = divmod(row, ROW_HEIGHT)
        if not self._inbox:
            return self._render_empty(y, width)
        if index >= len(self._inbox):
            return Strip.blank(width, self._row_styles(False).base)
        thread = self._inbox.at(index)
        selected = index == self._cursor_index
        now = now_ms()
        typing = self._typing.get(thread.key, "") if line else ""
        cache_key = (thread.key, line, width, selected, self.has_focus, local_day(now), typing)
        cached = self._lines.get(cache_key)
        # The thread object is part of the check: a changed thread (title, preview,
        # unread, vanish setting...) is a new frozen object, so it misses by itself.
        if cached is not None and cached[0] is thread:
            return cached[1]
        styles = self._row_styles(selected)
        pieces = self._row_pieces(thread, line, width, styles, now, typing)
        segments = [Segment(text, style) for text, style in pieces if text]
        strip = Strip(segments).crop_extend(0, width, styles.base)
        self._lines[cache_key] = (thread, strip)
        return strip

    def _render_empty(self, y: int, width: int) -> Strip:
        if y != 1:
            return Strip.blank(width, self._row_styles(False).base)
        style = self.get_visual_style("thread-list--empty").rich_style
        text = Text(" " + truncate_cells(self.empty_text, max(0, width - 1)), style=style)
        # Text.render leaves the Text's own style off its segments: lay it under them
        # (an unstyled segment also breaks Textual's NO_COLOR filter).
        segments = Segment.apply_style(text.render(self.app.console), style=style)
        return Strip(list(segments)).crop_extend(0, width, style)

    def _row_styles(self, selected: bool) -> _RowStyles:
        """The finished styles of a row's pieces (widget base style included)."""
        cache_key = (selected, self.has_focus)
        styles = self._style_cache.get(cache_key)
        if styles is None:
            styles = self._style_cache[cache_key] = self._compute_row_styles(selected)
        return styles

    def _compute_row_styles(self, selected: bool) -> _RowStyles:
        bold, italic = Style(bold=True), Style(italic=True)
        if selected:
            cursor = self.get_visual_style("thread-list--cursor").rich_style
            unread = cursor + self.get_visual_style("thread-list--unread").rich_style
            if cursor.reverse and unread.reverse:
                # A reversed badge on a reversed row (the NO_COLOR look) would melt
                # into it: drawn the other way round, it still stands out.
                unread += Style(reverse=False)
            return _RowStyles(
                base=cursor,
                title=cursor,
                title_unread=cursor + bold,
                invite=cursor + bold,
                time=cursor,
                preview=cursor,
                preview_empty=cursor + italic,
                marker=cursor,
                unread=unread,
                mention=cursor + bold,
                typing=cursor + italic,
            )
        base = self.rich_style
        title = base + self.get_visual_style("thread-list--title").rich_style
        preview = base + self.get_visual_style("thread-list--preview").rich_style
        time_style = base + self.get_visual_style("thread-list--time").rich_style
        return _RowStyles(
            base=base,
            title=title,
            title_unread=title + bold,
            invite=base + self.get_visual_style("thread-list--invite").rich_style,
            time=time_style,
            preview=preview,
            preview_empty=preview + italic,
            marker=time_style,
            unread=base + self.get_visual_style("thread-list--unread").rich_style,
            mention=base + self.get_visual_style("thread-list--mention").rich_style,
            typing=base + self.get_visual_style("thread-list--typing").rich_style,
        )

    def _badge(self, thread: Thread) -> tuple[str, Style]:
        badge = self._badges.get(thread.account_id)
        if badge is None:
            badge = self._badges[thread.account_id] = self._make_badge(thread.account_id)
        return badge

    def _make_badge(self, account_id: str) -> tuple[str, Style]:
        account = self._accounts.get(account_id)
        label = account.label if account is not None else account_id
        label = truncate_cells(safe_text(label, single_line=True, max_len=32), _LABEL_MAX)
        style = Style(reverse=True, bold=True)
        if account is not None:
            foreground = _contrast_text(account.color)
            if foreground is not None:
                style = Style(color=foreground, bgcolor=account.color, bold=True)
        return f" {label} ", style

    def _row_pieces(
        self, thread: Thread, line: int, width: int, styles: _RowStyles, now: int, typing: str = ""
    ) -> list[tuple[str, Style]]:
        """One line of a thread's row as (text, style) pieces, at most ``width`` cells
        (the caller pads the rest)."""
        badge, badge_style = self._badge(thread)
        badge_width = cell_len(badge)
        if badge_width + 4 > width:  # too narrow for the badge: a one-cell color mark
            badge, badge_width = badge.strip()[:1] or " ", 1
        if line == 0:
            time_label = short_time(thread.activity_ts, now) if thread.activity_ts else ""
            time_width = cell_len(time_label)
            room = width - badge_width - 1
            if time_label and room - time_width - 1 < _MIN_TITLE:
                time_label, time_width = "", 0  # no room: the title matters more
            title_room = room - (time_width + 1 if time_label else 0)
            # Vanish mode on: a glyph (meaning kept without color) before the time.
            marker = VANISH_MARKERS.get(thread.vanish.mode, "")
            if marker and title_room - _MARKER_WIDTH - 1 < _MIN_TITLE:
                marker = ""  # no room: the title matters more
            if marker:
                title_room -= _MARKER_WIDTH + 1
            # An invitation we have not answered: say so before the name.
            tag = _INVITE_TAG if thread.membership == "invite" and title_room > 12 else ""
            title_room -= cell_len(tag)
            me = self._me(thread.account_id)
            title = safe_text(thread.display_title(me), single_line=True, max_len=200)
            title = truncate_cells(title, max(0, title_room))
            pieces = [(badge, badge_style), (" ", styles.base)]
            if tag:
                pieces.append((tag, styles.invite))
            title_style = styles.title_unread if thread.unread else styles.title
            pieces.append((title, title_style))
            used = badge_width + 1 + cell_len(tag) + cell_len(title)
            right = (time_width + 1 if time_label else 0) + (_MARKER_WIDTH + 1 if marker else 0)
            if right:
                pieces.append((" " * max(1, width - used - right + 1), styles.base))
            if marker:
                pieces.append((marker, styles.marker))
                if time_label:
                    pieces.append((" ", styles.base))
            if time_label:
                pieces.append((time_label, styles.time))
            return pieces

        # Line 2: the preview (or who is typing), under the title, with the unread
        # mentions and the unread badge on the right.
        pieces = [(" " * (badge_width + 1), styles.base)]
        unread = ""
        if thread.unread:
            unread = f" {thread.unread if thread.unread < 1000 else '999+'} "
        mentions = ""
        if thread.mentions and thread.membership != "invite":
            mentions = f"@{thread.mentions if thread.mentions < 100 else '99+'}"
        # What stands on the right: the badges and a space before each.
        right = sum(cell_len(badge) + 1 for badge in (mentions, unread) if badge)
        room = width - badge_width - 1 - right
        last = thread.last_message
        if typing:
            preview, preview_style = typing, styles.typing
        else:
            preview = self._preview(thread)
            quiet = last is None or (last.deleted and thread.membership != "invite")
            preview_style = styles.preview_empty if quiet else styles.preview
        preview = truncate_cells(preview, max(0, room))
        pieces.append((preview, preview_style))
        if right:
            gap = width - badge_width - 1 - cell_len(preview) - right + 1
            pieces.append((" " * max(1, gap), styles.base))
        if mentions:
            pieces.append((mentions, styles.mention))
            if unread:
                pieces.append((" ", styles.base))
        if unread:
            pieces.append((unread, styles.unread))
        return pieces

    def _preview(self, thread: Thread) -> str:
        if thread.membership == "invite":
            inviter = safe_text(thread.inviter or "someone", single_line=True, max_len=64)
            return f"{inviter} invited you"
        message = thread.last_message
        if message is None:
            return "No messages yet"
        me = self._me(thread.account_id)
        if message.kind == "setting":
            # A sentence that names who already: "you turned on vanish mode". Built
            # from the structured change, as the message view does, not the body.
            who = "you" if message.sender == me else (message.sender_name or message.sender)
            who = safe_text(who, single_line=True, max_len=64)
            return safe_text(describe_change(who, message.change), single_line=True)
        body = safe_text(message.body, single_line=True, max_len=_PREVIEW_MAX)
        if message.deleted:
            body = DELETED_WORDS
        if message.sender == me:
            # Still in the outbox: the list says so, as the message view does.
            if message.failed is not None:
                return f"✖ not sent: {body}"
            if message.pending:
                return f"◷ sending: {body}"
            return f"you: {body}"
        if len(thread.members) > 2:
            sender = message.sender_name or message.sender
            return f"{safe_text(sender, single_line=True, max_len=64)}: {body}"
        return body
