"""Text folding for matching a search against message text: case and accents away.

The reference server's search route matches with it, and the Matrix adapter
checks an edited message's new text with it, so "cafe" finds "Café" and "CAFÉ"
in both. Pure Python on purpose: the server keeps the standard library's SQLite
3.40, whose FTS5 has no ``remove_diacritics`` for trigrams (docs/server.md).

Only the marks that sit on Latin, Greek and Cyrillic letters are dropped (the
Unicode blocks of combining diacritics), not every combining character: a
Japanese voiced mark (が vs か) or an Indic vowel sign changes the word, and both
sides are folded alike, so what stays decomposed still matches itself.
"""

from __future__ import annotations

import re
import unicodedata

# Combining Diacritical Marks and their supplements and extensions, and the
# combining half marks: the accents NFKD splits off Latin, Greek and Cyrillic.
_DIACRITICS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")

# A term is a "quoted phrase" (an unclosed quote runs to the end) or a word.
_TERM = re.compile(r'"([^"]*)"?|([^\s"]+)')


def fold(text: str) -> str:
    """``text`` for matching: case-folded, compatibility-decomposed, without accents.

    ASCII takes the short way (most message text is ASCII, and this runs over
    every candidate message on the server).
    """
    if text.isascii():
        return text.lower()
    return _DIACRITICS.sub("", unicodedata.normalize("NFKD", text.casefold()))


def split(query: str) -> list[str]:
    """A query's terms as typed: words split on whitespace, and ``"quoted phrases"``
    kept whole (an unclosed quote runs to the end), spaces inside squeezed to one.
    Empty ones are dropped. For a server that folds and matches in its own way
    (Matrix); :func:`terms` is what to match with here."""
    found: list[str] = []
    for match in _TERM.finditer(query):
        phrase, word = match.groups()
        term = " ".join((phrase if phrase is not None else word).split())
        if term:
            found.append(term)
    return found


def terms(query: str) -> list[str]:
    """The folded terms of a query (:func:`split`), each of which must occur in a
    matching text; repeats dropped, in the query's order."""
    return list(dict.fromkeys(t for t in map(fold, split(query)) if t))


def matches(text: str, folded_terms: list[str] | tuple[str, ...]) -> bool:
    """Whether every one of ``folded_terms`` (from :func:`terms`) occurs in ``text``."""
    folded = fold(text)
    return all(term in folded for term in folded_terms)
