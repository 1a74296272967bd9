"""Make untrusted text safe to put on a terminal, and cut it without breaking glyphs.

Everything a server sends is hostile until rendered. A chat body may
carry ESC/CSI/OSC sequences (OSC 52 writes the user's clipboard, OSC 8 disguises
links), C1 controls that some terminals treat as CSI, bidi overrides that reorder
what the user reads, zero-width characters and thousands of stacked combining marks.
:func:`safe_text` turns all of that into visible, inert placeholders; the UI then
builds Rich ``Text`` from the result (never markup), so nothing in it is ever
interpreted.

The second half of the module cuts and wraps text by terminal cells without
splitting a grapheme. Rich measures cells well but splits a flag (a pair of
regional indicators) into its two halves, so the helpers here glue those back
together before deciding where to cut.

Pure Python, no Textual: the Session, the server and tests use it too.
"""

from __future__ import annotations

import unicodedata

from rich.cells import cell_len, split_graphemes

ELLIPSIS = "…"
MAX_MARKS = 4
"""Combining marks kept per base character; the rest of a "Zalgo" stack is dropped.

Spacing marks (Mc), skin-tone modifiers and conjoining Hangul vowels/finals count
too: like marks they extend the character before them into one grapheme, and an
unbounded run of them is one "character" that Rich measures as one or two cells
while a terminal that does not join them draws thousands (overwriting the rest of
the screen)."""
MAX_JOINS = 4
"""ZWJs kept in one emoji sequence (the longest standard ones, families and "kiss"
with skin tones, have 3); a further ZWJ becomes a placeholder, ending the cluster."""
MAX_TAGS = 8
"""Tag characters kept in a subdivision flag (standard ones have at most 6 + cancel)."""

_ZWJ = "\u200d"
_ZWNJ = "\u200c"
_VS16 = "\ufe0f"
_TAG_FIRST, _TAG_LAST, _TAG_CANCEL = 0xE0020, 0xE007F, 0xE007F
_BLACK_FLAG = 0x1F3F4  # the base of subdivision flags such as England's
_RI_FIRST, _RI_LAST = 0x1F1E6, 0x1F1FF  # regional indicators: two make a flag

# ASCII fast path: C0 controls and DEL become their "control pictures" (U+2400 block).
_C0_PICTURES = {code: 0x2400 + code for code in range(0x20)} | {0x7F: 0x2421}
_ASCII_BODY = {k: v for k, v in _C0_PICTURES.items() if k not in (0x09, 0x0A)}
_ASCII_LINE = _C0_PICTURES | {0x09: 0x20, 0x0A: 0x20}

_LINE_BREAKS = {"\u2028", "\u2029"}  # Zl, Zp: line/paragraph separators
_MARK_CATEGORIES = frozenset({"Mn", "Me", "Mc"})
_EXTENDER_CATEGORIES = frozenset({"Sk", "Lo"})  # skin tones; Hangul vowels and finals


def _is_pictographic(cp: int) -> bool:
    """A cheap stand-in for Unicode's Extended_Pictographic property.

    Python's unicodedata lacks that property; these blocks hold every emoji that
    can take part in a ZWJ sequence (people, hearts, flags, objects, symbols).
    """
    return (
        0x1F000 <= cp <= 0x1FAFF
        or 0x1FC00 <= cp <= 0x1FFFD
        or 0x2600 <= cp <= 0x27BF
        or 0x2300 <= cp <= 0x23FF
        or 0x2B00 <= cp <= 0x2BFF
        or 0x2190 <= cp <= 0x21FF
        or 0x25A0 <= cp <= 0x25FF
        or 0x2900 <= cp <= 0x297F
        or cp in (0xA9, 0xAE, 0x203C, 0x2049, 0x2122, 0x2139, 0x3030, 0x303D, 0x3297, 0x3299)
    )


def _allowed_unassigned(cp: int) -> bool:
    """Unassigned in Python 3.11's Unicode 14 tables but printable in practice.

    Newer emoji (Unicode 15+) and new CJK extensions are "Cn" to Python; showing
    them as placeholders would mangle ordinary messages. They are not controls,
    so letting them through cannot change what the terminal does.
    """
    return 0x1F000 <= cp <= 0x1FFFD or 0x20000 <= cp <= 0x3FFFD


def _placeholder(ch: str) -> str:
    cp = ord(ch)
    if cp < 0x20:
        return chr(0x2400 + cp)
    if cp == 0x7F:
        return "\u2421"
    if 0xD800 <= cp <= 0xDFFF:  # a lone surrogate: cannot even be encoded
        return "\ufffd"
    return f"⟨U+{cp:04X}⟩"


def _prev_emoji(out: list[str]) -> bool:
    """Does the output so far end in an emoji (ignoring VS16 / skin tones)?"""
    for ch in reversed(out):
        cp = ord(ch)
        if ch == _VS16 or 0x1F3FB <= cp <= 0x1F3FF:
            continue
        return _is_pictographic(cp)
    return False


