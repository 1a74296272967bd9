"""Who is typing, in words (the thread header and the list row say it so)."""

from __future__ import annotations

from rich.cells import cell_len

from chatui.core.chat_words import NAME_CELLS, typing_words


def test_one_two_and_many_typists() -> None:
    assert typing_words([]) == ""
    assert typing_words(["alice"]) == "alice is typing…"
    assert typing_words(["alice", "bob"]) == "alice and bob are typing…"
    assert typing_words(["alice", "bob", "carol"]) == "3 people are typing…"


def test_names_are_one_safe_short_line() -> None:
    words = typing_words(["\x1b[2Jmallory\nnewline" + "x" * 100])
    assert "\x1b" not in words and "\n" not in words
    assert words.startswith("␛[2Jmallory newline")
    name = words.removesuffix(" is typing…")
    assert cell_len(name) <= NAME_CELLS and name.endswith("…")
