"""Opaque string ids over SQLite's integer row ids.

Clients must treat ids as opaque strings (docs/server.md). A one-letter kind prefix
keeps a thread id from ever being mistaken for a message id in logs and tests, and
lets the server refuse a malformed id without a database round trip.
"""

from __future__ import annotations

import re

_ID = re.compile(r"([utm])([1-9][0-9]{0,17})")


def user_id(n: int) -> str:
    return f"u{n}"


def thread_id(n: int) -> str:
    return f"t{n}"


def message_id(n: int) -> str:
    return f"m{n}"


def parse(kind: str, text: object) -> int | None:
    """The row id in ``text`` when it is a well-formed id of ``kind`` ("u", "t", "m")."""
    if not isinstance(text, str):
        return None
    match = _ID.fullmatch(text)
    if match is None or match.group(1) != kind:
        return None
    return int(match.group(2))
