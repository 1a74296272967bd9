"""Full-text search on the reference server: matching in SQL, and the page cursor.

Why no index: the server promises that unsent, expired and edited text leaves its
files at once (``secure_delete`` plus a WAL checkpoint, docs/vanish.md). An FTS5
index keeps a deleted row's terms in its segments until they are merged, and
erasing them on delete (FTS5 ``secure-delete``) needs SQLite 3.44, while the
server keeps the standard library's sqlite3 (3.40 here), whose trigram tokenizer
cannot ignore accents either (``remove_diacritics`` came in 3.45).

So each text message keeps its body folded by :func:`chatui.core.fold.fold` (case
and accents away) in ``messages.folded``, written with the body, overwritten with
it on an edit and emptied with it when the message is unsent or expires: the same
row, so the same zeroed page. A message sent to vanish gets none. A search reads
the caller's messages newest first and keeps those whose folded text holds every
folded term (``instr``, in C): substring matching, so prefixes while typing, words
inside words and scripts without spaces (Chinese, Japanese) all match.

The cost: each of the caller's threads is read newest first down its index, and
SQLite leaves a thread once nothing older in it could still make the page, so a
common term answers in about a millisecond; a rare one costs a pass over the
caller's whole history (about 0.7 s per 200,000 messages here). A reference server
can afford that; the client's own index is the fast path (issue 14).

No HTTP here: this is part of the server's storage layer.
"""

from __future__ import annotations

import re
import sqlite3

from chatui.core.fold import fold
from chatui.server.refusals import InvalidCursor

FOLD_FUNCTION = "chatui_fold"
"""The SQL function ``chatui_fold(text)``: :func:`chatui.core.fold.fold`, for the
migration that fills ``messages.folded`` in a file from before search."""

_CURSOR = re.compile(r"s([0-9]{1,18})\.([0-9]{1,18})")


def folded(body: str, vanish_mode: str) -> str | None:
    """What ``messages.folded`` holds for a text message: None for one sent to vanish
    (it is never found, so no second copy of its text is kept)."""
    return fold(body) if vanish_mode == "off" else None


def _fold(text: object) -> str | None:
    return fold(text) if isinstance(text, str) else None


def register(conn: sqlite3.Connection) -> None:
    """Make :data:`FOLD_FUNCTION` available on ``conn`` (every connection gets it)."""
    conn.create_function(FOLD_FUNCTION, 1, _fold, deterministic=True)


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
