"""Emoji by name: expansion as typed, completion order, shortcode display, picker groups."""

from __future__ import annotations

import subprocess
import sys

import pytest
from rich.cells import cell_len

from chatui.core import emoji_names
from chatui.core.emoji_names import (
    as_shortcodes,
    catalogue,
    complete,
    expand_shortcodes,
    expand_shortcodes_used,
    lookup,
    shortcode,
    strip_tones,
)


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        (":thumbsup:", "👍"),
        (":+1:", "👍"),
        (":smile:", "😄"),
        (":red_heart:", "❤️"),
        (":heart:", "❤️"),
        (":thumbs_up:", "👍"),
        (":Thumbs_Up:", "👍"),  # case does not matter
        (":woman_technologist:", "👩\u200d💻"),
        (":keycap_1:", "1️⃣"),
        ("great :tada: news", "great 🎉 news"),
        (":+1::smile:", "👍😄"),  # back to back
        ("(:wave:)", "(👋)"),
        ("done:tada:", "done:tada:"),  # glued to a word: left as typed (as Slack does)
        (":tada:s", ":tada:s"),
        ("at 12:100:30", "at 12:100:30"),  # a time, not :100:
        ("std::vector", "std::vector"),
        (":not_an_emoji:", ":not_an_emoji:"),  # unknown: as typed
        (":nope: :tada:", ":nope: 🎉"),  # an unknown code does not swallow the next
        ("no colons", "no colons"),
        ("", ""),
    ],
)
def test_expand_shortcodes(typed: str, shown: str) -> None:
    assert expand_shortcodes(typed) == shown


def test_expansion_reports_the_emoji_it_put_in() -> None:
    assert expand_shortcodes_used("a :tada: b :+1:") == ("a 🎉 b 👍", ["🎉", "👍"])
    assert expand_shortcodes_used("nothing :here:") == ("nothing :here:", [])


def test_completion_puts_the_common_alias_first() -> None:
    assert complete("thu")[0] == (":thumbsup:", "👍")
    assert complete(":thu")[0] == (":thumbsup:", "👍")  # the colon may come along
    assert complete("+1") == [(":+1:", "👍")]
    assert complete("smi")[0] == (":smile:", "😄")


def test_completion_ranks_exact_then_recent_then_prefix_then_substring() -> None:
    exact = complete("heart")
    assert exact[0] == (":heart:", "❤️")
    # A recently used emoji whose name matches comes right after an exact match...
    with_recent = complete("heart", recent=["💘", "🍕"])
    assert with_recent[:2] == [(":heart:", "❤️"), (":heart_with_arrow:", "💘")]
    # ... and before every prefix match when nothing matches exactly.
    assert complete("hea", recent=["💘"])[0][1] == "💘"
    # Prefix matches before words inside a name, before anything else containing it.
    codes = [code for code, _ in complete("heart", limit=200)]
    first_inner = next(i for i, c in enumerate(codes) if not c.startswith(":heart"))
    assert all(c.startswith(":heart") for c in codes[:first_inner])
    assert ":red_heart:" not in codes  # ❤️ is listed once, under the name that matched first


def test_completion_is_bounded_unique_and_hides_skin_tones_unless_asked() -> None:
    found = complete("face", limit=8)
    assert len(found) == 8
    assert len({glyph for _, glyph in found}) == 8
    assert all(strip_tones(glyph) == glyph for _, glyph in complete("thumbs", limit=50))
    assert any(strip_tones(g) != g for _, g in complete("thumbs_up_medium", limit=5))
    assert complete("") == []
    assert complete("zzzzqqq") == []


def test_every_suggestion_expands_back_to_its_emoji() -> None:
    for query in ("thu", "smi", "hea", "fla", "cat", "key"):
        for code, glyph in complete(query, limit=20):
            assert expand_shortcodes(code) == glyph


def test_as_shortcodes_names_each_emoji_and_round_trips() -> None:
    text = "ok 👍 ❤️ 👩‍💻 🇫🇷 1️⃣ 👍🏽 🫠 done"
    shown = as_shortcodes(text)
    assert shown.isascii()
    assert ":thumbsup:" in shown and ":melting_face:" in shown
    assert expand_shortcodes(shown) == text
    assert as_shortcodes("plain text") == "plain text"


def test_lookup_and_shortcode() -> None:
    assert lookup(":+1:") == lookup("thumbs_up") == "👍"
    assert lookup("nope") is None
    assert shortcode("👍") == ":thumbsup:"
    assert shortcode("❤") == ":heart:"  # without VS16 too
    assert shortcode("a") is None


def test_catalogue_has_unicode_groups_with_tones_folded() -> None:
    cat = catalogue()
    groups = [name for name, _ in cat.groups]
    assert groups[0] == "Smileys & Emotion" and groups[-1] == "Flags"
    assert "Component" not in groups
    entries = cat.entries()
    assert 1800 < len(entries) < 2200  # ~1,900 without skin-tone forms
    glyphs = {e.glyph for e in entries}
    assert not any(strip_tones(g) != g for g in glyphs)
    thumbs = cat.find("👍🏽")
    assert thumbs is not None and thumbs.glyph == "👍"
    assert thumbs.with_tone(3) == "👍🏽" and thumbs.with_tone(0) == "👍"
    assert len(thumbs.tones) == 5
    # Flags, keycaps and ZWJ sequences are whole entries.
    assert {
        "🇫🇷",
        "1️⃣",
        "👩\u200d💻",
        "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
    } <= glyphs


def test_catalogue_search_by_name_and_alias() -> None:
    cat = catalogue()
    assert cat.search("thumbsup")[0].glyph == "👍"  # alias
    assert cat.search("thumbs up")[0].glyph == "👍"  # Unicode name
    assert "🇫🇷" in [e.glyph for e in cat.search("france")]
    assert cat.search("qqqzzz") == []


def test_every_emoji_in_the_catalogue_is_one_or_two_cells() -> None:
    # The picker's grid pads each emoji to two cells; none may be wider.
    for entry in catalogue().entries():
        for glyph in (entry.glyph, *entry.tones):
            assert 1 <= cell_len(glyph) <= 2, (glyph, entry.name)


def test_fallback_catalogue_without_group_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(emoji_names, "_emoji_test_text", lambda: None)
    emoji_names.catalogue.cache_clear()
    try:
        cat = emoji_names.catalogue()
        assert [name for name, _ in cat.groups] == [emoji_names.FALLBACK_GROUP]
        assert cat.find("👍🏽") is not None
        assert len(cat.entries()) > 1500
    finally:
        emoji_names.catalogue.cache_clear()


def test_importing_costs_nothing_heavy() -> None:
    # The app imports the composer (and so this module) before its first frame.
    code = (
        "import sys; import chatui.core.emoji_names, chatui.ui.widgets.composer;"
        "print('emoji' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_catalogue_search_puts_the_emoji_called_exactly_that_first() -> None:
    cat = catalogue()
    # Unicode's order puts "heart on fire" and the firefighters before 🔥 itself.
    assert [e.glyph for e in cat.search("fire")[:2]] == ["🔥", "❤️\u200d🔥"]
    assert cat.search("  Fire ")[0].glyph == "🔥"  # case and spaces do not matter
    assert cat.search("party popper")[0].glyph == "🎉"
    # A whole word beats a word's start: "fire engine" before "firecracker".
    names = [e.name for e in cat.search("fire")]
    assert names.index("fire engine") < names.index("firecracker")
