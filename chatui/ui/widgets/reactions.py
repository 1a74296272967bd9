"""The line of reaction chips under a message: "👍 2  ❤️ 1".

Reaction keys and the names of who reacted come from servers, so both are
untrusted: a key may be a megabyte of text, an escape sequence, a thousand
combining marks or a hundred flags. Each key is sanitised and capped to a few
cells (cut between graphemes, so a flag or a ZWJ family is whole or absent), the
number of chips is capped, and the line is built as Rich ``Text``, never markup.
Widths come from Rich's ``cell_len``, which knows ZWJ sequences, flags, keycaps
and VS16.

Pure Rich (no Textual), so it is cheap to test and the view caches its result.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from chatui.core.sanitize import safe_text, truncate_cells

MAX_CHIPS = 12
"""Chips shown under one message; the rest are summed up as "+N"."""
EMOJI_MAX_CELLS = 6
"""A reaction key wider than this is cut (one emoji is 1-2 cells)."""
_KEY_MAX_CHARS = 48  # sanitised characters looked at per key (families with skin tones fit)
_GAP = " "


SHORTCODE_MAX_CELLS = 20
"""A reaction key shown as its ``:shortcode:`` is cut beyond this."""


def chip_label(emoji: str, *, shortcodes: bool = False) -> str:
    """A reaction key as it may be shown: safe, one line, a few cells at most.

    ``shortcodes``: as its ``:shortcode:`` (for terminals that draw emoji badly).
    """
    label = safe_text(emoji, single_line=True, max_len=_KEY_MAX_CHARS).strip()
    if shortcodes:
        from chatui.core.emoji_names import as_shortcodes

        return truncate_cells(as_shortcodes(label), SHORTCODE_MAX_CELLS)
    return truncate_cells(label, EMOJI_MAX_CELLS)


def count_label(count: int) -> str:
    return "999+" if count > 999 else str(count)


def reaction_chips(
    reactions: Mapping[str, tuple[str, ...]],
    me: str,
    width: int,
    *,
    style: Style,
    mine_style: Style,
    more_style: Style | None = None,
    shortcodes: bool = False,
) -> Text | None:
    """One line of chips that fits ``width`` cells, or None when there is nothing.

    Chips keep the mapping's order (the order of first reaction), so a chip does
    not jump about as counts change. Ours (``me`` among the users) get
    ``mine_style``. What does not fit, or is beyond :data:`MAX_CHIPS`, becomes
    "+N" (N reactions not shown). ``shortcodes``: keys as ``:shortcode:``.
    """
    chips: list[tuple[str, bool, int]] = []
    hidden = 0
    for emoji, users in reactions.items():
        if not isinstance(emoji, str) or not users:
            continue
        label = chip_label(emoji, shortcodes=shortcodes)
        if not label:
            continue
        count = len(users)
        if len(chips) >= MAX_CHIPS:
            hidden += count
            continue
        chips.append((f" {label} {count_label(count)} ", me in users, count))
    if not chips:
        return None
    line = Text(end="", no_wrap=True)
    used = 0
    for index, (chip, mine, _count) in enumerate(chips):
        gap = len(_GAP) if index else 0
        cells = cell_len(chip)
        # Leave room for a "+N" after this chip unless nothing follows it.
        reserve = 6 if (index + 1 < len(chips) or hidden) else 0
        if used + gap + cells + reserve > width:
            hidden += sum(count for _, _, count in chips[index:])
            break
        if gap:
            line.append(_GAP)
        line.append(chip, mine_style if mine else style)
        used += gap + cells
    if hidden:
        more = f"+{count_label(hidden)}"
        if used + 1 + len(more) <= width:
            line.append(" " if used else "")
            line.append(more, more_style or style)
    return line
