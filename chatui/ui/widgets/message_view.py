"""One thread's messages as a Line-API view that stays fast at 100,000 messages.

A message becomes a *block* of lines (day separator, sender header, reply quote,
wrapped body, pending mark). Blocks are rendered only when they come near the
viewport and are cached per message in an LRU; the view never lays out the whole
thread up front. What a block holds is drawn by :mod:`chatui.ui.widgets.message_blocks`;
this module is the widget: state, measuring, scrolling, selection, timers, and
the messages it posts.

How the height of an unmeasured thread is known: every message starts with an
estimated height; blocks near the viewport are measured exactly ("settling"), and
the scroll position is corrected so that what the user is looking at does not
move. A prefix sum over the heights (rebuilt with C-speed ``accumulate``) maps a
screen line to its message by bisection. Opening a thread of 100,000 messages
therefore costs one list copy, one prefix sum and the wrapping of one screenful.

Stickiness: when the user is at the bottom, new messages keep the view at the
bottom; when the user has scrolled up, the first visible message stays put,
whether messages arrive below or older history is prepended above, and others'
messages arriving below are counted on the view's bottom row ("↓ 2 new messages
below"), until the user is at the bottom again.

Unread: the app names the first unread message of a thread it has just opened
(:meth:`MessageView.mark_first_unread`); a "── new messages ──" rule is drawn
above it, part of that message's block, and the view opens at the rule instead of
the bottom when what follows it does not fit on one screen.

What changes while a message does not is never in the cached block, so the cache
stays valid: a vanish countdown ("⏳ 4m 59s") is laid over its line at paint time
(:mod:`chatui.ui.widgets.message_paint`), and once a second only the lines holding visible
countdowns are repainted (one interval timer, running only while such a line is in
view); the selection highlight and a chat theme's bubble gradient (which follows
the screen position, as in Messenger) are laid on the same way. The app is told
what is on screen (:class:`MessageView.Shown`) after every change of it, because
that is what starts a recipient's vanish timer (docs/vanish.md).
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from chatui.core.clock import now_ms
from chatui.core.links import Link, find_links
from chatui.core.models import VANISH_OFF, ThreadKey, VanishSetting
from chatui.core.models import Message as ChatMessage
from chatui.core.sanitize import safe_text
from chatui.core.timefmt import local_day
from chatui.ui.controllers.unread import counts_as_unread
from chatui.ui.widgets.message_blocks import (
    DEFAULT_FAILED_HINT,
    NO_QUOTE,
    Block,
    Look,
    Quoted,
    placement,
    render_block,
    render_notice,
    shown_body,
)
from chatui.ui.widgets.message_paint import (
    centered_line,
    news_line,
    paint_badge,
    paint_bubble,
    paint_selected,
)

if TYPE_CHECKING:
    from chatui.ui.chat_style import ChatStyles

log = logging.getLogger(__name__)

ESTIMATED_HEIGHT = 2  # an unmeasured message: header-or-spacer + one body line
_UNKNOWN = Quoted("unknown")
_ARMING_TICKS = 2  # after a Shown report, how long to look for newly armed timers


class MessageView(ScrollView, can_focus=True):
    """Shows one thread; call :meth:`show` to open one, :meth:`update_messages` after.

    Set by the app as the open thread changes: :attr:`vanish` (the thread's
    setting), :attr:`deadline_of` (``session.expires_at`` bound to the thread),
    :attr:`chat_styles` (the thread's chat theme). Posted: :class:`NearTop`,
    :class:`Shown` (forward to ``session.messages_seen``), :class:`Selected`.
    """

    DEFAULT_CSS = """
    MessageView {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
        &.-vanish { background: $surface-darken-2; }
        & > .message-view--sender { color: $text-secondary; text-style: bold; }
        & > .message-view--sender-mine { color: $text-accent; text-style: bold; }
        & > .message-view--time { color: $text-muted; }
        & > .message-view--body { color: $foreground; }
        & > .message-view--mine-bar { color: $accent; }
        & > .message-view--mention { color: $text-warning; text-style: bold; }
        & > .message-view--link { color: $text-accent; text-style: underline; }
        & > .message-view--deleted { color: $text-muted; text-style: italic; }
        & > .message-view--edited { color: $text-muted; }
        & > .message-view--seen { color: $text-muted; }
        & > .message-view--reply { color: $text-muted; text-style: italic; }
        & > .message-view--pending { color: $text-muted; text-style: italic; }
        & > .message-view--day { color: $text-muted; }
        & > .message-view--empty { color: $text-muted; text-style: italic; }
        & > .message-view--notice { color: $text-muted; text-style: italic; }
        & > .message-view--badge { color: $text-warning; }
        & > .message-view--reaction { color: $foreground; background: $boost; }
        & > .message-view--reaction-mine {
            color: $text-accent;
            background: $boost;
            text-style: bold reverse;
        }
        & > .message-view--selected { background: $primary 25%; }
        & > .message-view--cursor { color: $accent; text-style: bold; }
        & > .message-view--unread-rule { color: $text-accent; text-style: bold; }
        & > .message-view--new-below {
            color: $foreground;
            background: $accent 35%;
            text-style: bold;
        }
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
        "message-view--mention",
        "message-view--link",
        "message-view--deleted",
        "message-view--edited",
        "message-view--seen",
        "message-view--reply",
        "message-view--pending",
        "message-view--day",
        "message-view--empty",
        "message-view--notice",
        "message-view--badge",
        "message-view--reaction",
        "message-view--reaction-mine",
        "message-view--selected",
        "message-view--cursor",
        "message-view--unread-rule",
        "message-view--new-below",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "select_previous", "Previous message", show=False),
        Binding("down,j", "select_next", "Next message", show=False),
        Binding("home", "select_first", "Oldest message", show=False),
        Binding("end", "select_last", "Newest message", show=False),
    ]

    no_thread_text = ""
    """Nothing: the header above says no conversation is open, once."""
    empty_text = "No messages yet — say hi"
    loading_text = "Loading…"

    class _FromView(Message):
        """A message from the view; ``control`` is the view (what @on selectors match)."""

        def __init__(self, view: MessageView) -> None:
            super().__init__()
            self.view = view

        @property
        def control(self) -> MessageView:
            return self.view

    class NearTop(_FromView):
        """The user scrolled to (near) the oldest loaded message: time to page back."""

        def __init__(self, view: MessageView, key: ThreadKey) -> None:
            super().__init__(view)
            self.key = key

    class Shown(_FromView):
        """These messages are (at least partly) drawn on screen now.

        Posted after a refresh that changed which messages are in view (open,
        update, scroll, resize), at most once per refresh. Only messages the
        server has (not pending, failed or setting notices). The app forwards
        it to ``session.messages_seen(key, message_ids)``.
        """

        def __init__(self, view: MessageView, key: ThreadKey, message_ids: tuple[str, ...]) -> None:
            super().__init__(view)
            self.key = key
            self.message_ids = message_ids

    class Selected(_FromView):
        """The highlighted message changed (None: no message is selected)."""

        def __init__(self, view: MessageView, message: ChatMessage | None) -> None:
            super().__init__(view)
            self.message = message

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
        self._blocks: LRUCache[str, Block] = LRUCache(2048)
        self._by_id: dict[str, ChatMessage] | None = None
        self._at_bottom = True
        self._settling = False
        self._near_top_armed = True
        self._pending_anchor: tuple[int, int] | None = None
        self._gone: set[str] = set()  # ids erased while shown: replies say so
        # What replies answer when the view has not loaded it, as quote_of said
        # (asked once per reply after each change of the messages).
        self._quotes: dict[str, Quoted] = {}
        self._seen: str | None = None  # "seen" goes under this message
        self._vanish: VanishSetting = VANISH_OFF
        self._chat_styles: ChatStyles | None = None
        self._shortcodes = False
        self._failed_hint = DEFAULT_FAILED_HINT
        self._selected: str | None = None
        self._shown_queued = False
        self._last_shown: tuple[ThreadKey | None, tuple[str, ...]] = (None, ())
        self._ticker: Timer | None = None
        self._ticker_running = False
        self._arming = 0  # ticks left to look for timers that being seen has started
        self._rule: str | None = None  # the first unread message: the rule goes above it
        self._new_below: set[str] = set()  # others' messages that arrived while scrolled up
        self.jump_hint = ""
        """The key that jumps to the newest message while typing (the app sets it to
        the key in force); the bottom row's count names it, or End with the
        conversation focused."""
        self.deadline_of: Callable[[ChatMessage], int | None] = lambda message: None
        """A message's vanish deadline (UTC epoch ms) or None; the app binds it to
        ``session.expires_at``. Called at paint time for messages sent under vanish."""
        self.now_ms: Callable[[], int] = now_ms
        """The clock remaining times are counted against (tests replace it)."""
        self.quote_of: Callable[[ChatMessage], Quoted | None] = lambda message: None
        """What a reply answers when the view has not loaded that message (older
        history, erased, unsent): the app binds it to ``session.quoted``. None:
        not known ("↳ reply")."""

    # --- public API ----------------------------------------------------------------

    @property
    def key(self) -> ThreadKey | None:
        return self._key

    @property
    def me(self) -> str:
        return self._me

    @property
    def messages(self) -> Sequence[ChatMessage]:
        return self._messages

    @property
    def at_bottom(self) -> bool:
        """Is the newest message in view (so that new ones keep it there)?"""
        return self._at_bottom

    @property
    def vanish(self) -> VanishSetting:
        """The open thread's vanish setting: not "off" gives the view its own look."""
        return self._vanish

    @vanish.setter
    def vanish(self, setting: VanishSetting) -> None:
        if setting == self._vanish:
            return
        # The look changes, not the layout: the header states the setting once (a
        # banner here said it a second time; issue 12, item 15).
        self._vanish = setting
        self.set_class(setting.mode != "off", "-vanish")
        self._apply_background()
        self.refresh()

    @property
    def chat_styles(self) -> ChatStyles | None:
        """The thread's chat theme as Rich styles (chatui.ui.chat_style.ChatStyles)."""
        return self._chat_styles

    @chat_styles.setter
    def chat_styles(self, styles: ChatStyles | None) -> None:
        if styles is self._chat_styles:
            return
        self._chat_styles = styles
        self._blocks.clear()  # colors changed; heights did not
        self._apply_background()
        self.refresh()

    @property
    def shortcodes(self) -> bool:
        """Show emoji as their ``:shortcode:`` (a setting, for terminals that draw
        emoji badly): bodies, quotes, notices and reaction chips."""
        return self._shortcodes

    @shortcodes.setter
    def shortcodes(self, value: bool) -> None:
        if value == self._shortcodes:
            return
        anchor = None if self._at_bottom else self._anchor()
        self._shortcodes = value
        self._width = 0  # the text changes width: measure everything again
        self._settle(anchor)
        self.refresh()

    @property
    def failed_hint(self) -> str:
        """What a message the server refused says the user can do ("r retry ·
        x discard"), in the keys in force (the user may have rebound them)."""
        return self._failed_hint

    @failed_hint.setter
    def failed_hint(self, value: str) -> None:
        if value == self._failed_hint:
            return
        anchor = None if self._at_bottom else self._anchor()
        self._failed_hint = value
        self._width = 0  # the failed marks change: measure everything again
        self._settle(anchor)
        self.refresh()

    @property
    def selected_message(self) -> ChatMessage | None:
        """The highlighted message (Up/Down/Home/End with the view focused), if any."""
        if self._selected is None:
            return None
        return self._lookup(self._selected)

    @property
    def ticking(self) -> bool:
        """Is the once-a-second timer running (a visible message has a countdown)?"""
        return self._ticker is not None and self._ticker_running

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
        if key != self._key:
            self._gone.clear()
            self._seen = None
            self._last_shown = (None, ())
        self._quotes.clear()
        if me != self._me:
            self._blocks.clear()
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
        # Opened again: the rule goes until the app names a first unread message anew.
        self._rule = None
        self._new_below.clear()
        self._set_selected(None)
        self._settle()
        self.refresh()
        self._queue_shown()

    def update_messages(self, messages: Sequence[ChatMessage]) -> None:
        """The open thread's messages changed (appended, replaced, prepended...).

        Only messages that differ from the last call are measured again; the view
        stays at the bottom if it was there, else keeps its first visible message.
        """
        old = self._messages
        new = list(messages)
        self._loading = False
        self._quotes.clear()  # what is held elsewhere may have changed with them
        prefix = _common_prefix(old, new)
        suffix = _common_suffix(old, new, limit=min(len(old), len(new)) - prefix)
        anchor = None if self._at_bottom else self._anchor()

        old_changed_end = len(old) - suffix
        new_changed_end = len(new) - suffix
        middle = new_changed_end - prefix
        if old_changed_end > prefix:
            # Messages that left the thread while it is open were erased (vanish,
            # redaction): replies to them say so instead of "reply".
            kept = {m.message_id for m in new[prefix:new_changed_end]}
            self._gone.update(
                m.message_id
                for m in old[prefix:old_changed_end]
                if m.message_id not in kept and not m.pending
            )
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
        elif not self._at_bottom and old:
            self._count_news(old, old[prefix:old_changed_end], new[prefix:new_changed_end])

        self._messages = new
        if self._selected is not None and self._lookup(self._selected) is None:
            self._set_selected(None)  # the selected message is gone
        self._settle(anchor)
        self.refresh()
        self._queue_shown()

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
        self._clear_news()

    @property
    def first_unread(self) -> str | None:
        """The message the "new messages" rule is drawn above, if any."""
        return self._rule

    def mark_first_unread(self, message_id: str | None) -> None:
        """Draw the "new messages" rule above ``message_id`` (None: no rule).

        If the view is still where opening put it (at the bottom), it moves to
        the rule: the rule's message at the top, or the bottom stays when
        everything from the rule down fits on one screen. A user who has
        scrolled already is left where they are.
        """
        if message_id == self._rule:
            return
        anchor = None if self._at_bottom else self._anchor()
        for marked in (self._rule, message_id):
            index = self._index_of(marked) if marked is not None else None
            if index is not None:
                self._exact[index] = 0  # one line taller or shorter now
        self._rule = message_id
        index = self._index_of(message_id) if message_id is not None else None
        if index is not None and self._at_bottom:
            # _settle clamps this to the bottom when the rest fits, and then
            # says the view is at the bottom again (new messages follow).
            self._at_bottom = False
            anchor = (index, 0)
        self._settle(anchor)
        self.refresh()
        self._queue_shown()

    @property
    def new_below(self) -> int:
        """How many messages from others arrived below while the user was scrolled
        up (shown on the bottom row until the user is at the bottom again)."""
        if self._at_bottom:
            return 0
        return sum(1 for message_id in self._new_below if self._lookup(message_id) is not None)

    @property
    def seen_id(self) -> str | None:
        """The message "seen" is drawn under, if any (see :meth:`mark_seen`)."""
        return self._seen

    def mark_seen(self, message_id: str | None) -> None:
        """Draw "seen" under ``message_id`` — in a one-to-one conversation, the
        user's last message the other person has read (``session.seen_up_to``) —
        and under no other (None: nowhere)."""
        if message_id == self._seen:
            return
        anchor = None if self._at_bottom else self._anchor()
        for marked in (self._seen, message_id):
            index = self._index_of(marked) if marked is not None else None
            if index is not None:
                self._exact[index] = 0  # one line taller or shorter now
        self._seen = message_id
        self._settle(anchor)
        self.refresh()

    def links_of(self, message: ChatMessage) -> list[Link]:
        """The web links of ``message`` as the view underlines them: the text the
        user sees is exactly the address (chatui.core.links)."""
        if message.deleted or message.kind == "setting":
            return []
        return find_links(shown_body(message, self._shortcodes))

    def refresh_timers(self) -> None:
        """Deadlines may have changed (e.g. after ``messages_seen`` armed some):
        repaint the visible countdowns and start or stop the ticking."""
        self._tick()

    def select(self, message_id: str | None) -> None:
        """Highlight the message ``message_id`` (None: no selection) and show it."""
        if message_id is None:
            self._set_selected(None)
            return
        index = self._index_of(message_id)
        if index is not None:
            self._set_selected(message_id)
            self._scroll_to_index(index)

    # --- news below the view ---------------------------------------------------------

    def _count_news(
        self, old: list[ChatMessage], replaced: list[ChatMessage], added: list[ChatMessage]
    ) -> None:
        """Count the messages from others among ``added`` that are new and below
        what was loaded (not older history, not a message edited in place)."""
        newest = next((m.ts for m in reversed(old) if not m.pending), None)
        known = {m.message_id for m in replaced}
        news = {
            m.message_id
            for m in added
            if m.message_id not in known
            and counts_as_unread(m, self._me)
            and (newest is None or m.ts >= newest)
        }
        if news - self._new_below:
            self._new_below |= news
            self.refresh()

    def _clear_news(self) -> None:
        if self._new_below:
            self._new_below.clear()
            self.refresh()

    def _news_row(self) -> bool:
        """Does the bottom row show the count of new messages below?"""
        return not self._at_bottom and self.new_below > 0

    # --- layout: heights, anchors, settling ---------------------------------------

    def _viewport(self) -> tuple[int, int]:
        """Width and height of the part that shows messages."""
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
            self.scroll_to(y=max(0, target_y), animate=False, force=True, immediate=True)
            if not self._at_bottom and count and round(self.scroll_y) >= self.max_scroll_y:
                # The anchor could not be kept that high: everything below it fits
                # on the screen, so this is the bottom, and new messages follow.
                self._at_bottom = True
                self._clear_news()
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

    def _pad(self) -> int:
        """Blank rows above a short thread (it sits at the bottom, next to the composer)."""
        _, height = self._viewport()
        return max(0, height - self._offsets[-1])

    def _visible(self) -> range:
        """Indices of the messages with at least one line in view."""
        if not self._messages:
            return range(0)
        _, height = self._viewport()
        if height <= 0:
            return range(0)
        if self._news_row():
            height -= 1  # the bottom row is covered by the count of news below
        top = round(self.scroll_y)
        bottom = min(self._offsets[-1], top + height - self._pad())
        if bottom <= top:
            return range(0)
        return range(self._index_at(top), self._index_at(bottom - 1) + 1)

    def _row_of(self, line: int) -> int:
        """The widget row that shows virtual line ``line``."""
        return line - round(self.scroll_y) + self._pad()

    def _lookup(self, message_id: str) -> ChatMessage | None:
        if self._by_id is None:
            self._by_id = {m.message_id: m for m in self._messages}
        return self._by_id.get(message_id)

    def _index_of(self, message_id: str) -> int | None:
        message = self._lookup(message_id)
        if message is None:
            return None
        # Newest first: the selection is nearly always near the bottom.
        for index in range(len(self._messages) - 1, -1, -1):
            if self._messages[index] is message:
                return index
        return None

    def _apply_background(self) -> None:
        """The chat theme's background (it wins over vanish mode's background: the
        theme's text colors were checked against it)."""
        styles = self._chat_styles
        background = styles.background if styles is not None else None
        if background is not None and background.bgcolor is not None:
            behind = Color.from_rich_color(background.bgcolor)
            self.styles.background = behind
            # The scroll bar's track too: a dark strip beside a light theme's view
            # would look like a rendering fault. The thumb stays visible on it.
            self.styles.scrollbar_background = behind
            self.styles.scrollbar_background_hover = behind
            self.styles.scrollbar_background_active = behind
            if background.color is not None:
                self.styles.color = Color.from_rich_color(background.color)
                self.styles.scrollbar_color = behind.blend(self.styles.color, 0.35)
        else:
            for rule in (
                "background",
                "color",
                "scrollbar_background",
                "scrollbar_background_hover",
                "scrollbar_background_active",
                "scrollbar_color",
            ):
                self.styles.clear_rule(rule)

    # --- seen reporting and countdowns ---------------------------------------------

    def _queue_shown(self) -> None:
        """Report what is on screen once the coming refresh has drawn it."""
        if self._shown_queued or not self.is_mounted:
            return
        self._shown_queued = True
        self.call_after_refresh(self._report_shown)

    def _report_shown(self) -> None:
        self._shown_queued = False
        if not self.is_attached or self._key is None:
            return
        ids = tuple(
            message.message_id
            for message in (self._messages[index] for index in self._visible())
            if not message.pending and message.kind != "setting"
        )
        shown = (self._key, ids)
        if ids and shown != self._last_shown:
            self._last_shown = shown
            self.post_message(self.Shown(self, self._key, ids))
            # Being seen may arm timers (the app passes this on to the Session):
            # look again at the next ticks for countdowns that have started.
            if any(self._unarmed(index) for index in self._visible()):
                self._arming = _ARMING_TICKS
        self._update_ticker()

    def _countdowns(self) -> list[int]:
        """Indices of the visible messages whose vanish timer is running."""
        messages = self._messages
        return [
            index
            for index in self._visible()
            if messages[index].vanish.mode != "off" and self._deadline(messages[index]) is not None
        ]

    def _unarmed(self, index: int) -> bool:
        message = self._messages[index]
        if message.vanish.mode != "timer" or message.pending:
            return False
        return self._deadline(message) is None

    def _deadline(self, message: ChatMessage) -> int | None:
        """``deadline_of(message)``, and None if it fails: a timer's trouble must not
        take the screen down with it (the badge then shows the configured time)."""
        try:
            deadline = self.deadline_of(message)
        except Exception:
            log.exception("deadline_of failed")
            return None
        return deadline if isinstance(deadline, int) else None

    def _update_ticker(self, countdowns: list[int] | None = None) -> None:
        if countdowns is None:
            countdowns = self._countdowns()
        wanted = bool(countdowns) or self._arming > 0
        if wanted and not self._ticker_running:
            if self._ticker is None:
                self._ticker = self.set_interval(1.0, self._tick)
            else:
                self._ticker.resume()
            self._ticker_running = True
        elif not wanted and self._ticker is not None and self._ticker_running:
            self._ticker.pause()
            self._ticker_running = False

    def _tick(self) -> None:
        """Once a second: repaint only the lines that hold a visible countdown."""
        if not self.is_attached:
            return
        self._arming = max(0, self._arming - 1)
        countdowns = self._countdowns()
        width = self.size.width
        for index in countdowns:
            block = self._block(index)
            if block.badge is not None:
                row = self._row_of(self._offsets[index] + block.badge[0])
                self.refresh(Region(0, row, width, 1))
        self._update_ticker(countdowns)

    # --- selection -----------------------------------------------------------------

    def _selectable(self, index: int) -> bool:
        message = self._messages[index]
        return not message.pending and message.kind != "setting"

    def _set_selected(self, message_id: str | None) -> None:
        if message_id == self._selected:
            return
        self._selected = message_id
        self.refresh()
        if self.is_mounted:
            self.post_message(self.Selected(self, self.selected_message))

    def _current_index(self) -> int | None:
        """The selected message's index; else the newest selectable one in view."""
        if self._selected is not None:
            index = self._index_of(self._selected)
            if index is not None:
                return index
        for index in reversed(self._visible()):
            if self._selectable(index):
                return index
        return None

    def _move_selection(self, step: int) -> None:
        if not self._messages:
            return
        start = self._current_index()
        if start is None:
            return
        index = start
        if self._selected is not None and self._lookup(self._selected) is not None:
            index += step
            while 0 <= index < len(self._messages) and not self._selectable(index):
                index += step
            if not 0 <= index < len(self._messages):
                self._scroll_to_index(start)
                if step < 0:
                    self._post_near_top()  # at the oldest loaded message: ask for more
                return
        self._set_selected(self._messages[index].message_id)
        self._scroll_to_index(index)

    def _scroll_to_index(self, index: int) -> None:
        """Scroll as little as needed to show message ``index`` whole (or its top)."""
        if not self._exact[index]:
            anchor = None if self._at_bottom else self._anchor()
            self._measure(index)
            self._settle(anchor)
        self._rebuild_offsets()
        _, height = self._viewport()
        top = round(self.scroll_y)
        start, end = self._offsets[index], self._offsets[index + 1]
        if start < top or end - start > height:
            target = start
        elif end > top + height:
            target = end - height
        else:
            return
        self.scroll_to(y=max(0, target), animate=False, immediate=True)

    def action_select_previous(self) -> None:
        self._move_selection(-1)

    def action_select_next(self) -> None:
        self._move_selection(+1)

    def action_select_first(self) -> None:
        first = next((i for i in range(len(self._messages)) if self._selectable(i)), None)
        self.action_scroll_home()
        if first is not None:
            self._set_selected(self._messages[first].message_id)

    def action_select_last(self) -> None:
        count = len(self._messages)
        last = next((i for i in range(count - 1, -1, -1) if self._selectable(i)), None)
        self.scroll_to_latest()
        if last is not None:
            self._set_selected(self._messages[last].message_id)

    # --- events --------------------------------------------------------------------

    def on_mount(self) -> None:
        self._queue_shown()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._queue_shown()
        if self._settling:
            return
        self._at_bottom = round(new_value) >= self.max_scroll_y
        if self._at_bottom:
            self._clear_news()  # the user is there: nothing is below any more
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

    def on_click(self, event: events.Click) -> None:
        """Clicking a message selects it (as Up/Down would); clicking the count of
        new messages below jumps to them."""
        if self._news_row() and event.y == self.scrollable_content_region.height - 1:
            self.scroll_to_latest()
            return
        y = event.y
        if not self._messages or y < 0:
            return
        line = round(self.scroll_y) + y - self._pad()
        if 0 <= line < self._offsets[-1]:
            index = self._index_at(line)
            if self._selectable(index):
                self._set_selected(self._messages[index].message_id)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        if round(self.scroll_y) == 0:
            self._post_near_top()

    # Keyboard scrolling is not animated here: an animation gliding through
    # unmeasured messages would be stopped by the first settle on its way.
    # Every scroll here is ``immediate``: Textual otherwise defers it until after
    # the next refresh, and a frame drawn between a scroll and the settle that
    # measures what it uncovered shows the page unanchored (a jump, and under load
    # PageUp seemed to skip rows).

    def action_scroll_up(self) -> None:
        self.scroll_to(y=self.scroll_y - 1, animate=False, immediate=True)
        if round(self.scroll_y) == 0:
            self._post_near_top()

    def action_scroll_down(self) -> None:
        self.scroll_to(y=self.scroll_y + 1, animate=False, immediate=True)

    def action_page_up(self) -> None:
        _, height = self._viewport()
        self.scroll_to(y=self.scroll_y - max(1, height - 1), animate=False, immediate=True)
        if round(self.scroll_y) == 0:
            self._post_near_top()

    def action_page_down(self) -> None:
        _, height = self._viewport()
        self.scroll_to(y=self.scroll_y + max(1, height - 1), animate=False, immediate=True)

    def action_scroll_home(self) -> None:
        self._at_bottom = False
        self.scroll_to(y=0, animate=False, immediate=True)
        self._post_near_top()

    def action_scroll_end(self) -> None:
        self.scroll_to_latest()

    def on_resize(self, event: events.Resize) -> None:
        # Scrolled up, the first visible message stays put (the terminal grew, a
        # bar came): without an anchor _settle would go to the bottom.
        keep = not self._at_bottom and self._pending_anchor is None and bool(self._messages)
        self._settle(self._anchor() if keep else None)
        self._queue_shown()

    def on_focus(self, event: events.Focus) -> None:
        if self._news_row():
            self.refresh()  # the count of news below names End now

    def on_blur(self, event: events.Blur) -> None:
        if self._news_row():
            self.refresh()

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
        if y == self.scrollable_content_region.height - 1 and self._news_row():
            return self._render_news_row(width, base)
        if not self._messages:
            return self._render_empty(y, width, base)
        # A short thread sits at the bottom, next to the composer, like chat apps do.
        _, height = self._viewport()
        line = round(self.scroll_y) + y - self._pad()
        if not 0 <= line < self._offsets[-1]:
            return Strip.blank(width, base)
        index = self._index_at(line)
        block = self._block(index)
        offset = line - self._offsets[index]
        if not 0 <= offset < len(block.strips):
            return Strip.blank(width, base)
        strip = block.strips[offset]
        # What changes without the message changing is laid over the cached line.
        if block.badge is not None and block.badge[0] == offset:
            strip = self._paint_badge(block.message, strip, block.badge[1], width)
        if self._selected is not None and block.message.message_id == self._selected:
            strip = paint_selected(strip, width, offset >= block.indented, self._part_style)
        styles = self._chat_styles
        if block.bubble is not None and styles is not None:
            first, end, x0, x1 = block.bubble
            if first <= offset < end:
                mine = block.message.sender == self._me
                strip = paint_bubble(
                    strip, x0, x1, width, styles=styles, mine=mine, y=y, height=height
                )
        return strip

    def _paint_badge(self, message: ChatMessage, strip: Strip, x: int, width: int) -> Strip:
        """Put the remaining time in the badge slot (never cached: it changes)."""
        deadline = self._deadline(message)
        if deadline is None or x >= width:
            return strip
        remaining = max(0, deadline - self.now_ms()) / 1000
        base = self.rich_style
        return paint_badge(strip, x, width, remaining, self._look().badge(), base, self.app.console)

    def _part_style(self, part: str) -> Style:
        """The style of the component class ``message-view--{part}``."""
        return self.get_visual_style(f"message-view--{part}").rich_style

    def _look(self) -> Look:
        """What blocks are drawn with, as things stand now."""
        return Look(
            self.rich_style,
            self._part_style,
            self._chat_styles,
            self.app.console,
            self._me,
            self._shortcodes,
            self._failed_hint,
        )

    def _render_news_row(self, width: int, base: Style) -> Strip:
        """The bottom row while scrolled up: how many messages came below, and the
        key that jumps there (End with the conversation focused)."""
        count = self.new_below
        words = f"↓ {count} new {'message' if count == 1 else 'messages'} below"
        key = "end" if self.has_focus else self.jump_hint
        if key:
            words += f" · {key}"
        style = self._part_style("new-below")
        if self._chat_styles is not None:
            style = base + self._chat_styles.accent + Style(bold=True, reverse=True)
        return news_line(words, width, base, style, self.app.console)

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
        style = self._part_style("empty")
        return centered_line(message, width, base, style, self.app.console)

    def _quote(self, message: ChatMessage) -> Quoted:
        """What ``message``'s reply line says: the loaded message it answers, else
        that it was erased while shown ("vanished"), else what ``quote_of`` says."""
        reply_to = message.reply_to
        if not reply_to:
            return NO_QUOTE
        target = self._lookup(reply_to)
        if target is not None:
            return Quoted("deleted", target) if target.deleted else Quoted("shown", target)
        if reply_to in self._gone:
            return Quoted("vanished")
        quote = self._quotes.get(reply_to)
        if quote is None:
            try:
                quote = self.quote_of(message) or _UNKNOWN
            except Exception:  # the store's trouble must not take the screen down
                log.exception("quote_of failed")
                quote = _UNKNOWN
            self._quotes[reply_to] = quote
        return quote

    def _block(self, index: int) -> Block:
        message = self._messages[index]
        previous = self._messages[index - 1] if index else None
        header, shown_day = placement(message, previous)
        rule = message.message_id == self._rule
        if rule and message.kind != "setting":
            header = True  # after the rule, who wrote is said again
        quote = self._quote(message)
        seen = message.message_id == self._seen
        width = self._width or self.scrollable_content_region.width
        now = now_ms()
        today = local_day(now)
        cached = self._blocks.get(message.message_id)
        if (
            cached is not None
            and cached.message is message
            and cached.quote.state == quote.state
            and cached.quote.message is quote.message
            and cached.seen == seen
            and cached.width == width
            and cached.header == header
            and cached.day == shown_day
            and cached.today == today
            and cached.unread_rule == rule
        ):
            return cached
        if message.kind == "setting":
            block = render_notice(message, self._look(), width, header, shown_day, now, rule)
        else:
            block = self._render_block(message, quote, width, header, shown_day, now, rule, seen)
        self._blocks[message.message_id] = block
        return block

    def _render_block(
        self,
        message: ChatMessage,
        quote: Quoted,
        width: int,
        header: bool,
        day: int | None,
        now: int,
        rule: bool = False,
        seen: bool = False,
    ) -> Block:
        # A method (not a direct call of render_block) so that tests can count renders.
        return render_block(message, quote, self._look(), width, header, day, now, rule, seen)


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