def safe_text(s: str, *, max_len: int | None = None, single_line: bool = False) -> str:
    """Return ``s`` with everything a terminal could act on made visible and inert.

    * C0 controls and DEL -> control pictures (ESC shows as ``␛``), so escape
      sequences (CSI, OSC 8, OSC 52) become harmless visible text.
    * Other characters ``str.isprintable()`` rejects (C1 controls, bidi overrides and
      isolates, zero-width spaces, unassigned code points...) -> ``⟨U+XXXX⟩``; lone
      surrogates -> ``�``.
    * Kept: ``\\n`` and ``\\t`` in bodies (``\\r\\n`` is folded to ``\\n``); ZWJ inside
      emoji sequences (👨‍👩‍👧); tag characters inside subdivision flags; ZWNJ
      between two letters that are not both ASCII (Persian and Indic spelling).
    * Non-ASCII spaces (NBSP and friends) -> a plain space; U+2028/2029 -> newline;
      soft hyphens are dropped (invisible and harmless, but noisy as placeholders).
    * Runs of combining marks (and of other characters that extend a grapheme:
      spacing marks, skin tones, Hangul vowels/finals) are capped at
      :data:`MAX_MARKS` per base character; an emoji sequence keeps at most
      :data:`MAX_JOINS` ZWJs and a flag at most :data:`MAX_TAGS` tags. So no
      grapheme is unbounded, and no terminal can be made to draw thousands of
      cells where the layout counted one or two.
    * ``single_line=True``: newlines, tabs and line separators become a space, for
      previews and titles.
    * ``max_len``: at most that many characters, then ``…``; never cuts a grapheme
      (a mark, joiner or flag half stays with its base). Work is bounded by
      ``max_len``, so a multi-megabyte body costs no more than its shown prefix.
    """
    if max_len is not None and max_len < 0:
        max_len = 0
    if s.isascii():
        return _safe_ascii(s, max_len, single_line)

    out: list[str] = []
    size = 0  # characters in ``out`` (a placeholder is one piece but several characters)

    def append(piece: str) -> None:
        nonlocal size
        out.append(piece)
        size += len(piece)

    marks = 0  # combining marks since the last base character
    joins = 0  # ZWJs kept in the current emoji sequence
    tags = 0  # tag characters kept in the current subdivision flag
    ri_open = False  # the last kept character is the first half of a flag
    joined = False  # the last kept character is a ZWJ: the next one is not a new base
    in_tags = False  # inside a subdivision-flag tag sequence
    text = s.replace("\r\n", "\n")
    length = len(text)
    hard_limit = None if max_len is None else max_len + 64  # pathological clusters
    truncated = False
    for index, ch in enumerate(text):
        cp = ord(ch)
        category = unicodedata.category(ch)
        # Marks, and what extends the grapheme before it like a mark although
        # unicodedata files it elsewhere: skin-tone modifiers (Sk) and conjoining
        # Hangul vowels and finals (Lo). Inlined: this runs for every character.
        is_mark = category in _MARK_CATEGORIES or (
            category in _EXTENDER_CATEGORIES
            and (0x1F3FB <= cp <= 0x1F3FF or 0x1160 <= cp <= 0x11FF or 0xD7B0 <= cp <= 0xD7FF)
        )
        continues = (
            is_mark
            or joined
            or ch == _ZWJ
            or (ri_open and _RI_FIRST <= cp <= _RI_LAST)
            or (in_tags and _TAG_FIRST <= cp <= _TAG_LAST)
        )
        if not continues:
            joins = 0
        if (
            max_len is not None
            and size >= max_len
            and (not continues or (hard_limit is not None and size >= hard_limit))
        ):
            truncated = True
            break
        joined = False

        if is_mark:
            marks += 1
            if marks <= MAX_MARKS:
                append(ch)
            continue
        marks = 0

        if _RI_FIRST <= cp <= _RI_LAST:
            ri_open = not ri_open
            append(ch)
            continue
        ri_open = False

        if in_tags:
            if _TAG_FIRST <= cp <= _TAG_LAST:
                append(ch)
                tags += 1
                in_tags = cp != _TAG_CANCEL and tags < MAX_TAGS
                continue
            in_tags = False

        if ch.isprintable():
            append(ch)
            in_tags = cp == _BLACK_FLAG
            tags = 0
            continue
        if ch == "\n" or ch in _LINE_BREAKS:
            append(" " if single_line else "\n")
            continue
        if ch == "\t":
            append(" " if single_line else "\t")
            continue
        if ch == _ZWJ:
            nxt = ord(text[index + 1]) if index + 1 < length else 0
            if joins < MAX_JOINS and _prev_emoji(out) and _is_pictographic(nxt):
                append(ch)
                joined = True
                joins += 1
                continue
        elif ch == _ZWNJ:
            prev = out[-1] if out else ""
            nxt_ch = text[index + 1] if index + 1 < length else ""
            if (
                prev
                and nxt_ch
                and unicodedata.category(prev)[0] in "LM"
                and unicodedata.category(nxt_ch)[0] == "L"
                and not (prev.isascii() and nxt_ch.isascii())
            ):
                append(ch)
                continue
        elif ch == "\u00ad":
            continue
        elif category == "Zs":
            append(" ")
            continue
        elif category == "Cn" and _allowed_unassigned(cp):
            append(ch)
            continue
        append(_placeholder(ch))
    result = "".join(out)
    if truncated:
        result += ELLIPSIS
    return result


