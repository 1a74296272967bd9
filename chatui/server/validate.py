"""Value rules shared by the HTTP routes and the seeding API (docs/server.md).

They live apart from both so that a demo seeding through :class:`Database` gets the
same refusals as an HTTP client, and so that openapi.py can quote the very same
limits instead of repeating numbers that could drift. The limits the wire types
state (chatui/core/wire.py) are defined there and used here; the shapes of request
bodies are checked by those types before these rules run (chatui/server/routes.py).
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from chatui.core.fold import terms
from chatui.core.models import MAX_TIMER_SECONDS, BadVanish, VanishSetting, parse_vanish
from chatui.core.wire import (
    DEFAULT_SEARCH_LIMIT,
    MAX_BODY_BYTES,
    MAX_MEMBERS,
    MAX_PASSWORD_CHARS,
    MAX_SEARCH_LIMIT,
    MAX_SEARCH_QUERY_CHARS,
    MAX_SEARCH_TERMS,
    MAX_THEME_NAME_CHARS,
    MAX_TITLE_CHARS,
    TXN_ID_PATTERN,
    USERNAME_PATTERN,
)
from chatui.server.refusals import Invalid, TooLarge

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
# The whole request: big enough for a maximal message body even when every byte of it
# is JSON-escaped as \u00XX (6x), small enough that nobody can make us buffer much.
MAX_REQUEST_BYTES = 512 * 1024
MAX_VANISH_SECONDS = MAX_TIMER_SECONDS  # four weeks, as the client's own limit
MAX_THEME_BYTES = 16 * 1024  # a theme object, as compact UTF-8 JSON
MAX_THEME_DEPTH = 8  # objects/arrays within the theme object: a theme file needs 2
MAX_EMOJI_BYTES = 64  # room for the longest ZWJ sequences (families, flags with tags)
MAX_REACTIONS_PER_USER = 20  # different emoji one person may put on one message
# Bidirectional overrides and isolates: invisible, and they reorder what follows.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)

_USERNAME = re.compile(USERNAME_PATTERN[1:-1])
_TXN_ID = re.compile(TXN_ID_PATTERN[1:-1])


def _utf8_ok(text: str) -> bool:
    """False for strings with lone surrogates, which JSON allows but UTF-8 cannot hold."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def username(value: Any, field: str = "username") -> str:
    if not isinstance(value, str):
        raise Invalid("invalid_request", f"{field} must be a string")
    if not _USERNAME.fullmatch(value):
        raise Invalid(
            "invalid_username",
            f"{field} {value[:40]!r} is not a valid username: use 1 to 32 characters "
            "from a-z, 0-9, '.', '_' and '-'",
        )
    return value


