"""Web links in message text: where they are, and which may be opened.

A link is shown as what it is: the address itself, underlined, never a word with
a target hidden behind it (no OSC 8 hyperlinks; tests/hostile). So this module
finds addresses in the text *as it is drawn* — after :func:`chatui.core.sanitize.safe_text`
— and what the user opens is exactly the underlined text. Only ``http://`` and
``https://`` addresses count: a ``javascript:``, ``file:`` or ``data:`` string is
plain text, never a link, and is never handed to a browser.

An address ends at whitespace, at characters that cannot be in one unquoted
(``<>"`` and the backtick), and at anything the sanitiser made visible in place of
a control or an invisible character (control pictures, ``⟨U+XXXX⟩``, ``�``), so a
hidden character can never hide inside a link. Punctuation that ends a sentence
(``.,;:!?'``) is not part of it, nor a closing bracket that has no opening one
inside it ("(see https://example.org/a)").

Pure Python: the message view underlines what this finds and the "Open link"
action opens the first one.
"""

from __future__ import annotations

import re
from typing import NamedTuple

MAX_URL_CHARS = 2048
"""The longest address taken as one link (browsers take about this much)."""

# Not in a link: whitespace, characters an address never holds unquoted, the
# sanitiser's stand-ins for controls (U+2400-U+2421), for invisible characters
# (the brackets of "⟨U+200B⟩") and for broken text (U+FFFD).
_STOP = r"\s<>\"`\u2400-\u2426\u27e8\u27e9\ufffd"
_URL = re.compile(rf"(?<![\w/.+-])https?://[^{_STOP}/?#]+[^{_STOP}]{{0,{MAX_URL_CHARS}}}", re.I)
_TRAILING = ".,;:!?'*_~"
_PAIRS = {")": "(", "]": "[", "}": "{"}


class Link(NamedTuple):
    """One address in a text: ``text[start:end] == url``."""

    start: int
    end: int
    url: str


def find_links(text: str) -> list[Link]:
    """Every http(s) address in ``text`` (drawn text: already sanitised), in order."""
    if "://" not in text:
        return []
    found: list[Link] = []
    for match in _URL.finditer(text):
        url = _trimmed(match.group())
        if len(url) > MAX_URL_CHARS:
            url = url[:MAX_URL_CHARS]
        if _has_host(url):
            found.append(Link(match.start(), match.start() + len(url), url))
    return found


def openable(url: str) -> bool:
    """May ``url`` be handed to a browser: an http(s) address found as a whole by
    :func:`find_links` (so nothing a browser could read as a command or a file)."""
    links = find_links(url)
    return len(links) == 1 and links[0].url == url


def _trimmed(url: str) -> str:
    """``url`` without the sentence's punctuation after it, nor an unopened bracket."""
    while url:
        last = url[-1]
        unopened = last in _PAIRS and url.count(_PAIRS[last]) < url.count(last)
        if last not in _TRAILING and not unopened:
            break
        url = url[:-1]
    return url


def _has_host(url: str) -> bool:
    rest = url.split("://", 1)[1]
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    return bool(host.strip(".:@"))
