"""Value rules shared by the HTTP routes and the seeding API (DESIGN.md §3).

They live apart from both so that a demo seeding through :class:`Database` gets the
same refusals as an HTTP client, and so that openapi.py can quote the very same
limits instead of repeating numbers that could drift.
"""

from __future__ import annotations

import re
from typing import Any

from chatui.server.errors import ApiError, bad_request

USERNAME_PATTERN = r"^[a-z0-9._-]{1,32}$"
TXN_ID_PATTERN = r"^[A-Za-z0-9._~-]{1,128}$"
MAX_BODY_BYTES = 65_536  # a message body, UTF-8 encoded
MAX_PASSWORD_CHARS = 1024  # scrypt on a megabyte-long "password" is a cheap DoS
MAX_TITLE_CHARS = 200
MAX_MEMBERS = 256
DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
# The whole request: big enough for a maximal message body even when every byte of it
# is JSON-escaped as \u00XX (6x), small enough that nobody can make us buffer much.
MAX_REQUEST_BYTES = 512 * 1024

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
        raise bad_request("invalid_request", f"{field} must be a string")
    if not _USERNAME.fullmatch(value):
        raise bad_request(
            "invalid_username",
            f"{field} {value[:40]!r} is not a valid username: use 1 to 32 characters "
            "from a-z, 0-9, '.', '_' and '-'",
        )
    return value


def password(value: Any) -> str:
    if not isinstance(value, str):
        raise bad_request("invalid_request", "password must be a string")
    if not value:
        raise bad_request("invalid_request", "password must not be empty")
    if len(value) > MAX_PASSWORD_CHARS:
        raise bad_request(
            "invalid_request", f"password must be at most {MAX_PASSWORD_CHARS} characters"
        )
    if not _utf8_ok(value):
        raise bad_request("invalid_request", "password is not valid Unicode text")
    return value


def title(value: Any) -> str | None:
    """A thread title; an empty string means "no title" (name it after the members)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_request("invalid_request", "title must be a string or null")
    if len(value) > MAX_TITLE_CHARS:
        raise bad_request("invalid_request", f"title must be at most {MAX_TITLE_CHARS} characters")
    if not _utf8_ok(value):
        raise bad_request("invalid_request", "title is not valid Unicode text")
    return value or None


def message_body(value: Any) -> str:
    if not isinstance(value, str):
        raise bad_request("invalid_request", "body must be a string")
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        raise bad_request("invalid_request", "body is not valid Unicode text") from None
    if size == 0:
        raise bad_request("invalid_request", "body must not be empty")
    if size > MAX_BODY_BYTES:
        raise ApiError(
            413, "too_large", f"body is {size} bytes of UTF-8; the limit is {MAX_BODY_BYTES}"
        )
    return value


def txn_id(value: str) -> str:
    if not _TXN_ID.fullmatch(value):
        raise bad_request(
            "invalid_parameter",
            "txn_id must be 1 to 128 characters from A-Z, a-z, 0-9, '.', '_', '~' and '-'",
        )
    return value


def members(value: Any) -> list[str]:
    if not isinstance(value, list | tuple):  # not any Sequence: a str is one too
        raise bad_request("invalid_request", "members must be a list of usernames")
    if len(value) > MAX_MEMBERS:
        raise bad_request("invalid_request", f"a thread has at most {MAX_MEMBERS} members")
    names: list[str] = []
    for item in value:
        name = username(item, "member")
        if name not in names:
            names.append(name)
    return names


def limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if not re.fullmatch(r"[0-9]{1,7}", raw) or not 1 <= int(raw) <= MAX_LIMIT:
        raise bad_request(
            "invalid_parameter", f"limit must be a whole number from 1 to {MAX_LIMIT}"
        )
    return int(raw)
