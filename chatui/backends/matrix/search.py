"""Server-side search and paging from a point, the parts without I/O.

``POST /search`` (``search_categories.room_events``) is asked for the newest
matches first (``order_by: recent``) in message bodies; its answer is read here
into ``(room id, event)`` pairs and the ``next_batch`` token, refusing a shape that
is not the spec's. What becomes of each event (a line, a tombstone, an edit's
target) is the adapter's business, with the conversion every other event goes
through.

How Synapse matches: by its full-text index, whole words (no prefixes), and on
SQLite case-insensitive for ASCII letters only; end-to-end encrypted rooms cannot
be searched on the server at all (docs/matrix.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chatui.backends.base import BackendError
from chatui.backends.matrix.convert import (
    MESSAGE_TYPES,
    SETTING_EVENTS,
    edit_target,
    is_state,
)
from chatui.core.fold import split

MAX_LIMIT = 100
"""Results asked for per page (Synapse's own page is 10 unless the filter says)."""


class MalformedSearch(BackendError):
    """The homeserver's search answer does not have the spec's shape."""

    def __init__(self, what: str) -> None:
        super().__init__(f"the homeserver sent malformed search results ({what})")


def search_term(query_text: str) -> str:
    """The ``search_term`` for a query: each word or phrase quoted, so that every
    one must match (Synapse would read a bare ``or`` or ``-word`` as an operator)."""
    return " ".join(f'"{term}"' for term in split(query_text))


def search_request(query_text: str, limit: int) -> dict[str, Any]:
    return {
        "search_categories": {
            "room_events": {
                "search_term": search_term(query_text),
                "keys": ["content.body"],
                "order_by": "recent",
                "filter": {"limit": max(1, min(limit, MAX_LIMIT)), "types": ["m.room.message"]},
            }
        }
    }


def read_search(data: Any) -> tuple[list[tuple[str, Mapping[str, Any]]], str | None]:
    """The hits (room id, event) in the server's order and the ``next_batch`` token.

    A wrong shape of the answer itself is :class:`MalformedSearch`; one result that
    is not an event with a room is left out, as history leaves out one bad event.
    """
    categories = data.get("search_categories") if isinstance(data, Mapping) else None
    room_events = categories.get("room_events") if isinstance(categories, Mapping) else None
    if not isinstance(room_events, Mapping):
        raise MalformedSearch("no room_events")
    results = room_events.get("results", [])
    following = room_events.get("next_batch")
    if not isinstance(results, list):
        raise MalformedSearch("results is not a list")
    if following is not None and not (isinstance(following, str) and following):
        raise MalformedSearch("next_batch is not a token")
    hits: list[tuple[str, Mapping[str, Any]]] = []
    for item in results:
        event = item.get("result") if isinstance(item, Mapping) else None
        room_id = event.get("room_id") if isinstance(event, Mapping) else None
        if isinstance(event, Mapping) and isinstance(room_id, str):
            hits.append((room_id, event))
    return hits, following


def is_line(event: Mapping[str, Any]) -> bool:
    """Whether ``event`` becomes a line of history (a message, or one of chatui's
    setting changes) rather than something folded into one (a reaction, an edit):
    what a page of N lines counts."""
    kind = event.get("type")
    if kind in SETTING_EVENTS:
        return is_state(event)
    return kind in MESSAGE_TYPES and not is_state(event) and edit_target(event) is None
