"""Emoji every terminal draws at the width the layout counted.

The layout (Rich, and Textual on top of it) measures text by grapheme cluster
with Unicode 17 tables: ❤️ is two cells, 👍🏽 two, 😶‍🌫️ two, 🫨 two. Terminals do
not agree among themselves, let alone with that:

* **VS16** (U+FE0F) after a character that is narrow by default (❤️ ☺️ 1️⃣ 🕳️):
  tmux 3.3 and every terminal that measures code points (xterm, VTE) draw one
  cell; tmux 3.4+ and grapheme-aware terminals draw two.
* **Skin tones** (👍🏽): a terminal that measures code points draws the tone as a
  second wide glyph, four cells (tmux 3.3 does); grapheme-aware ones draw two.
* **ZWJ sequences** (👩‍💻 😮‍💨 ❤️‍🔥): drawn as the first component's width by
  tmux 3.3 and as the sum of the components by terminals without ZWJ support.
* **Emoji newer than the terminal's tables**: Unicode 15+ emoji (🫨 🩷) are
  unknown to glibc before 2.38 (Debian 12, Ubuntu 22.04), so tmux and every
  program asking ``wcwidth()`` draws them zero or one cell wide.

A glyph drawn one cell narrower or wider than counted moves everything after it
on the line: a dialog's right border lands a cell early (or is lost), a border
is drawn twice. So what reaches the screen is :func:`steady_emoji`'s form: every
cluster on which the two ways of measuring disagree is replaced, for the screen
only, by a stand-in that every terminal draws at one width, padded with spaces to
the width the layout counted:

* VS15/VS16 and skin-tone modifiers are dropped (❤️ → ``❤`` + a space, 👍🏽 → 👍);
* a ZWJ sequence is drawn as its first component (😶‍🌫️ → 😶, 👩‍💻 → 👩), which is
  what Unicode's own fallback for an unsupported sequence starts with;
* a character whose width changed after Unicode 14 (:data:`NEWLY_WIDE`) is drawn
  as ``？`` (a fullwidth question mark, two cells since Unicode 1.1).

The text itself (what is sent, stored, copied) is never changed: this is applied
to what is drawn, as a line filter (chatui.ui.emoji_filter). Pure: Rich's cell
tables, no Textual.
"""

from __future__ import annotations

import re

from rich.cells import cell_len, split_graphemes

UNICODE_BASELINE = "14.0.0"
"""The Unicode version of the width tables terminals are assumed to have at least
(glibc 2.35-2.37, which tmux and most terminals ask): a character that became wide
after it cannot be trusted to be drawn wide."""

NEWLY_WIDE: tuple[tuple[int, int], ...] = (
    (0x2630, 0x2637),
    (0x268A, 0x268F),
    (0x2FFC, 0x2FFF),
    (0x31E4, 0x31E5),
    (0x31EF, 0x31EF),
    (0x4DC0, 0x4DFF),
    (0x16FF2, 0x16FF6),
    (0x187F8, 0x187FF),
    (0x18CFF, 0x18CFF),
    (0x18D09, 0x18D1E),
    (0x18D80, 0x18DF2),
    (0x1B132, 0x1B132),
    (0x1B155, 0x1B155),
    (0x1D300, 0x1D356),
    (0x1D360, 0x1D376),
    (0x1F6D8, 0x1F6D8),
    (0x1F6DC, 0x1F6DC),
    (0x1FA75, 0x1FA77),
    (0x1FA87, 0x1FA8A),
    (0x1FA8E, 0x1FA8F),
    (0x1FAAD, 0x1FAAF),
    (0x1FABB, 0x1FABF),
    (0x1FAC6, 0x1FAC6),
    (0x1FAC8, 0x1FAC8),
    (0x1FACD, 0x1FACF),
    (0x1FADA, 0x1FADC),
    (0x1FADF, 0x1FADF),
    (0x1FAE8, 0x1FAEA),
    (0x1FAEF, 0x1FAEF),
    (0x1FAF7, 0x1FAF8),
)
"""Code points two cells wide in Rich's newest table but not in
:data:`UNICODE_BASELINE`'s (tests/core/test_emoji_width.py derives it again from
Rich's tables, so a Rich with newer tables says when to add to it)."""

ZWJ = "\u200d"
VS15 = "\ufe0e"
VS16 = "\ufe0f"
SKIN_TONES = "\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff"
UNKNOWN_WIDE = "\uff1f"  # ？: two cells in every table since Unicode 1.1
UNKNOWN_NARROW = "?"

_NEW = "".join(
    f"{chr(start)}-{chr(end)}" if end > start else chr(start) for start, end in NEWLY_WIDE
)
_NEW_RE = re.compile(f"[{_NEW}]")
# Whatever makes a cluster's width disputed: one search per drawn piece of text.
_TROUBLE_RE = re.compile(f"[{ZWJ}{VS15}{VS16}{SKIN_TONES}{_NEW}]")
_DROPPED = str.maketrans(dict.fromkeys(map(ord, VS15 + VS16 + SKIN_TONES)))


def disputed(text: str) -> bool:
    """Does ``text`` hold anything terminals draw at different widths?"""
    return not text.isascii() and _TROUBLE_RE.search(text) is not None


def stand_in(cluster: str, width: int) -> str:
    """What to draw for one grapheme ``cluster`` that the layout counted as
    ``width`` cells: a form every terminal draws at one width, padded to ``width``."""
    glyph = cluster.split(ZWJ, 1)[0].translate(_DROPPED)
    if _NEW_RE.search(glyph):
        glyph = UNKNOWN_WIDE if width >= 2 else UNKNOWN_NARROW
    drawn = cell_len(glyph)
    if drawn > width:  # a cluster Rich counts narrower than its base: keep the count
        glyph, drawn = "", 0
    return glyph + " " * (width - drawn)


def steady_emoji(text: str) -> str:
    """``text`` as drawn: each disputed cluster replaced by its :func:`stand_in`.

    Takes exactly the cells Rich counts for ``text`` (and so for each of its
    clusters), so a layout made by Rich's count is kept; and undisputed text is
    returned as it is (the same object), which is nearly all text.
    """
    if not disputed(text):
        return text
    spans, _total = split_graphemes(text)
    pieces: list[str] = []
    for start, end, width in spans:
        cluster = text[start:end]
        pieces.append(stand_in(cluster, width) if _TROUBLE_RE.search(cluster) else cluster)
    drawn = "".join(pieces)
    # Textual counts a piece of text with cell_len, which for a piece that starts
    # inside a cluster (a ZWJ first) can differ from the clusters' sum: keep its count.
    counted, cells = cell_len(text), cell_len(drawn)
    if cells < counted:
        drawn += " " * (counted - cells)
    elif cells > counted:
        trimmed = drawn.rstrip(" ")
        trimmed += " " * max(0, counted - cell_len(trimmed))
        drawn = trimmed if cell_len(trimmed) == counted else " " * counted
    return drawn
