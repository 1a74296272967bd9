"""One message turned into the block of lines the message view caches.

A block is everything a message shows that does not change while the message
does not: the day rule, the "new messages" rule above the first unread message
(the view keys its cache on that too), the sender header, the reply quote, the
wrapped body, the vanish badge's slot, the pending or failed mark and the reaction
chips — or, for a shared-setting change, one centered notice line. What does change without
the message changing (a countdown, the selection, a bubble's gradient) is laid
over these lines at paint time (:mod:`chatui.ui.widgets.message_paint`); the block only
records where (:class:`Block`).

Kept apart from the widget so that what a message looks like can be read (and
changed) without the view's scrolling and measuring around it: every function
here takes what it draws with explicitly — a :class:`Look` (styles, console, whose
messages are "mine", shortcodes), the width and the clock — and touches no
widget state (its only Textual import is ``Strip``, the line type).

All message text goes through :func:`chatui.core.sanitize.safe_text` and into Rich
``Text`` objects, never markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from chatui.core.models import Message as ChatMessage
from chatui.core.notices import describe_change, duration_setting
from chatui.core.sanitize import safe_text, truncate_cells, wrap_cells
from chatui.core.timefmt import clock, day_label, local_day
from chatui.ui.widgets.reactions import reaction_chips

if TYPE_CHECKING:
    from rich.console import Console

    from chatui.ui.chat_style import ChatStyles

GROUP_GAP_MS = 5 * 60 * 1000  # a new sender header after this much silence
BODY_MAX_CHARS = 20_000  # a hostile megabyte body is shown up to here, then "…"
BODY_MAX_LINES = 500  # and never taller than this
_GUTTER = 2  # body indentation; mine carry an accent bar in it
_MINE_BAR = "▎ "
_PENDING = "◷ sending…"
# A running (or waiting) vanish timer. Not "⏱": Rich counts it one cell, many
# terminals draw it as a two-cell emoji, which would push the line out of shape.
TIMER = "⏳"
_VANISH_MARK = "◌ vanish"  # sent in vanish mode: goes once seen and the chat is closed
BADGE_CELLS = 10  # the badge slot: "⏳ 23h 59m" and the like always fit
UNREAD_RULE_LABEL = " new messages "
NOTICE_INDENTED = 99  # a notice has no indented lines (the selection bar skips it)


class Block(NamedTuple):
    """The rendered lines of one message and everything they were rendered from.

    What changes while the message does not — the remaining time of a vanish
    timer, the selection highlight, a bubble's gradient (it follows the screen
    position) — is *not* in ``strips``: the view lays it over the cached line,
    at the places recorded here.
    """

    message: ChatMessage
    target: ChatMessage | None  # the replied-to message, if loaded
    gone: bool  # the replied-to message was erased (vanish, redaction)
    width: int
    header: bool
    day: int | None  # the day separator's date ordinal, if one is shown
    today: int
    strips: list[Strip]
    bubble: tuple[int, int, int, int] | None  # body lines [first, end) and cells [x0, x1)
    badge: tuple[int, int] | None  # (line, x) of the vanish badge slot
    indented: int  # the first line drawn past the gutter (after day rule and header)
    unread_rule: bool = False  # the "new messages" rule is drawn above this message


DEFAULT_FAILED_HINT = "r retry · x discard"
"""The keys for a refused message, with the conversation focused (the defaults)."""


class Look(NamedTuple):
    """What blocks are drawn with, gathered from the view when one is rendered."""

    base: Style  # the widget's own style: the ground every line stands on
    part: Callable[[str], Style]  # a component class's style by its suffix ("body")
    chat: ChatStyles | None  # the thread's chat theme, if any
    console: Console
    me: str  # the user's name on the thread's account
    shortcodes: bool  # emoji shown as their ``:shortcode:``
    failed_hint: str = ""  # what to do with a refused message: "r retry · x discard"

    def quiet(self, part: str) -> Style:
        """Time stamps, quotes, day rules: the theme's notice color when themed (its
        contrast is checked against the theme's background; Textual's muted text
        color is not)."""
        if self.chat is not None:
            return (
                self.base + self.chat.notice + Style(italic=part in ("notice", "reply", "pending"))
            )
        return self.part(part)

    def badge(self) -> Style:
        if self.chat is not None:
            return self.base + self.chat.accent
        return self.part("badge")

    def shown(self, text: str) -> str:
        """Sanitised text as drawn: with emoji as shortcodes when that is set."""
        if self.shortcodes and not text.isascii():
            from chatui.core.emoji_names import as_shortcodes

            return as_shortcodes(text)
        return text

    def strip(self, text: Text, width: int) -> Strip:
        """``text`` as one line of exactly ``width`` cells on the widget's style."""
        return text_strip(text, width, self.base, self.console)


