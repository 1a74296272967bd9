"""One message turned into the block of lines the message view caches.

A block is everything a message shows that does not change while the message
does not: the day rule, the "new messages" rule above the first unread message
(the view keys its cache on that too), the sender header, the reply quote, the
wrapped body (its web links underlined; "message deleted" once unsent), the
"edited" mark, the vanish badge's slot, the pending or failed mark, the reaction
chips and "seen" under the last message the other person read (the view keys its
cache on the quote and on "seen" too) — or, for a shared-setting change, one
centered notice line. What does change without
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

from chatui.core.chat_words import DELETED_WORDS, EDITED_MARK, SEEN_MARK, VANISHED_WORDS
from chatui.core.links import find_links
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
_ITALIC = frozenset({"notice", "reply", "pending", "deleted"})  # quiet parts, themed
_TOO_LONG = "… (message too long to show in full)"
_GUTTER = 2  # body indentation; mine carry an accent bar in it
_MINE_BAR = "▎ "
# A message that calls me by name: a heavier bar than mine, in the mention style
# (bold: the shape alone tells it apart under NO_COLOR).
_MENTION_BAR = "▌ "
_PENDING = "◷ sending…"
# A running (or waiting) vanish timer. Not "⏱": Rich counts it one cell, many
# terminals draw it as a two-cell emoji, which would push the line out of shape.
TIMER = "⏳"
_VANISH_MARK = "◌ vanish"  # sent in vanish mode: goes once seen and the chat is closed
BADGE_CELLS = 10  # the badge slot: "⏳ 23h 59m" and the like always fit
UNREAD_RULE_LABEL = " new messages "
NOTICE_INDENTED = 99  # a notice has no indented lines (the selection bar skips it)


class Quoted(NamedTuple):
    """What a reply's quote line says: ``state`` as ``Session.quoted`` has it —
    "shown" (``message`` is the quoted one), "deleted", "vanished" or "unknown" —
    and "" for a message that answers nothing."""

    state: str
    message: ChatMessage | None = None


NO_QUOTE = Quoted("")


class Block(NamedTuple):
    """The rendered lines of one message and everything they were rendered from.

    What changes while the message does not — the remaining time of a vanish
    timer, the selection highlight, a bubble's gradient (it follows the screen
    position) — is *not* in ``strips``: the view lays it over the cached line,
    at the places recorded here.
    """

    message: ChatMessage
    quote: Quoted  # what its reply line says (NO_QUOTE: it answers nothing)
    width: int
    header: bool
    day: int | None  # the day separator's date ordinal, if one is shown
    today: int
    strips: list[Strip]
    bubble: tuple[int, int, int, int] | None  # body lines [first, end) and cells [x0, x1)
    badge: tuple[int, int] | None  # (line, x) of the vanish badge slot
    indented: int  # the first line drawn past the gutter (after day rule and header)
    unread_rule: bool = False  # the "new messages" rule is drawn above this message
    seen: bool = False  # "seen" is drawn under it (the other person read this far)


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
            return self.base + self.chat.notice + Style(italic=part in _ITALIC)
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
        NO_QUOTE,
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
    quote: Quoted,
    look: Look,
    width: int,
    header: bool,
    day: int | None,
    now: int,
    rule: bool = False,
    seen: bool = False,
) -> Block:
    """A message's block: day rule or spacer, "new messages" rule, header, reply
    quote, body, "edited" mark, badge slot, pending mark, reaction chips and
    "seen", ``width`` cells wide.

    ``quote`` says what the reply line shows (NO_QUOTE: none); ``rule``: this is
    the first unread message (the view then asks for its header too, so that the
    rule is followed by who wrote); ``seen``: the other person has read up to here.
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
    mention = message.mentions_me and not mine and not message.deleted
    gutter = " " * _GUTTER
    if mine:
        gutter = _MINE_BAR
    elif mention:
        gutter = _MENTION_BAR
    if width <= _GUTTER + 2:
        gutter = ""
    gutter_style = base
    if mine:
        gutter_style = part("mine-bar") if styles is None else base + styles.accent
    elif mention:
        gutter_style = part("mention") if styles is None else base + styles.mention
    body_width = max(1, width - len(gutter))

    if message.reply_to:
        text = Text(gutter, style=gutter_style, end="")
        text.append(truncate_cells(_quote(quote, look), body_width), look.quiet("reply"))
        lines.append(text)

    bubble = None
    if message.deleted:
        # Unsent: its place stays, its text does not. No bubble: it is not a message
        # any more, only where one was.
        text = Text(gutter, style=gutter_style, end="")
        text.append(truncate_cells(DELETED_WORDS, body_width), look.quiet("deleted"))
        lines.append(text)
    else:
        bubble = _body(message, look, lines, gutter, gutter_style, body_width, width)

    if message.edited and not message.deleted:
        _append_mark(lines, EDITED_MARK, look.quiet("edited"), bubble, width, gutter, gutter_style)

    badge = None
    if message.vanish.mode != "off" and not message.pending and width > BADGE_CELLS:
        slot = badge_slot(message)
        last = _mark_line(lines, BADGE_CELLS, bubble, width, gutter, gutter_style)
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

    if seen:
        text = Text(" " * len(gutter), style=base, end="")
        text.append(truncate_cells(SEEN_MARK, body_width), look.quiet("seen"))
        lines.append(text)

    strips = [look.strip(text, width) for text in lines]
    return Block(
        message,
        quote,
        width,
        header,
        day,
        local_day(now),
        strips,
        bubble,
        badge,
        indented,
        rule,
        seen,
    )