def password(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid("invalid_request", "password must be a string")
    if not value:
        raise Invalid("invalid_request", "password must not be empty")
    if len(value) > MAX_PASSWORD_CHARS:
        raise Invalid(
            "invalid_request", f"password must be at most {MAX_PASSWORD_CHARS} characters"
        )
    if not _utf8_ok(value):
        raise Invalid("invalid_request", "password is not valid Unicode text")
    return value


def title(value: Any) -> str | None:
    """A thread title; an empty string means "no title" (name it after the members)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid("invalid_request", "title must be a string or null")
    if len(value) > MAX_TITLE_CHARS:
        raise Invalid("invalid_request", f"title must be at most {MAX_TITLE_CHARS} characters")
    if not _utf8_ok(value):
        raise Invalid("invalid_request", "title is not valid Unicode text")
    return value or None


def message_body(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid("invalid_request", "body must be a string")
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        raise Invalid("invalid_request", "body is not valid Unicode text") from None
    if size == 0:
        raise Invalid("invalid_request", "body must not be empty")
    if size > MAX_BODY_BYTES:
        raise TooLarge(f"body is {size} bytes of UTF-8; the limit is {MAX_BODY_BYTES}")
    return value


def txn_id(value: str) -> str:
    if not _TXN_ID.fullmatch(value):
        raise Invalid(
            "invalid_parameter",
            "txn_id must be 1 to 128 characters from A-Z, a-z, 0-9, '.', '_', '~' and '-'",
        )
    return value


def members(value: Any) -> list[str]:
    if not isinstance(value, list | tuple):  # not any Sequence: a str is one too
        raise Invalid("invalid_request", "members must be a list of usernames")
    if len(value) > MAX_MEMBERS:
        raise Invalid("invalid_request", f"a thread has at most {MAX_MEMBERS} members")
    names: list[str] = []
    for item in value:
        name = username(item, "member")
        if name not in names:
            names.append(name)
    return names


def limit(raw: str | None, default: int = DEFAULT_LIMIT, most: int = MAX_LIMIT) -> int:
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,7}", raw) or not 1 <= int(raw) <= most:
        raise Invalid("invalid_parameter", f"limit must be a whole number from 1 to {most}")
    return int(raw)


def search_limit(raw: str | None) -> int:
    """How many search results a page holds: fewer than a history page, as a person
    reads the first few, and a page for a rare word costs a pass over the caller's
    history (chatui/server/search.py)."""
    return limit(raw, DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT)


def search_terms(raw: str | None) -> list[str]:
    """The folded terms of a search query ``q`` (chatui.core.fold.terms), every one of
    which a result must hold: at least one, at most MAX_SEARCH_TERMS, from a query of
    at most MAX_SEARCH_QUERY_CHARS characters."""
    if raw is None:
        raise Invalid("invalid_parameter", "q is missing: give the words to search for")
    if len(raw) > MAX_SEARCH_QUERY_CHARS:
        raise Invalid("invalid_parameter", f"q must be at most {MAX_SEARCH_QUERY_CHARS} characters")
    if not _utf8_ok(raw):
        raise Invalid("invalid_parameter", "q is not valid Unicode text")
    found = terms(raw)
    if not found:
        raise Invalid("invalid_parameter", "q must hold at least one word to search for")
    if len(found) > MAX_SEARCH_TERMS:
        raise Invalid("invalid_parameter", f"q may hold at most {MAX_SEARCH_TERMS} words")
    return found


def one_anchor(**given: str | None) -> tuple[str, str] | None:
    """The one history anchor given (``before``, ``after`` or ``around``) as
    ``(name, message_id)``, None for none; two at once is refused."""
    named = [(name, value) for name, value in given.items() if value is not None]
    if len(named) > 1:
        raise Invalid(
            "invalid_parameter",
            f"give at most one of {', '.join(given)} (not {' and '.join(n for n, _ in named)})",
        )
    return named[0] if named else None


def flag(raw: str | None, field: str) -> bool:
    """A boolean query parameter: absent, ``false`` or ``0`` / ``true`` or ``1``."""
    if raw is None or raw in ("false", "0"):
        return False
    if raw in ("true", "1"):
        return True
    raise Invalid("invalid_parameter", f"{field} must be true or false")


def vanish(value: Any) -> VanishSetting:
    """A vanish setting, by the parser every client reads it with."""
    try:
        return parse_vanish(value)
    except BadVanish as err:
        raise Invalid("invalid_vanish", str(err)) from None


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value`` (without recursion)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level <= MAX_THEME_DEPTH:  # no need to walk further than the limit
                children = item.values() if isinstance(item, dict) else item
                stack.extend((child, level + 1) for child in children)
    return deepest


def theme(value: Any) -> dict[str, Any] | None:
    """A thread theme: ``{"name": ..., ...}``, or ``{}`` (None: back to no theme).

    Only the name is read here; the other fields are the clients' business (their
    theme loader checks them), so a newer client's fields pass through unchanged.
    """
    if not isinstance(value, dict):
        raise Invalid("invalid_theme", "the theme must be a JSON object")
    if not value:
        return None
    name = value.get("name")
    if not isinstance(name, str) or not name.strip():
        raise Invalid("invalid_theme", "the theme needs a name (a non-blank string)")
    if len(name) > MAX_THEME_NAME_CHARS:
        raise Invalid(
            "invalid_theme", f"the theme name must be at most {MAX_THEME_NAME_CHARS} characters"
        )
    if any(unicodedata.category(c) == "Cc" or c in _BIDI_CONTROLS for c in name):
        raise Invalid("invalid_theme", "the theme name must not hold control characters")
    if _depth(value) > MAX_THEME_DEPTH:
        raise Invalid("invalid_theme", f"the theme nests more than {MAX_THEME_DEPTH} levels deep")
    try:
        size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
    except UnicodeEncodeError:
        raise Invalid("invalid_theme", "the theme is not valid Unicode text") from None
    if size > MAX_THEME_BYTES:
        raise TooLarge(f"the theme is {size} bytes of JSON; the limit is {MAX_THEME_BYTES}")
    return value


def emoji(value: Any) -> str:
    """A reaction: 1..64 bytes of UTF-8 without whitespace or control characters.

    Deliberately not a check against an emoji list: those grow every year, and a
    client that cannot draw a new emoji still shows its code points safely.
    """
    if not isinstance(value, str):
        raise Invalid("invalid_emoji", "the reaction must be text")
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        raise Invalid("invalid_emoji", "the reaction is not valid Unicode text") from None
    if not 1 <= size <= MAX_EMOJI_BYTES:
        raise Invalid("invalid_emoji", f"a reaction is 1 to {MAX_EMOJI_BYTES} bytes of UTF-8")
    for char in value:
        if (
            char.isspace()
            or unicodedata.category(char) in ("Cc", "Zs", "Zl", "Zp")
            or char in _BIDI_CONTROLS
        ):
            raise Invalid(
                "invalid_emoji",
                f"a reaction must not hold whitespace or control characters (U+{ord(char):04X})",
            )
    return value