def text_strip(text: Text, width: int, base: Style, console: Console) -> Strip:
    """``text`` as a Strip of exactly ``width`` cells on ``base``."""
    # Text.render leaves the Text's own style (and so the widget's colors) off the
    # segments it yields: lay both under every segment, or they paint unstyled.
    under = base + text.style if isinstance(text.style, Style) else base
    segments = Segment.apply_style(text.render(console), style=under)
    return Strip(list(segments), text.cell_len).crop_extend(0, width, base)


def placement(message: ChatMessage, previous: ChatMessage | None) -> tuple[bool, int | None]:
    """Whether ``message`` gets a sender header, and the day its day rule shows
    (None: no rule), given the message before it."""
    day = local_day(message.ts)
    show_day = previous is None or local_day(previous.ts) != day
    header = message.kind != "setting" and (
        show_day
        or previous is None
        or previous.kind == "setting"
        or previous.sender != message.sender
        or message.ts - previous.ts > GROUP_GAP_MS
    )
    return header, day if show_day else None


def day_rule(day: int, width: int, now: int, look: Look) -> Text:
    label = f" {day_label(day, now)} "
    label = truncate_cells(label, width)
    side = max(0, width - cell_len(label))
    rule = "─" * (side // 2) + label + "─" * (side - side // 2)
    return Text(rule, style=look.quiet("day"), end="")


def unread_rule(width: int, look: Look) -> Text:
    """The "new messages" rule above the first unread message: the width of the
    view, in the accent color (it is news; the day rule is quiet)."""
    label = truncate_cells(UNREAD_RULE_LABEL, width)
    side = max(0, width - cell_len(label))
    rule = "─" * (side // 2) + label + "─" * (side - side // 2)
    style = look.base + look.chat.accent if look.chat is not None else look.part("unread-rule")
    return Text(rule, style=style, end="")


def render_notice(
    message: ChatMessage,
    look: Look,
    width: int,
    header: bool,
    day: int | None,
    now: int,
    rule: bool = False,
) -> Block:
    """A shared-setting change: one centered, quiet line — never a bubble (lines,
    when the window is too narrow for the sentence).

    The sentence is rebuilt from the structured ``change`` where there is one,
    so that a server cannot dress arbitrary text up as a notice; only the
    sender's name in it comes from outside (sanitised like any text).
    """
    base = look.base
    lines: list[Text] = [Text("")]
    if day is not None:
        lines.append(day_rule(day, width, now, look))
    if rule:
        lines.append(unread_rule(width, look))
    if message.sender == look.me:
        who = "you"
    else:
        who = safe_text(message.sender_name or message.sender, single_line=True, max_len=64)
    if isinstance(message.change, Mapping):
        sentence = describe_change(who, message.change)
    else:
        sentence = safe_text(message.body, single_line=True, max_len=300)
    sentence = look.shown(safe_text(sentence, single_line=True, max_len=300))
    if width > 7 and cell_len(sentence) > width - 6:
        # Too long for one line between rules (a narrow window, a long vanish
        # setting): wrapped and centred, every word kept.
        parts = wrap_cells(sentence, width - 2)
    else:
        sentence = sentence if width > 7 else ""
        parts = [f"── {sentence} ──" if sentence else truncate_cells("──", width)]
    for part in parts:
        pad = max(0, (width - cell_len(part)) // 2)
        text = Text(" " * pad, style=base, end="")
        text.append(part, look.quiet("notice"))
        lines.append(text)
    strips = [look.strip(line, width) for line in lines]
    return Block(
        message,
        None,
        False,
        width,
        header,
        day,
        local_day(now),
        strips,
        None,
        None,
        NOTICE_INDENTED,
        rule,
    )


def render_block(
    message: ChatMessage,
    target: ChatMessage | None,
    gone: bool,
    look: Look,
    width: int,
    header: bool,
    day: int | None,
    now: int,
    rule: bool = False,
) -> Block:
    """A message's block: day rule or spacer, "new messages" rule, header, reply
    quote, body, badge slot, pending mark and reaction chips, ``width`` cells wide.

    ``target`` is the replied-to message if loaded; ``gone``: it was erased;
    ``rule``: this is the first unread message (the view then asks for its
    header too, so that the rule is followed by who wrote).
    """
    base = look.base
    part = look.part
    styles = look.chat
    mine = message.sender == look.me
    lines: list[Text] = []

    if day is not None:
        # The same breathing room above a day rule as between senders.
        lines.append(Text("", end=""))
        lines.append(day_rule(day, width, now, look))
    elif header:
        lines.append(Text("", end=""))  # breathing room between senders

    if rule:
        lines.append(unread_rule(width, look))
    if header:
        lines.append(_header(message, mine, look, width))

    indented = len(lines)
    gutter = _MINE_BAR if mine and width > _GUTTER + 2 else " " * _GUTTER
    if width <= _GUTTER + 2:
        gutter = ""
    gutter_style = part("mine-bar") if mine else base
    if mine and styles is not None:
        gutter_style = base + styles.accent
    body_width = max(1, width - len(gutter))

    if message.reply_to:
        text = Text(gutter, style=gutter_style, end="")
        text.append(truncate_cells(_quote(target, gone, look), body_width), look.quiet("reply"))
        lines.append(text)

    body = look.shown(safe_text(message.body, max_len=BODY_MAX_CHARS))
    if "\t" in body:
        body = body.expandtabs(4)
    wrapped = wrap_cells(body, body_width, max_lines=BODY_MAX_LINES + 1)
    if len(wrapped) > BODY_MAX_LINES:
        wrapped = [*wrapped[:BODY_MAX_LINES], "… (message too long to show in full)"]
    body_style = part("body")
    if message.pending:
        body_style = part("pending")
    if styles is not None:
        # The bubble's colors are laid on at paint time (they follow the screen
        # position); only the text's own attributes are kept here.
        body_style = base + Style(italic=True) if message.pending else base
    body_first = len(lines)
    widest = 0
    for piece in wrapped:
        text = Text(end="")
        text.append(gutter, gutter_style)
        text.append(piece, body_style)
        lines.append(text)
        widest = max(widest, cell_len(piece))
    bubble = None
    if styles is not None and gutter:
        # One cell of the gutter and one after the widest line pad the bubble.
        x0 = len(gutter) - 1
        x1 = min(width, len(gutter) + widest + 1)
        bubble = (body_first, len(lines), x0, x1)

    badge = None
    if message.vanish.mode != "off" and not message.pending and width > BADGE_CELLS:
        slot = badge_slot(message)
        last = lines[-1]
        x = max(last.cell_len, bubble[3] if bubble is not None else 0) + 1
        if x + BADGE_CELLS <= width:
            last.append(" " * (x - last.cell_len))
            badge = (len(lines) - 1, x)
        else:
            last = Text(gutter, style=gutter_style, end="")
            lines.append(last)
            badge = (len(lines) - 1, last.cell_len)
        last.append(slot, look.badge())

    if message.pending:
        mark = _PENDING
        if message.failed is not None:
            # The reason may come from the server: untrusted, one safe line.
            reason = safe_text(message.failed, single_line=True, max_len=200)
            hint = look.failed_hint or DEFAULT_FAILED_HINT
            mark = f"not sent ({hint}): {reason}"
        text = Text(gutter, style=gutter_style, end="")
        text.append(truncate_cells(mark, body_width), look.quiet("pending"))
        lines.append(text)

    if message.reactions:
        chip_style = part("reaction")
        mine_chip = part("reaction-mine")
        if styles is not None:
            chip_style = base + styles.reaction
            mine_chip = base + styles.reaction_mine
        chips = reaction_chips(
            message.reactions,
            look.me,
            body_width,
            style=chip_style,
            mine_style=mine_chip,
            shortcodes=look.shortcodes,
        )
        if chips is not None:
            text = Text(" " * len(gutter), style=base, end="")
            text.append_text(chips)
            lines.append(text)

    strips = [look.strip(text, width) for text in lines]
    return Block(
        message,
        target,
        gone,
        width,
        header,
        day,
        local_day(now),
        strips,
        bubble,
        badge,
        indented,
        rule,
    )


def _header(message: ChatMessage, mine: bool, look: Look, width: int) -> Text:
    """The sender's name (or "you") and the time, cut to fit."""
    base = look.base
    if mine:
        name = "you"
    else:
        name = safe_text(message.sender_name or message.sender, single_line=True, max_len=64)
    stamp = clock(message.ts)
    room = width - cell_len(stamp) - 2
    if room < 3:
        stamp, room = "", width
    name = truncate_cells(name, room)
    text = Text(style=base, end="")
    name_style = look.part("sender-mine" if mine else "sender")
    if look.chat is not None:
        name_style = base + (look.chat.accent if mine else look.chat.name)
    text.append(name, name_style)
    if stamp:
        text.append("  ")
        text.append(stamp, look.quiet("time"))
    return text


def _quote(target: ChatMessage | None, gone: bool, look: Look) -> str:
    """The reply line's words: who said what, or that it is gone (not yet cut)."""
    if target is not None:
        who = "you" if target.sender == look.me else (target.sender_name or target.sender)
        who = safe_text(who, single_line=True, max_len=64)
        quoted = look.shown(safe_text(target.body, single_line=True, max_len=300))
        return f"↳ {who}: {quoted}"
    if gone:
        return "↳ [message gone]"
    return "↳ reply"


def badge_slot(message: ChatMessage) -> str:
    """What the badge slot shows before a countdown runs (the cached part)."""
    setting = message.vanish
    if setting.mode == "timer" and setting.seconds:
        label = f"{TIMER} {duration_setting(setting.seconds)}"
    else:
        label = _VANISH_MARK
    return truncate_cells(label, BADGE_CELLS)
