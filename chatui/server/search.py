"""Full-text search on the reference server: matching in SQL, and the page cursor.

Why a scan and not an index: the server promises that unsent, expired and edited
text leaves its files at once (``secure_delete`` plus a WAL checkpoint,
docs/vanish.md). An FTS5 index keeps a deleted row's terms in its segments until
they are merged, and erasing them on delete (FTS5 ``secure-delete``) needs SQLite
3.44, while the server keeps the standard library's sqlite3 (3.40 here). So the
query reads the caller's live text messages, newest first, and keeps those whose
text, folded by :func:`chatui.core.fold.fold` (case and accents away), holds every
term: substring matching, so prefixes while typing, words inside words and
scripts without spaces (Chinese, Japanese) all match. Its cost grows with the
caller's history, which is what a reference server can afford; the client's own
index is the fast path (issue 14).

No HTTP here: this is part of the server's storage layer.
"""

from __future__ import annotations

import re
import sqlite3

from chatui.core.fold import fold
from chatui.server.refusals import InvalidCursor

MATCH_FUNCTION = "chatui_match"
"""The SQL function ``chatui_match(body, term, ...)``: 1 when the folded body holds
every (already folded) term."""

_CURSOR = re.compile(r"s([0-9]{1,18})\.([0-9]{1,18})")


def _match(body: object, *folded_terms: object) -> int:
    if not isinstance(body, str):
        return 0
    text = fold(body)
    return int(all(isinstance(term, str) and term in text for term in folded_terms))


def register(conn: sqlite3.Connection) -> None:
    """Make :data:`MATCH_FUNCTION` available on ``conn`` (every connection needs it)."""
    conn.create_function(MATCH_FUNCTION, -1, _match, deterministic=True)


def cursor(ts: int, message_row_id: int) -> str:
    """Where the next page of results starts: after the message at ``(ts, id)``.

    A position rather than a message id, so that a result deleted meanwhile does not
    break the paging; opaque to clients all the same.
    """
    return f"s{ts}.{message_row_id}"


def parse_cursor(text: str) -> tuple[int, int]:
    """The ``(ts, id)`` in a cursor from :func:`cursor`; InvalidCursor otherwise."""
    found = _CURSOR.fullmatch(text)
    if found is None:
        raise InvalidCursor("before is not a cursor from a search answer of this server")
    return int(found[1]), int(found[2])
