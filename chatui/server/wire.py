"""How the reference server renders its rows on the wire (docs/server.md): the JSON
shapes of messages and vanish settings, built in one place for every route, the
event stream and the seeding API.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

from chatui.server import ids


@functools.lru_cache(maxsize=64)
def _parse_vanish(text: str) -> dict[str, Any]:
    return json.loads(text)


def vanish_setting(text: str) -> dict[str, Any]:
    """A stored vanish setting; there are few distinct ones, so parse each once."""
    return dict(_parse_vanish(text))


Reactions = dict[int, dict[str, list[str]]]
"""message row id -> {emoji: [usernames in the order they reacted]}"""


def message_json(row: Sequence[Any], reactions: Reactions | None = None) -> dict[str, Any]:
    """Render a message row as the database selects it (or a thread row's message part):
    the columns of ``_MESSAGE_SELECT`` in chatui/server/db.py, in its order."""
    mid, tid, _sender_id, sender, body, ts, txn, reply_to, vanish, kind, change = row[:11]
    edited_ts, mentioned = row[11:13]
    return {
        "message_id": ids.message_id(mid),
        "thread_id": ids.thread_id(tid),
        "sender": sender,
        "body": body,
        "ts": ts,
        "txn_id": txn,
        "reply_to": ids.message_id(reply_to) if reply_to is not None else None,
        "reactions": (reactions or {}).get(mid, {}),
        "vanish": vanish_setting(vanish),
        "kind": kind,
        "change": json.loads(change) if change is not None else None,
        "edited_ts": edited_ts,
        # group_concat's order is SQLite's choice: sorted, so answers are stable.
        "mentions": sorted(mentioned.split(" ")) if mentioned else [],
    }
