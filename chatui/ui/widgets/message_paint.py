"""What the message view draws at paint time rather than caches.

A message's block (:mod:`chatui.ui.widgets.message_blocks`) stays valid while the message
does not change; some of what is on screen changes anyway: a vanish countdown
("⏳ 4m 59s") ticks every second, the selection moves, and a chat theme's bubble
gradient follows the screen position (as in Messenger), so it changes with every
scroll. Those are laid over a cached line here, each by a function that takes the
line and what it needs to know and returns the new line. The rows that are not
messages at all — the empty-thread text and the count of new
messages below — are drawn here too.

Kept apart from the widget so that painting can be read without the view's state
around it, and so that the cache's rule ("nothing that changes without the
message changing is in a block") has one place that lists the exceptions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual.strip import Strip

from chatui.core.notices import duration_short
from chatui.core.sanitize import truncate_cells
from chatui.ui.widgets.message_blocks import BADGE_CELLS, TIMER, text_strip

if TYPE_CHECKING:
    from rich.console import Console
    from rich.style import Style

    from chatui.ui.chat_style import ChatStyles

_CURSOR = "┃"  # the selected message's left edge


def paint_badge(
    strip: Strip, x: int, width: int, seconds: float, style: Style, base: Style, console: Console
) -> Strip:
    """Put ``seconds`` (the remaining time) in the badge slot at ``x``."""
    if x >= width:
        return strip
    label = truncate_cells(f"{TIMER} {duration_short(seconds)}", min(BADGE_CELLS, width - x))
    text = Text(label, style=style, end="")
    cells = min(BADGE_CELLS, width - x)
    # Through text_strip: the widget's background under the badge, as on the cached
    # line around it (Text.render alone would leave it in the terminal's default).
    badge = text_strip(text, cells, base, console)
    return Strip.join([strip.crop(0, x), badge, strip.crop(x + cells, width)])


def paint_selected(strip: Strip, width: int, indented: bool, part: Callable[[str], Style]) -> Strip:
    """The selected message: a highlighted background, and a bar at the left edge
    of its indented lines (it survives NO_COLOR). ``part``: a component class's
    style by its suffix."""
    highlight = part("selected")
    painted = Strip(Segment.apply_style(strip, post_style=highlight), strip.cell_length)
    if width < 2 or not indented:
        return painted
    cursor = part("cursor") + highlight
    bar = Strip([Segment(_CURSOR, cursor)], 1)
    return Strip.join([bar, painted.crop(1, width)])


def paint_bubble(
    strip: Strip,
    x0: int,
    x1: int,
    width: int,
    *,
    styles: ChatStyles,
    mine: bool,
    y: int,
    height: int,
) -> Strip:
    """Color a bubble (cells ``x0``..``x1``) by its place on screen: row ``y`` of
    ``height`` (a gradient runs top to bottom)."""
    fraction = y / max(1, height - 1)
    bubble = styles.mine_at(fraction) if mine else styles.theirs_at(fraction)
    x1 = min(x1, width)
    middle = strip.crop(x0, x1)
    middle = Strip(Segment.apply_style(middle, post_style=bubble), middle.cell_length)
    return Strip.join([strip.crop(0, x0), middle, strip.crop(x1, width)])


def centered_line(label: str, width: int, base: Style, style: Style, console: Console) -> Strip:
    """``label`` (cut to fit) in ``style``, centered on a line of ``base``."""
    label = truncate_cells(label, width)
    pad = max(0, (width - cell_len(label)) // 2)
    text = Text(" " * pad, style=base, end="")
    text.append(label, style)
    return text_strip(text, width, base, console)


def news_line(label: str, width: int, base: Style, style: Style, console: Console) -> Strip:
    """``label`` centered on a whole row of ``style``: a bar across the view's
    bottom, over the messages, that no message line can be taken for."""
    label = truncate_cells(label, width)
    pad = max(0, (width - cell_len(label)) // 2)
    text = Text(" " * pad + label + " " * (width - pad - cell_len(label)), style=style, end="")
    return text_strip(text, width, base, console)