def _safe_ascii(s: str, max_len: int | None, single_line: bool) -> str:
    if "\r\n" in s:
        s = s.replace("\r\n", "\n")
    truncated = max_len is not None and len(s) > max_len
    if truncated:
        s = s[:max_len]
    if not s.isprintable():
        s = s.translate(_ASCII_LINE if single_line else _ASCII_BODY)
    return s + ELLIPSIS if truncated else s


# --- cutting by terminal cells without splitting graphemes ---------------------------

Span = tuple[int, int, int]  # (start, end, cells) of one grapheme in a string


def grapheme_spans(text: str) -> list[Span]:
    """Split ``text`` into graphemes with their cell widths.

    Rich's splitter keeps ZWJ sequences, skin tones, VS16 and combining marks
    together; a flag (two regional indicators) it returns as two halves, which
    are glued back here so that nothing cuts a flag in half.
    """
    spans, _ = split_graphemes(text)
    merged: list[Span] = []
    pending_ri = False
    for span in spans:
        start, end, cells = span
        is_ri = end - start == 1 and _RI_FIRST <= ord(text[start]) <= _RI_LAST
        if is_ri and pending_ri:
            prev_start, _, prev_cells = merged[-1]
            merged[-1] = (prev_start, end, prev_cells + cells)
            pending_ri = False
            continue
        pending_ri = is_ri
        merged.append(span)
    return merged


def truncate_cells(text: str, width: int, ellipsis: str = ELLIPSIS) -> str:
    """Fit ``text`` into ``width`` cells, ending with ``ellipsis`` if it was cut.

    The cut always falls between graphemes, so a flag or a ZWJ family is either
    shown whole or not at all (the result may then be a cell narrower than width).
    """
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    room = width - cell_len(ellipsis)
    if room <= 0:
        return ellipsis[:width] if cell_len(ellipsis) > width else ellipsis
    if text.isascii():
        return text[:room] + ellipsis
    used = 0
    cut = 0
    for _start, end, cells in grapheme_spans(text):
        if used + cells > room:
            break
        used += cells
        cut = end
    return text[:cut] + ellipsis


def wrap_cells(text: str, width: int, *, max_lines: int | None = None) -> list[str]:
    """Word-wrap ``text`` (which may contain newlines) to lines of ``width`` cells.

    Breaks at spaces; a word longer than the line is cut between graphemes; a
    single grapheme wider than ``width`` gets a line of its own. Indentation at the
    start of a paragraph is kept; spaces at a break are dropped. Returns at least
    one line. With ``max_lines``, stops after that many lines.
    """
    width = max(1, width)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if paragraph.isascii():
            _wrap_ascii(paragraph, width, lines)
        else:
            _wrap_graphemes(paragraph, width, lines)
        if max_lines is not None and len(lines) >= max_lines:
            del lines[max_lines:]
            break
    return lines or [""]


def _wrap_ascii(p: str, width: int, lines: list[str]) -> None:
    if len(p) <= width:
        lines.append(p)
        return
    indent = len(p) - len(p.lstrip(" "))
    while len(p) > width:
        cut = p.rfind(" ", indent + 1, width + 1)
        if cut == -1:
            lines.append(p[:width])
            p = p[width:]
        else:
            lines.append(p[:cut].rstrip(" "))
            p = p[cut:]
        p = p.lstrip(" ")
        indent = 0
    if p:
        lines.append(p)


def _wrap_graphemes(p: str, width: int, lines: list[str]) -> None:
    spans = grapheme_spans(p)
    count = len(spans)
    i = 0
    paragraph_start = True
    while i < count:
        start_i = i
        used = 0
        seen_text = False
        last_space = -1
        j = i
        while j < count and used + spans[j][2] <= width:
            is_space = p[spans[j][0]] == " " and spans[j][1] - spans[j][0] == 1
            if is_space and seen_text:
                last_space = j
            elif not is_space:
                seen_text = True
            used += spans[j][2]
            j += 1
        line_start = spans[start_i][0]
        if j == count:
            lines.append(p[line_start:])
            return
        if j == start_i:  # one grapheme wider than the line: give it a line alone
            j = start_i + 1
            lines.append(p[line_start : spans[start_i][1]])
            i = j
        elif p[spans[j][0]] == " " and (seen_text or not paragraph_start):
            lines.append(p[line_start : spans[j][0]].rstrip(" "))
            i = j
        elif last_space > start_i:
            lines.append(p[line_start : spans[last_space][0]].rstrip(" "))
            i = last_space
        else:
            lines.append(p[line_start : spans[j - 1][1]])
            i = j
        paragraph_start = False
        while i < count and p[spans[i][0]] == " " and spans[i][1] - spans[i][0] == 1:
            i += 1


def one_line(text: str, max_len: int = 200) -> str:
    """Server text made safe for a one-line display (controls visible, no breaks)."""
    return safe_text(text, single_line=True, max_len=max_len)
