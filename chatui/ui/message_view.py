"""One thread's messages as a Line-API view that stays fast at 100,000 messages.

A message becomes a *block* of lines (day separator, sender header, reply quote,
wrapped body, pending mark). Blocks are rendered only when they come near the
viewport and are cached per message in an LRU; the view never lays out the whole
thread up front.

How the height of an unmeasured thread is known: every message starts with an
estimated height; blocks near the viewport are measured exactly ("settling"), and
the scroll position is corrected so that what the user is looking at does not
move. A prefix sum over the heights (rebuilt with C-speed ``accumulate``) maps a
screen line to its message by bisection. Opening a thread of 100,000 messages
therefore costs one list copy, one prefix sum and the wrapping of one screenful.

Stickiness: when the user is at the bottom, new messages keep the view at the
bottom; when the user has scrolled up, the first visible message stays put,
whether messages arrive below or older history is prepended above.

All message text goes through :func:`chatui.core.sanitize.safe_text` and into Rich
``Text`` objects, never markup.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from typing import ClassVar, NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from chatui.core.models import Message as ChatMessage
from chatui.core.models import ThreadKey
from chatui.core.sanitize import safe_text, truncate_cells, wrap_cells
from chatui.core.timefmt import clock, day_label, local_day

ESTIMATED_HEIGHT = 2  # an unmeasured message: header-or-spacer + one body line
GROUP_GAP_MS = 5 * 60 * 1000  # a new sender header after this much silence
BODY_MAX_CHARS = 20_000  # a hostile megabyte body is shown up to here, then "…"
BODY_MAX_LINES = 500  # and never taller than this
_GUTTER = 2  # body indentation; mine carry an accent bar in it
_MINE_BAR = "▎ "
_PENDING = "◷ sending…"


class _Block(NamedTuple):
    """The rendered lines of one message and everything they were rendered from."""

    message: ChatMessage
    target: ChatMessage | None  # the replied-to message, if loaded
    width: int
    header: bool
    day: int | None  # the day separator's date ordinal, if one is shown
    today: int
    strips: list[Strip]


class MessageView(ScrollView, can_focus=True):
    """Shows one thread; call :meth:`show` to open one, :meth:`update_messages` after."""

    DEFAULT_CSS = """
    MessageView {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
        & > .message-view--sender { color: $text-secondary; text-style: bold; }
        & > .message-view--sender-mine { color: $text-accent; text-style: bold; }
        & > .message-view--time { color: $text-muted; }
        & > .message-view--body { color: $foreground; }
        & > .message-view--mine-bar { color: $accent; }
        & > .message-view--reply { color: $text-muted; text-style: italic; }
        & > .message-view--pending { color: $text-muted; text-style: italic; }
        & > .message-view--day { color: $text-muted; }
        & > .message-view--empty { color: $text-muted; text-style: italic; }
    }
    """
    # overflow-y: scroll keeps the width constant: wrapping depends on the width, and
    # a scrollbar that comes and goes with the height would make the layout flicker.

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "message-view--sender",
        "message-view--sender-mine",
        "message-view--time",
        "message-view--body",
        "message-view--mine-bar",
        "message-view--reply",
        "message-view--pending",
        "message-view--day",
        "message-view--empty",
    }

    no_thread_text = "No conversation open"
    empty_text = "No messages yet — say hi"
    loading_text = "Loading…"

    class NearTop(Message):
        """The user scrolled to (near) the oldest loaded message: time to page back."""

        def __init__(self, view: MessageView, key: ThreadKey) -> None:
            super().__init__()
            self.view = view
            self.key = key

        @property
        def control(self) -> MessageView:
            return self.view

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._key: ThreadKey | None = None
        self._me = ""
        self._title = ""
        self._loading = False
        self._messages: list[ChatMessage] = []
        self._heights: list[int] = []
        self._exact = bytearray()
        self._offsets: list[int] = [0]
        self._heights_dirty = False
        self._width = 0  # the width the heights were measured at
        self._blocks: LRUCache[str, _Block] = LRUCache(2048)
        self._by_id: dict[str, ChatMessage] | None = None
        self._at_bottom = True
        self._settling = False
        self._near_top_armed = True
        self._pending_anchor: tuple[int, int] | None = None

    # --- public API ----------------------------------------------------------------

    @property
    def key(self) -> ThreadKey | None:
        return self._key

    @property
    def messages(self) -> Sequence[ChatMessage]:
        return self._messages

    @property
    def at_bottom(self) -> bool:
        """Is the newest message in view (so that new ones keep it there)?"""
        return self._at_bottom

    def show(
        self,
        key: ThreadKey | None,
        messages: Sequence[ChatMessage],
        me: str,
        *,
        title: str = "",
        loading: bool = False,
    ) -> None:
        """Open a thread (or none) at its newest messages.

        ``me`` is the user's name on the thread's account (their messages are
        marked as theirs); ``title`` goes to the border title; ``loading`` shows
        "Loading…" instead of the empty-thread text until messages arrive.
        """
        self._key = key
        self._me = me
        self._loading = loading
        self.title = title
        self._messages = list(messages)
        count = len(self._messages)
        self._heights = [ESTIMATED_HEIGHT] * count
        self._exact = bytearray(count)
        self._offsets = list(accumulate(self._heights, initial=0))
        self._by_id = None
        self._at_bottom = True
        self._near_top_armed = True
        self._pending_anchor = None
        self._settle()
        self.refresh()

    def update_messages(self, messages: Sequence[ChatMessage]) -> None:
        """The open thread's messages changed (appended, replaced, prepended...).

        Only messages that differ from the last call are measured again; the view
        stays at the bottom if it was there, else keeps its first visible message.
        """
        old = self._messages
        new = list(messages)
        self._loading = False
        prefix = _common_prefix(old, new)
        suffix = _common_suffix(old, new, limit=min(len(old), len(new)) - prefix)
        anchor = None if self._at_bottom else self._anchor()

        old_changed_end = len(old) - suffix
        new_changed_end = len(new) - suffix
        middle = new_changed_end - prefix
        self._heights = (
            self._heights[:prefix] + [ESTIMATED_HEIGHT] * middle + self._heights[old_changed_end:]
        )
        self._exact = self._exact[:prefix] + bytearray(middle) + self._exact[old_changed_end:]
        if suffix and new_changed_end < len(new):
            # The first unchanged message after the change may gain or lose its
            # header or day separator: those depend on the message before it.
            self._exact[new_changed_end] = 0
        self._heights_dirty = True

        if anchor is not None:
            index, screen_y = anchor
            if index >= old_changed_end:
                index += len(new) - len(old)
            elif index >= prefix:
                index = prefix
            anchor = (max(0, min(index, len(new) - 1)), screen_y)

        if self._by_id is not None and prefix == len(old):
            for message in new[prefix:]:
                self._by_id[message.message_id] = message
        else:
            self._by_id = None
        if prefix == 0 and suffix == len(old) and len(new) > len(old):
            self._near_top_armed = True  # older history arrived: may ask for more

        self._messages = new
        self._settle(anchor)
        self.refresh()

    @property
    def title(self) -> str:
        return self._title

    @title.setter
    def title(self, value: str) -> None:
        self._title = value
        self.border_title = Text(safe_text(value, single_line=True, max_len=200)) if value else None

    def scroll_to_latest(self) -> None:
        """Jump to the newest message and stick there (e.g. after the user sends)."""
        self._at_bottom = True
        self._settle()

    # --- layout: heights, anchors, settling ---------------------------------------

    def _viewport(self) -> tuple[int, int]:
        region = self.scrollable_content_region
        return region.width, region.height

    def _index_at(self, y: int) -> int:
        """The message whose block covers virtual line ``y`` (clamped)."""
        index = bisect_right(self._offsets, y) - 1
        return max(0, min(index, len(self._messages) - 1))

    def _anchor(self) -> tuple[int, int] | None:
        """(message index, its top relative to the viewport) to keep in place.

        The first message in view that was already measured: when scrolling up into
        estimated territory, the known content stays still and the newly measured
        content grows upwards out of sight.
        """
        if not self._messages:
            return None
        top = round(self.scroll_y)
        _, height = self._viewport()
        first = self._index_at(top)
        last = self._index_at(top + max(1, height) - 1)
        anchor = first
        for index in range(first, last + 1):
            if self._exact[index]:
                anchor = index
                break
        return anchor, self._offsets[anchor] - top

    def _measure(self, index: int) -> int:
        height = len(self._block(index).strips)
        if self._heights[index] != height:
            self._heights[index] = height
            self._heights_dirty = True
        self._exact[index] = 1
        return height

    def _settle(self, anchor: tuple[int, int] | None = None) -> None:
        """Measure what is (nearly) in view, then restore the anchor or the bottom."""
        width, height = self._viewport()
        if width <= 0 or height <= 0 or not self.is_mounted:
            if anchor is not None:
                self._pending_anchor = anchor
            self._rebuild_offsets()  # keep render_line consistent until then
            return  # not laid out yet: on_resize settles
        if self._settling:
            return
        self._settling = True
        try:
            if width != self._width:
                if anchor is None and not self._at_bottom:
                    anchor = self._anchor()
                self._width = width
                self._heights = [ESTIMATED_HEIGHT] * len(self._messages)
                self._exact = bytearray(len(self._messages))
                self._blocks.clear()
                self._heights_dirty = True
            if anchor is None and self._pending_anchor is not None:
                anchor = self._pending_anchor
            self._pending_anchor = None
            count = len(self._messages)
            if count == 0:
                anchor = None
            elif self._at_bottom or anchor is None:
                index, covered = count - 1, 0
                while index >= 0 and covered < 2 * height:
                    covered += self._measure(index)
                    index -= 1
            else:
                anchor_index, screen_y = anchor
                anchor_index = max(0, min(anchor_index, count - 1))
                anchor = (anchor_index, screen_y)
                index, covered = anchor_index, screen_y
                while index < count and covered < 2 * height:
                    covered += self._measure(index)
                    index += 1
                index, above = anchor_index - 1, 0
                while index >= 0 and above < screen_y + height:
                    above += self._measure(index)
                    index -= 1
            self._rebuild_offsets()
            self.virtual_size = Size(0, self._offsets[-1])
            if count and not self._at_bottom and anchor is not None:
                anchor_index, screen_y = anchor
                target_y = self._offsets[anchor_index] - screen_y
            else:
                target_y = max(0, self._offsets[-1] - height)
            self.scroll_to(y=max(0, target_y), animate=False, force=True)
        finally:
            self._settling = False

    def _rebuild_offsets(self) -> None:
        if self._heights_dirty or len(self._offsets) != len(self._heights) + 1:
            self._offsets = list(accumulate(self._heights, initial=0))
            self._heights_dirty = False

    def _viewport_measured(self) -> bool:
        if not self._messages:
            return True
        _, height = self._viewport()
        top = round(self.scroll_y)
        first = self._index_at(top)
        last = self._index_at(top + max(1, height) - 1)
        return 0 not in self._exact[first : last + 1]

    # --- events --------------------------------------------------------------------

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._settling:
            return
        self._at_bottom = round(new_value) >= self.max_scroll_y
        if not self._viewport_measured():
            self._settle(self._anchor())
        _, height = self._viewport()
        if round(new_value) > height:
            self._near_top_armed = True
        elif new_value < old_value:
            self._post_near_top()

    def _post_near_top(self) -> None:
        if self._near_top_armed and self._key is not None and self._messages:
            self._near_top_armed = False
            self.post_message(self.NearTop(self, self._key))

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        if round(self.scroll_y) == 0:
            self._post_near_top()

    # Keyboard scrolling is not animated here: an animation gliding through
    # unmeasured messages would be stopped by the first settle on its way.

    def action_scroll_up(self) -> None:
        self.scroll_to(y=self.scroll_y - 1, animate=False)
        if round(self.scroll_y) == 0:
            self._post_near_top()

    def action_scroll_down(self) -> None:
        self.scroll_to(y=self.scroll_y + 1, animate=False)

    def action_page_up(self) -> None:
        _, height = self._viewport()
        self.scroll_to(y=self.scroll_y - max(1, height - 1), animate=False)
        if round(self.scroll_y) == 0:
            self._post_near_top()

    def action_page_down(self) -> None:
        _, height = self._viewport()
        self.scroll_to(y=self.scroll_y + max(1, height - 1), animate=False)

    def action_scroll_home(self) -> None:
        self._at_bottom = False
        self.scroll_to(y=0, animate=False)
        self._post_near_top()

    def action_scroll_end(self) -> None:
        self.scroll_to_latest()

    def on_resize(self, event: events.Resize) -> None:
        self._settle()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._blocks.clear()  # colors changed; heights did not

    def render_lines(self, crop: Region) -> list[Strip]:
        # Last line of defence: a jump (scrollbar drag) may land in unmeasured
        # territory between events; measure before painting so heights are exact.
        if not self._settling and not self._viewport_measured():
            self._settle(self._anchor())
        return super().render_lines(crop)

    # --- rendering -----------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if not self._messages:
            return self._render_empty(y, width, base)
        # A short thread sits at the bottom, next to the composer, like chat apps do.
        _, height = self._viewport()
        line = round(self.scroll_y) + y - max(0, height - self._offsets[-1])
        if not 0 <= line < self._offsets[-1]:
            return Strip.blank(width, base)
        index = self._index_at(line)
        block = self._block(index)
        offset = line - self._offsets[index]
        if 0 <= offset < len(block.strips):
            return block.strips[offset]
        return Strip.blank(width, base)

    def _render_empty(self, y: int, width: int, base: Style) -> Strip:
        _, height = self._viewport()
        if y != max(0, height // 2 - 1):
            return Strip.blank(width, base)
        if self._key is None:
            message = self.no_thread_text
        elif self._loading:
            message = self.loading_text
        else:
            message = self.empty_text
        message = truncate_cells(message, width)
        style = self.get_visual_style("message-view--empty").rich_style
        pad = max(0, (width - cell_len(message)) // 2)
        text = Text(" " * pad, style=base, end="")
        text.append(message, style)
        return self._strip(text, width, base)

    def _strip(self, text: Text, width: int, base: Style) -> Strip:
        return Strip(list(text.render(self.app.console)), text.cell_len).crop_extend(0, width, base)

    def _target(self, message: ChatMessage) -> ChatMessage | None:
        if not message.reply_to:
            return None
        if self._by_id is None:
            self._by_id = {m.message_id: m for m in self._messages}
        return self._by_id.get(message.reply_to)

    def _block(self, index: int) -> _Block:
        message = self._messages[index]
        previous = self._messages[index - 1] if index else None
        day = local_day(message.ts)
        show_day = previous is None or local_day(previous.ts) != day
        header = (
            show_day
            or previous is None
            or previous.sender != message.sender
            or message.ts - previous.ts > GROUP_GAP_MS
        )
        target = self._target(message)
        width = self._width or self.scrollable_content_region.width
        now = int(time.time() * 1000)
        today = local_day(now)
        cached = self._blocks.get(message.message_id)
        if (
            cached is not None
            and cached.message is message
            and cached.target is target
            and cached.width == width
            and cached.header == header
            and cached.day == (day if show_day else None)
            and cached.today == today
        ):
            return cached
        strips = self._render_block(message, target, width, header, day if show_day else None, now)
        block = _Block(message, target, width, header, day if show_day else None, today, strips)
        self._blocks[message.message_id] = block
        return block

    def _render_block(
        self,
        message: ChatMessage,
        target: ChatMessage | None,
        width: int,
        header: bool,
        day: int | None,
        now: int,
    ) -> list[Strip]:
        base = self.rich_style
        style = self.get_visual_style
        mine = message.sender == self._me
        lines: list[Text] = []

        if day is not None:
            label = f" {day_label(day, now)} "
            label = truncate_cells(label, width)
            side = max(0, width - cell_len(label))
            rule = "─" * (side // 2) + label + "─" * (side - side // 2)
            lines.append(Text(rule, style=style("message-view--day").rich_style, end=""))
        elif header:
            lines.append(Text("", end=""))  # breathing room between senders

        if header:
            name = "you" if mine else safe_text(message.sender, single_line=True, max_len=64)
            stamp = clock(message.ts)
            room = width - cell_len(stamp) - 2
            if room < 3:
                stamp, room = "", width
            name = truncate_cells(name, room)
            text = Text(style=base, end="")
            sender_class = "message-view--sender-mine" if mine else "message-view--sender"
            text.append(name, style(sender_class).rich_style)
            if stamp:
                text.append("  ")
                text.append(stamp, style("message-view--time").rich_style)
            lines.append(text)

        gutter = _MINE_BAR if mine and width > _GUTTER + 2 else " " * _GUTTER
        if width <= _GUTTER + 2:
            gutter = ""
        gutter_style = style("message-view--mine-bar").rich_style if mine else base
        body_width = max(1, width - len(gutter))

        if message.reply_to:
            if target is not None:
                who = "you" if target.sender == self._me else target.sender
                who = safe_text(who, single_line=True, max_len=64)
                quoted = safe_text(target.body, single_line=True, max_len=300)
                quote = f"↳ {who}: {quoted}"
            else:
                quote = "↳ reply"
            text = Text(gutter, style=gutter_style, end="")
            text.append(truncate_cells(quote, body_width), style("message-view--reply").rich_style)
            lines.append(text)

        body = safe_text(message.body, max_len=BODY_MAX_CHARS)
        if "\t" in body:
            body = body.expandtabs(4)
        wrapped = wrap_cells(body, body_width, max_lines=BODY_MAX_LINES + 1)
        if len(wrapped) > BODY_MAX_LINES:
            wrapped = [*wrapped[:BODY_MAX_LINES], "… (message too long to show in full)"]
        body_style = style("message-view--body").rich_style
        if message.pending:
            body_style = style("message-view--pending").rich_style
        for piece in wrapped:
            text = Text(gutter, style=gutter_style, end="")
            text.append(piece, body_style)
            lines.append(text)

        if message.pending:
            mark = _PENDING
            if message.failed is not None:
                # The reason may come from the server: untrusted, one safe line.
                reason = safe_text(message.failed, single_line=True, max_len=200)
                mark = f"failed: {reason}"
            text = Text(gutter, style=gutter_style, end="")
            text.append(truncate_cells(mark, body_width), style("message-view--pending").rich_style)
            lines.append(text)

        return [self._strip(text, width, base) for text in lines]


def _common_prefix(old: list[ChatMessage], new: list[ChatMessage]) -> int:
    """How many leading messages are unchanged (C-speed slice compares, bisected)."""
    limit = min(len(old), len(new))
    if old[:limit] == new[:limit]:
        return limit
    low, high = 0, limit  # old[:low] == new[:low] holds; old[:high] != new[:high]
    while high - low > 1:
        middle = (low + high) // 2
        if old[low:middle] == new[low:middle]:
            low = middle
        else:
            high = middle
    return low


def _common_suffix(old: list[ChatMessage], new: list[ChatMessage], limit: int) -> int:
    """How many trailing messages are unchanged, at most ``limit``."""
    if limit <= 0:
        return 0
    if old[len(old) - limit :] == new[len(new) - limit :]:
        return limit
    low, high = 0, limit
    while high - low > 1:
        middle = (low + high) // 2
        if old[len(old) - middle : len(old) - low] == new[len(new) - middle : len(new) - low]:
            low = middle
        else:
            high = middle
    return low