def shown_body(message: ChatMessage, shortcodes: bool) -> str:
    """A message's text exactly as its block draws it (sanitised, emoji as
    shortcodes when that is set, tabs expanded): where its links are found, so
    that the link opened is the very text underlined."""
    body = safe_text(message.body, max_len=BODY_MAX_CHARS)
    if shortcodes and not body.isascii():
        from chatui.core.emoji_names import as_shortcodes

        body = as_shortcodes(body)
    if "\t" in body:
        body = body.expandtabs(4)
    return body


def _body(
    message: ChatMessage,
    look: Look,
    lines: list[Text],
    gutter: str,
    gutter_style: Style,
    body_width: int,
    width: int,
) -> tuple[int, int, int, int] | None:
    """Append the wrapped body to ``lines``, its links underlined; returns the
    bubble's place (chat themes) or None."""
    base = look.base
    styles = look.chat
    body = shown_body(message, look.shortcodes)
    wrapped = wrap_cells(body, body_width, max_lines=BODY_MAX_LINES + 1)
    cut = len(wrapped) > BODY_MAX_LINES
    if cut:
        wrapped[BODY_MAX_LINES:] = [_TOO_LONG]
    body_style = look.part("body")
    if message.pending:
        body_style = look.part("pending")
    if styles is not None:
        # The bubble's colors are laid on at paint time (they follow the screen
        # position); only the text's own attributes are kept here.
        body_style = base + Style(italic=True) if message.pending else base
    if message.mentions_me and message.sender != look.me:
        body_style += Style(bold=True)  # it calls the user: it stands out, as in any chat
    links = find_links(body)
    link_style = look.part("link") if styles is None else base + Style(underline=True)
    body_first = len(lines)
    widest = 0
    position = 0  # where in ``body`` the next wrapped piece starts
    for number, piece in enumerate(wrapped):
        text = Text(end="")
        text.append(gutter, gutter_style)
        text.append(piece, body_style)
        if links and not (cut and number == BODY_MAX_LINES):
            # Where the piece is in the body (wrapping drops the spaces at a break).
            start = body.find(piece, position) if piece else -1
            if start >= 0:
                position = end = start + len(piece)
                offset = len(gutter) - start
                for link in links:
                    if link.start < end and link.end > start:
                        first, last = max(link.start, start), min(link.end, end)
                        text.stylize(link_style, first + offset, last + offset)
        lines.append(text)
        widest = max(widest, cell_len(piece))
    if styles is not None and gutter:
        # One cell of the gutter and one after the widest line pad the bubble.
        x0 = len(gutter) - 1
        x1 = min(width, len(gutter) + widest + 1)
        return (body_first, len(lines), x0, x1)
    return None


def _mark_line(
    lines: list[Text],
    cells: int,
    bubble: tuple[int, int, int, int] | None,
    width: int,
    gutter: str,
    gutter_style: Style,
) -> Text:
    """The line a mark of ``cells`` goes on — the last one, a cell after its text
    and the bubble, or a new line under it when it does not fit there — padded to
    where the mark starts."""
    last = lines[-1]
    x = max(last.cell_len, bubble[3] if bubble is not None else 0) + 1
    if x + cells <= width:
        last.append(" " * (x - last.cell_len))
        return last
    last = Text(gutter, style=gutter_style, end="")
    lines.append(last)
    return last


def _append_mark(
    lines: list[Text],
    mark: str,
    style: Style,
    bubble: tuple[int, int, int, int] | None,
    width: int,
    gutter: str,
    gutter_style: Style,
) -> None:
    last = _mark_line(lines, cell_len(mark), bubble, width, gutter, gutter_style)
    last.append(truncate_cells(mark, max(1, width - last.cell_len)), style)


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


def _quote(quote: Quoted, look: Look) -> str:
    """The reply line's words: who said what, or that it is gone (not yet cut)."""
    target = quote.message
    if quote.state == "shown" and target is not None:
        who = "you" if target.sender == look.me else (target.sender_name or target.sender)
        who = safe_text(who, single_line=True, max_len=64)
        quoted = look.shown(safe_text(target.body, single_line=True, max_len=300))
        return f"↳ {who}: {quoted}"
    if quote.state == "deleted":
        return f"↳ {DELETED_WORDS}"
    if quote.state == "vanished":
        return f"↳ {VANISHED_WORDS}"
    return "↳ reply"


def badge_slot(message: ChatMessage) -> str:
    """What the badge slot shows before a countdown runs (the cached part)."""
    setting = message.vanish
    if setting.mode == "timer" and setting.seconds:
        label = f"{TIMER} {duration_setting(setting.seconds)}"
    else:
        label = _VANISH_MARK
    return truncate_cells(label, BADGE_CELLS)
