"""Emoji drawn so that every terminal puts them where the layout counted.

The layout counts by Rich (grapheme clusters, Unicode 17); a terminal that asks
``wcwidth()`` counts code points with older tables. ``steady_emoji`` must keep
Rich's count for every string (so the layout holds) while drawing only glyphs on
which the two ways agree (so the terminal draws them there).
"""

from __future__ import annotations

import bisect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich._unicode_data import load as load_cell_table
from rich.cells import cell_len, get_character_cell_size

from chatui.core.emoji_names import catalogue
from chatui.core.emoji_width import NEWLY_WIDE, UNICODE_BASELINE, steady_emoji


def per_code_point(text: str) -> int:
    """Cells by a terminal that adds up code points (Unicode 14 tables), as tmux 3.3,
    xterm and VTE do; a skin-tone modifier counts as the wide glyph it is there."""
    return sum(
        2 if 0x1F3FB <= ord(ch) <= 0x1F3FF else get_character_cell_size(ch, UNICODE_BASELINE)
        for ch in text
    )


def every_emoji() -> list[str]:
    glyphs: list[str] = []
    for _group, entries in catalogue().groups:
        for entry in entries:
            glyphs.append(entry.glyph)
            glyphs.extend(entry.tones)
    return glyphs


@pytest.mark.parametrize(
    ("emoji", "drawn"),
    [
        ("❤️", "❤ "),  # VS16 on a narrow heart: one cell in tmux 3.3, two in Rich
        ("☺️", "☺ "),
        ("1️⃣", "1\u20e3 "),  # a keycap keeps its enclosing mark
        ("👍🏽", "👍"),  # a tone is a second wide glyph in tmux 3.3
        ("😶\u200d🌫️", "😶"),  # a ZWJ sequence: its first component
        ("😮\u200d💨", "😮"),
        ("❤️\u200d🔥", "❤ "),
        ("🧑🏽\u200d💻", "🧑"),
        ("🫨", "？"),  # Unicode 15: zero or one cell where glibc is older than 2.38
    ],
)
def test_disputed_emoji_are_drawn_by_a_stand_in_of_the_same_width(emoji: str, drawn: str):
    assert steady_emoji(emoji) == drawn
    assert cell_len(drawn) == cell_len(emoji) == per_code_point(drawn)


def test_every_emoji_keeps_its_count_and_is_drawn_alike_by_both_ways_of_counting():
    glyphs = every_emoji()
    assert len(glyphs) > 3000  # the picker's whole catalogue, skin tones included
    for glyph in glyphs:
        drawn = steady_emoji(glyph)
        assert cell_len(drawn) == cell_len(glyph), glyph
        assert per_code_point(drawn) == cell_len(drawn), (glyph, drawn)


def test_text_around_emoji_is_untouched_and_plain_text_is_returned_as_is():
    line = "Phew 😅 I was up till 2 fixing the charts 👩\u200d💻 ❤️ ok"
    assert steady_emoji(line) == "Phew 😅 I was up till 2 fixing the charts 👩 ❤  ok"
    for text in ("plain ascii", "Grüße, 東京 😀 🇫🇷 ▊▔▎"):
        assert steady_emoji(text) is text


def test_a_cluster_split_across_pieces_keeps_each_piece_s_count():
    """Rich splits a styled line into segments anywhere (the composer's cursor sits
    on one code point): each piece is drawn at its own count."""
    for piece in ("\u200d🌫️", "\ufe0f", "🏽", " 🏽", "\u200d"):
        assert cell_len(steady_emoji(piece)) == cell_len(piece)
        assert per_code_point(steady_emoji(piece)) == cell_len(piece)


def test_newly_wide_is_what_rich_s_tables_say_became_wide_after_the_baseline():
    old = load_cell_table(UNICODE_BASELINE).widths
    new = load_cell_table("latest").widths

    def width(table, starts, cp):
        at = bisect.bisect_right(starts, cp) - 1
        return table[at][2] if at >= 0 and table[at][0] <= cp <= table[at][1] else 1

    old_starts = [r[0] for r in old]
    ranges: list[tuple[int, int]] = []
    for start, end, cells in new:
        if cells != 2:
            continue
        for cp in range(start, end + 1):
            if width(old, old_starts, cp) == 2:
                continue
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    assert tuple(ranges) == NEWLY_WIDE


_PIECES = ("a", " ", "❤", "☺", "1", "😶", "🌫", "👍", "🫨", "🏽", "🇫", "東")
_PIECES += ("\u200d", "\ufe0f", "\ufe0e", "\u20e3")  # ZWJ, VS16, VS15, keycap


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join))
def test_any_mix_keeps_its_count_and_is_drawn_alike(text: str) -> None:
    """Broken and odd sequences too (a ZWJ first, a tone alone, selectors twice)."""
    drawn = steady_emoji(text)
    assert cell_len(drawn) == cell_len(text)
    assert per_code_point(drawn) == cell_len(drawn)
