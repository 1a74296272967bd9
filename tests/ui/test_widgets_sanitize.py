"""safe_text and the grapheme-safe cutting helpers: hostile input in, inert text out."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from chatui.core.sanitize import (
    MAX_MARKS,
    grapheme_spans,
    safe_text,
    truncate_cells,
    wrap_cells,
)

FAMILY = "👨\u200d👩\u200d👧"
FLAG = "🇯🇵"
DANGEROUS = {chr(c) for c in range(0x20) if c not in (0x09, 0x0A)} | {
    chr(c) for c in range(0x7F, 0xA0)
}


def assert_inert(text: str) -> None:
    """No C0/C1 control, bidi control or lone surrogate survives."""
    assert not (set(text) & DANGEROUS), repr(text)
    for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f":
        assert ch not in text
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


@pytest.mark.parametrize(
    "hostile",
    [
        "\x1b[2J\x1b[31mred",  # CSI: clear screen, color
        "\x1b]8;;https://evil.example\x07click me\x1b]8;;\x07",  # OSC 8 hyperlink
        "\x1b]52;c;cm0gLXJmIH4=\x07",  # OSC 52: write the clipboard
        "\x1b]52;c;cm0gLXJmIH4=\x1b\\",  # ...terminated by ST
        "a\x9b31mb\x9d0;title\x9c",  # C1 CSI / OSC / ST
        "\x07\x08\x0d\x7f",  # bell, backspace, carriage return, DEL
    ],
)
def test_escape_sequences_become_visible_and_inert(hostile: str) -> None:
    out = safe_text(hostile)
    assert_inert(out)
    assert "\x1b" not in out
    if "\x1b" in hostile:
        assert "␛" in out  # the user can see that something odd was sent


def test_c0_controls_use_control_pictures_and_c1_are_named() -> None:
    assert safe_text("a\x1bb") == "a␛b"
    assert safe_text("\x00") == "␀"
    assert safe_text("x\x7f") == "x␡"
    assert safe_text("a\x9bb") == "a⟨U+009B⟩b"
    assert safe_text("é\x1b") == "é␛"  # same on the non-ASCII path


def test_bidi_overrides_and_isolates_are_shown_not_obeyed() -> None:
    out = safe_text("invoice\u202efdp.exe and \u2066isolated\u2069")
    assert_inert(out)
    assert "⟨U+202E⟩" in out and "⟨U+2066⟩" in out and "⟨U+2069⟩" in out


def test_zero_width_characters_are_made_visible() -> None:
    assert safe_text("pay\u200bpal") == "pay⟨U+200B⟩pal"
    assert safe_text("a\ufeffb") == "a⟨U+FEFF⟩b"
    assert safe_text("a\u200db") == "a⟨U+200D⟩b"  # a ZWJ outside an emoji sequence


def test_lone_surrogates_become_replacement_characters() -> None:
    out = safe_text("bad\ud800half\udfff")
    assert out == "bad\ufffdhalf\ufffd"
    out.encode("utf-8")  # must not raise


def test_zalgo_is_capped_per_base_character() -> None:
    zalgo = "Z" + "\u0301\u0316\u0327" * 100 + "a" + "\u0300" * 50
    out = safe_text(zalgo)
    assert out == "Z" + ("\u0301\u0316\u0327" * 2)[:MAX_MARKS] + "a" + "\u0300" * MAX_MARKS
    assert safe_text("e\u0301") == "e\u0301"  # ordinary accents are untouched


@pytest.mark.parametrize(
    "emoji",
    [
        FAMILY,
        "🏳️\u200d🌈",  # rainbow flag: VS16 then ZWJ
        "🧑🏽\u200d💻",  # skin tone then ZWJ
        "❤️\u200d🔥",
        "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",  # England
        FLAG,
        "1️⃣",  # keycap: VS16 and an enclosing mark
        "👍🏽",
    ],
)
def test_emoji_sequences_are_kept_intact(emoji: str) -> None:
    assert safe_text(f"hi {emoji}!") == f"hi {emoji}!"
    assert safe_text(emoji, single_line=True) == emoji


def test_newlines_and_tabs_kept_in_bodies_and_flattened_for_previews() -> None:
    assert safe_text("one\r\ntwo\tthree") == "one\ntwo\tthree"
    assert safe_text("one\r\ntwo\tthree", single_line=True) == "one two three"
    assert safe_text("ünï\ncode\u2028sep", single_line=True) == "ünï code sep"
    assert safe_text("para\u2029graph") == "para\ngraph"


def test_unusual_spaces_become_plain_spaces_and_soft_hyphens_vanish() -> None:
    assert safe_text("a\u00a0b\u3000c") == "a b c"
    assert safe_text("Silben\u00adtrennung") == "Silbentrennung"


def test_persian_zwnj_between_letters_is_kept() -> None:
    word = "می\u200cخواهم"
    assert safe_text(word) == word


def test_newer_emoji_unknown_to_python_are_not_mangled() -> None:
    assert safe_text("🫨 🩷") == "🫨 🩷"  # Unicode 15: "unassigned" to Python 3.11


def test_max_len_caps_length_without_cutting_a_grapheme() -> None:
    assert safe_text("abcdef", max_len=3) == "abc…"
    assert safe_text("abc", max_len=3) == "abc"
    out = safe_text("ab" + FAMILY + "cd", max_len=3)
    assert out == "ab" + FAMILY + "…"  # the whole family, never a dangling ZWJ
    out = safe_text("a" + FLAG + FLAG, max_len=2)
    assert out == "a" + FLAG + "…"
    assert safe_text("e" + "\u0301" * 3 + "xyz", max_len=1) == "e" + "\u0301" * 3 + "…"


def test_huge_bodies_cost_only_their_shown_prefix() -> None:
    body = ("é" * 1_000_000) + "\x1b"
    out = safe_text(body, max_len=100)
    assert len(out) == 101 and out.endswith("…")
    assert safe_text("x" * 10_000_000, max_len=10) == "x" * 10 + "…"


def test_grapheme_spans_keep_flags_and_zwj_sequences_whole() -> None:
    text = "a" + FLAG + FAMILY + "e\u0301"
    pieces = [text[start:end] for start, end, _ in grapheme_spans(text)]
    assert pieces == ["a", FLAG, FAMILY, "e\u0301"]
    assert sum(cells for _, _, cells in grapheme_spans(text)) == cell_len(text)


@pytest.mark.parametrize("width", range(1, 16))
def test_truncate_cells_never_cuts_a_grapheme(width: int) -> None:
    text = "ab " + FLAG + FLAG + " " + FAMILY + " xyz"
    out = truncate_cells(text, width)
    assert cell_len(out) <= width
    body = out.removesuffix("…")
    assert text.startswith(body)
    regional = sum(0x1F1E6 <= ord(ch) <= 0x1F1FF for ch in body)
    assert regional % 2 == 0, repr(out)
    assert not body.endswith("\u200d")
    if "👨" in body:
        assert FAMILY in body


@pytest.mark.parametrize("width", [1, 2, 3, 5, 7, 10])
def test_wrap_cells_never_cuts_a_grapheme(width: int) -> None:
    text = "hello " + FLAG * 5 + " " + FAMILY * 4 + " wörld e\u0301e\u0301e\u0301"
    lines = wrap_cells(text, width)
    for line in lines:
        assert cell_len(line) <= max(width, 2), (line, width)  # a 2-cell glyph may be alone
        assert sum(0x1F1E6 <= ord(ch) <= 0x1F1FF for ch in line) % 2 == 0
        assert not line.startswith(("\u200d", "\u0301"))
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_wrap_cells_breaks_at_spaces_and_keeps_paragraphs() -> None:
    assert wrap_cells("the quick brown fox", 10) == ["the quick", "brown fox"]
    assert wrap_cells("one\n\ntwo", 10) == ["one", "", "two"]
    assert wrap_cells("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert wrap_cells("", 5) == [""]
    assert wrap_cells("a\nb\nc\nd", 5, max_lines=2) == ["a", "b"]
    assert wrap_cells("grüße an alle", 6) == ["grüße", "an", "alle"]


KEYCAP = "1\ufe0f\u20e3"  # 1️⃣
THUMB_TONE = "\U0001f44d\U0001f3fd"  # 👍🏽
HEART_VS16 = "\u2764\ufe0f"  # ❤️
_TAILS = ("\ufe0f", "\u20e3", "\U0001f3fb", "\U0001f3fc", "\U0001f3fd", "\U0001f3fe", "\U0001f3ff")


@pytest.mark.parametrize("width", range(1, 14))
def test_keycaps_skin_tones_and_vs16_are_never_cut(width: int) -> None:
    text = "a" + KEYCAP + THUMB_TONE + HEART_VS16 + KEYCAP + " " + THUMB_TONE * 2
    pieces = [text[start:end] for start, end, _ in grapheme_spans(text)]
    assert KEYCAP in pieces and THUMB_TONE in pieces and HEART_VS16 in pieces
    out = truncate_cells(text, width).removesuffix("…")
    assert text.startswith(out) and cell_len(out) <= width
    rest = text[len(out) :]
    assert not rest.startswith(_TAILS), (width, out)  # nothing left hanging off a base
    for line in wrap_cells(text, width):
        assert not line.startswith(_TAILS), (width, line)
        assert cell_len(line) <= max(width, 2)
