"""The sanitiser against every case of the hostile corpus.

Whatever a case attacks with, its safe form must be inert (nothing a terminal acts
on, nothing invisible that reorders or hides text) and must still show what the
sender wrote: a sanitiser that "wins" by deleting messages fails here.
"""

from __future__ import annotations

import io
import json
import unicodedata

import pytest
from rich.console import Console
from rich.text import Text

from chatui.core.sanitize import MAX_JOINS, MAX_MARKS, MAX_TAGS, grapheme_spans, safe_text
from tests.hostile import corpus

CASES = pytest.mark.parametrize("case", corpus.ALL, ids=lambda case: case.name)
VARIANTS = pytest.mark.parametrize(
    "options",
    [{}, {"single_line": True}, {"max_len": 300}, {"single_line": True, "max_len": 40}],
    ids=["body", "preview", "capped", "short-preview"],
)


def _body(case: corpus.Case) -> str:
    """The body as a client receives it (one case arrives rewritten by a server)."""
    return corpus.as_received_from_a_hostile_server(case)


def _inert_problems(case: corpus.Case, shown: str, *, single_line: bool) -> list[str]:
    allowed = {"\n", "\t"} if not single_line else set()
    return [
        f"U+{ord(ch):04X} at {index}"
        for index, ch in enumerate(shown)
        if not ch.isprintable() and ch not in allowed and ch not in case.allowed_invisible
    ]


@CASES
@VARIANTS
def test_safe_form_is_inert(case: corpus.Case, options: dict) -> None:
    shown = safe_text(_body(case), **options)
    assert "\x1b" not in shown
    assert not any(0x80 <= ord(ch) <= 0x9F for ch in shown), "a C1 control survived"
    assert not _inert_problems(case, shown, single_line=options.get("single_line", False))
    shown.encode("utf-8")  # writable to any UTF-8 terminal: no lone surrogate left


@CASES
def test_safe_form_keeps_what_the_sender_wrote(case: corpus.Case) -> None:
    shown = safe_text(_body(case))
    assert shown.startswith(case.marker)
    for text in case.kept:
        assert text in shown, f"{text!r} was lost"
    # Every control character is shown as something, never silently dropped
    # (soft hyphens, the one exception, are invisible in print too).
    controls = sum(
        1
        for ch in _body(case)
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")
        and ch not in case.allowed_invisible
        and ch not in "\n\t\u00ad"
    )
    placeholders = sum(1 for ch in shown if 0x2400 <= ord(ch) <= 0x2421) + shown.count("⟨U+")
    replacements = shown.count("\ufffd")
    newlines = shown.count("\n") - _body(case).count("\n")  # U+2028/2029 become newlines
    assert placeholders + replacements + newlines >= controls


@CASES
def test_rich_renders_the_safe_form_without_any_control_sequence(case: corpus.Case) -> None:
    """The UI's way: a Rich Text built from the safe form, never markup.

    Rendered without colours, the console output then holds nothing but what the
    text itself holds: any ESC in it would have come from the message.
    """
    console = Console(
        file=io.StringIO(), width=100, color_system=None, force_terminal=True, legacy_windows=False
    )
    console.print(Text(safe_text(_body(case), max_len=5_000)))
    written = console.file.getvalue()
    assert "\x1b" not in written
    assert not any(0x80 <= ord(ch) <= 0x9F for ch in written)


def test_markup_and_action_tags_stay_literal_text() -> None:
    case = next(c for c in corpus.CASES if c.name == "rich_markup_and_textual_actions")
    text = Text(safe_text(_body(case)))
    assert text.spans == []  # nothing was interpreted as style or action
    assert "[@click=app.quit]clickme[/]" in text.plain


def test_zalgo_is_capped_and_cheap() -> None:
    case = next(c for c in corpus.CASES if c.name == "zalgo")
    shown = safe_text(_body(case))
    run = longest = 0
    for ch in shown:
        run = run + 1 if unicodedata.combining(ch) or unicodedata.category(ch) == "Me" else 0
        longest = max(longest, run)
    assert longest <= MAX_MARKS
    assert len(shown) < 200  # ~4,000 marks in, a short line out


def test_lone_surrogates_from_a_json_escape_are_made_safe() -> None:
    """A server's JSON may carry ``\\ud800``: Python decodes it into a lone surrogate,
    which no terminal encoding can write. The safe form replaces it."""
    body = json.loads('"HX91 high\\ud800 low\\udfff"')
    shown = safe_text(body)
    assert shown == "HX91 high\ufffd low\ufffd"
    shown.encode("utf-8")


def test_the_one_megabyte_body_costs_only_its_shown_prefix() -> None:
    shown = safe_text(corpus.OVERSIZE.body, max_len=20_000)
    assert len(shown) == 20_001 and shown.endswith("…")


MAX_GRAPHEME = 1 + MAX_JOINS + (MAX_JOINS + 1) * (1 + MAX_MARKS)
"""The longest cluster the caps allow: an emoji sequence of MAX_JOINS + 1 emoji
joined by ZWJs, each with MAX_MARKS marks (real ones are at most ~10 code points)."""


@CASES
@VARIANTS
def test_no_grapheme_in_the_safe_form_is_unbounded(case: corpus.Case, options: dict) -> None:
    """Rich lays out a grapheme as one unit of one or two cells; a terminal that does
    not join its parts draws each of them. Capping clusters caps that difference."""
    shown = safe_text(_body(case), **options)
    longest = max((end - start for start, end, _ in grapheme_spans(shown)), default=0)
    assert longest <= max(MAX_GRAPHEME, MAX_TAGS + 2)
