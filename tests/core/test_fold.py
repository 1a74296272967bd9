"""chatui.core.fold: what a search term matches, the same on the server and Matrix."""

from __future__ import annotations

import pytest

from chatui.core.fold import fold, matches, terms


@pytest.mark.parametrize(
    ("text", "query", "found"),
    [
        ("The CAFÉ", "cafe", True),
        ("Crème brûlée", "CREME brulee", True),
        ("Straße", "strasse", True),
        ("Ångström", "angstrom", True),
        ("Ἀθῆναι", "αθηναι", True),  # Greek breathings and accents
        ("Ёлка", "елка", True),  # Cyrillic diaeresis
        ("ﬁle", "file", True),  # a ligature, by compatibility decomposition
        ("ＦＵＬＬＷＩＤＴＨ", "fullwidth", True),
        ("我们明天一起吃午餐吧", "午餐", True),
        # A Japanese voiced mark changes the word: が is not か.
        ("がっこう", "かっこう", False),
        ("がっこう", "がっこ", True),
        ("lunch at noon", "noon lunch", True),
        ("lunch at noon", "dinner lunch", False),
    ],
)
def test_matching(text: str, query: str, found: bool) -> None:
    assert matches(text, terms(query)) is found


def test_terms_are_words_and_quoted_phrases() -> None:
    assert terms('staging  "the  Key" vault') == ["staging", "the key", "vault"]
    assert terms('"unclosed phrase runs on') == ["unclosed phrase runs on"]
    assert terms("Word word WORD") == ["word"]
    assert terms('   ""  ') == []


def test_ascii_takes_the_short_way_to_the_same_answer() -> None:
    assert fold("Hello World") == "hello world"
    assert fold("Héllo") == "hello"
