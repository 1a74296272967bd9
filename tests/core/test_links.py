"""Links in message text: what is underlined is exactly what would be opened."""

from __future__ import annotations

import pytest

from chatui.core.links import MAX_URL_CHARS, find_links, openable
from chatui.core.sanitize import safe_text


def urls(text: str) -> list[str]:
    shown = safe_text(text)
    links = find_links(shown)
    for link in links:  # the link is a piece of the drawn text, never something else
        assert shown[link.start : link.end] == link.url
    return [link.url for link in links]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://example.org/a.", ["https://example.org/a"]),
        ("(see https://example.org/wiki/Foo_(bar))", ["https://example.org/wiki/Foo_(bar)"]),
        ("[https://example.org]", ["https://example.org"]),
        ("HTTP://EXAMPLE.ORG/?q=1#top, then", ["HTTP://EXAMPLE.ORG/?q=1#top"]),
        ("two: http://a.io and https://b.io/x?y=1;", ["http://a.io", "https://b.io/x?y=1"]),
        ("https://münchen.de/straße!", ["https://münchen.de/straße"]),
        ("<https://example.org/x>", ["https://example.org/x"]),
    ],
)
def test_links_are_found_without_the_sentence_around_them(text: str, expected: list[str]) -> None:
    assert urls(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,<b>hi</b>",
        "ftp://example.org/file",
        "http://",
        "https:///no-host",
        "mailto:bob@example.org",
        "xhttps://example.org",  # glued to a word: not an address of its own
    ],
)
def test_only_whole_http_addresses_are_links(text: str) -> None:
    assert urls(text) == []
    assert not openable(text)


def test_a_hidden_character_ends_the_link_where_the_eye_sees_it_end() -> None:
    # Zero-width space, bidi override, ESC: each is drawn as a visible stand-in,
    # and the link stops before it, so nothing invisible is ever opened.
    assert urls("https://exa\u200bmple.com") == ["https://exa"]
    assert urls("https://good.example\u202e/moc.live") == ["https://good.example"]
    # An OSC 8 hyperlink is inert text: each address in it is a link only as far
    # as it can be read on the screen.
    hostile = "https://x.org\x1b]8;;https://evil.example\x07click"
    assert urls(hostile) == ["https://x.org", "https://evil.example"]


def test_a_very_long_address_is_cut_at_the_limit() -> None:
    found = urls("https://example.org/" + "a" * 5000)
    assert len(found) == 1 and len(found[0]) == MAX_URL_CHARS


def test_openable_is_one_whole_link() -> None:
    assert openable("https://example.org/path?q=1")
    assert openable("http://localhost:8080/")
    assert not openable("https://example.org/ and more")
    assert not openable(" https://example.org")
    assert not openable("https://example.org.")  # not what find_links would give
