"""Server-side search (``POST /search``) and opening a room around one message
(``/context`` then ``/messages`` both ways), against a real Synapse; plus a fake
homeserver for the answers Synapse never gives.

The messages are written by raw-HTTP MatrixUsers, so what the adapter finds was
put there independently of it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from chatui.backends.base import BackendError, BadRequestError
from chatui.backends.matrix import MatrixBackend
from chatui.backends.matrix.convert import VANISH_EVENT, VANISH_FIELD
from chatui.core.models import AccountConfig
from tests.backends.fake_server import FakeServer
from tests.backends.matrix.helpers_matrix import in_thread, logged_in, set_display_name

pytestmark = pytest.mark.timeout(180)


async def _all_pages(backend: MatrixBackend, query: str, limit: int) -> list[Any]:
    found: list[Any] = []
    cursor = None
    for _ in range(20):
        page = await backend.search(query, limit=limit, cursor=cursor)
        found += page.results
        cursor = page.next_cursor
        if cursor is None:
            return found
    raise AssertionError("search kept giving a next page")


async def test_a_message_one_user_sent_is_found_by_a_word_from_it(synapse, matrix_user) -> None:
    alice, bob, carol = matrix_user("alice"), matrix_user("bob"), matrix_user("carol")
    set_display_name(bob, "Bob Builder")
    room = bob.create_room(invite=[alice.user_id], name="Ops")
    alice.join(room)
    bob.send_text(room, "deploy went fine")
    sent = bob.send_text(room, "the staging key is in the blue vault")
    bob.send_text(room, "lunch?")
    backend = await logged_in(synapse, alice, "mx-alice")
    outsider = await logged_in(synapse, carol, "mx-carol")
    try:
        await backend.threads()  # the picture sync keeps: display names
        page = await backend.search("staging vault")
        nobody = await outsider.search("staging vault")
    finally:
        await backend.close()
        await outsider.close()
    [found] = page.results
    assert found.thread_key == ("mx-alice", room)
    assert (found.message_id, found.sender, found.body) == (
        sent,
        bob.user_id,
        "the staging key is in the blue vault",
    )
    assert found.sender_name == "Bob Builder"
    assert page.next_cursor is None
    assert nobody.results == ()  # carol is in no room with it


async def test_results_come_newest_first_a_page_at_a_time(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = bob.create_room(invite=[alice.user_id], name="Invoices")
    alice.join(room)
    for n in range(25):
        bob.send_text(room, f"invoice {n}" if n % 5 else f"receipt {n}")
    backend = await logged_in(synapse, alice)
    try:
        found = await _all_pages(backend, "invoice", limit=8)
    finally:
        await backend.close()
    assert [m.body for m in found] == [f"invoice {n}" for n in range(24, -1, -1) if n % 5]


async def test_edits_redactions_and_vanish_mode_are_respected(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = bob.create_room(invite=[alice.user_id], name="Plans")
    alice.join(room)
    moved = bob.send_text(room, "rendezvous at the fountain")
    bob.send_event(
        room,
        "m.room.message",
        {
            "msgtype": "m.text",
            "body": "* rendezvous at the bridge",
            "m.new_content": {"msgtype": "m.text", "body": "rendezvous at the bridge"},
            "m.relates_to": {"rel_type": "m.replace", "event_id": moved},
        },
    )
    bob.redact(room, bob.send_text(room, "the croissant recipe"))
    bob.send_event(
        room,
        "m.room.message",
        {"msgtype": "m.text", "body": "croissant, vanishing", VANISH_FIELD: {"mode": "vanish"}},
    )
    secret = bob.create_room(invite=[alice.user_id], name="Secret")
    alice.join(secret)
    bob.send_text(secret, "croissant in a vanishing room")
    bob.set_state(secret, VANISH_EVENT, "", {"mode": "timer", "seconds": 3600})
    backend = await logged_in(synapse, alice)
    try:
        bridge = await backend.search("bridge")
        fountain = await backend.search("fountain")
        croissant = await backend.search("croissant")
    finally:
        await backend.close()
    # The edit matched: it stands for the message it edited, with its new text.
    [edited] = bridge.results
    assert (edited.message_id, edited.body, edited.edited) == (
        moved,
        "rendezvous at the bridge",
        True,
    )
    # Only the old text held "fountain": not a match any more.
    assert fountain.results == ()
    # Redacted, sent to vanish, or in a room whose vanish mode is on: never found.
    assert croissant.results == ()


async def test_history_around_a_message_deep_in_a_room(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = bob.create_room(invite=[alice.user_id], name="Long")
    alice.join(room)

    def fill() -> list[str]:
        ids = []
        for n in range(150):
            ids.append(bob.send_text(room, f"line {n}"))
            if n == 63:
                bob.react(room, ids[62], "🎉")  # within the window read around line 60
            if n == 120:
                alice.react(room, ids[60], "👍")  # far after it
            if n == 75:
                bob.send_event(
                    room,
                    "m.room.message",
                    {
                        "msgtype": "m.text",
                        "body": "* line 58, edited",
                        "m.new_content": {"msgtype": "m.text", "body": "line 58, edited"},
                        "m.relates_to": {"rel_type": "m.replace", "event_id": ids[58]},
                    },
                )
        return ids

    ids = await in_thread(fill)
    expected = [f"line {n}" if n != 58 else "line 58, edited" for n in range(150)]
    backend = await logged_in(synapse, alice)
    try:
        window = await backend.history_around(room, ids[60], limit=11)
        # Page out both ways from there, as the conversation does while scrolling.
        seen = list(window.messages)
        older, newer = window.older, window.newer
        while older is not None:
            page = await backend.history(room, before=older, limit=20)
            seen = page + seen
            older = page[0].message_id if page else None
        while newer is not None:
            page = await backend.history_after(room, newer, limit=20)
            seen += page
            newer = page[-1].message_id if page else None
        at_the_end = await backend.history_around(room, ids[-1], limit=6)
    finally:
        await backend.close()
    assert window.anchor == ids[60]
    assert [m.body for m in window.messages] == expected[55:66]
    anchor = window.messages[5]
    assert anchor.message_id == ids[60]
    assert dict(anchor.reactions) == {"👍": (alice.user_id,)}
    assert dict(window.messages[7].reactions) == {"🎉": (bob.user_id,)}
    assert window.older == ids[55]
    assert window.newer == ids[65]
    lines = [m.body for m in seen if m.body.startswith("line")]
    assert lines == expected
    assert len({m.message_id for m in seen}) == len(seen)
    # At the newest message the window is filled from the older side.
    assert [m.body for m in at_the_end.messages] == expected[-6:]
    assert at_the_end.newer is None


async def test_an_empty_query_is_refused_before_asking(synapse, matrix_user) -> None:
    backend = await logged_in(synapse, matrix_user("alice"))
    try:
        with pytest.raises(BadRequestError, match="at least one word"):
            await backend.search('  "" ')
    finally:
        await backend.close()


# --- a fake homeserver for answers Synapse never gives ----------------------------------


class FakeSearchServer:
    """Answers whoami, and /search and /context as each test says."""

    def __init__(self, answers: list[tuple[int, Any]]) -> None:
        self.answers = answers
        self.calls = 0
        v3 = "/_matrix/client/v3"
        self.app = Starlette(
            routes=[
                Route(f"{v3}/account/whoami", self.whoami),
                Route(f"{v3}/search", self.answer, methods=["POST"]),
                Route(f"{v3}/rooms/{{room}}/context/{{event}}", self.answer),
            ]
        )

    async def whoami(self, request: Request) -> JSONResponse:
        return JSONResponse({"user_id": "@alice:fake", "device_id": "D"})

    async def answer(self, request: Request) -> JSONResponse:
        self.calls += 1
        status, body = self.answers.pop(0) if self.answers else (200, {})
        return JSONResponse(body, status)


async def _fake_backend(url: str) -> MatrixBackend:
    backend = MatrixBackend(
        AccountConfig("fake", "matrix", url, "@alice:fake", "F", "#ff8700", "file")
    )
    await backend.restore("token")
    return backend


@pytest.mark.parametrize(
    "answer",
    [
        ["a", "list"],
        {"search_categories": []},
        {"search_categories": {"room_events": {"results": {"not": "a list"}}}},
        {"search_categories": {"room_events": {"results": [], "next_batch": 7}}},
    ],
)
async def test_a_malformed_search_answer_is_one_backend_error(answer: Any) -> None:
    fake = FakeSearchServer([(200, answer)])
    with FakeServer(fake.app) as server:
        backend = await _fake_backend(server.url)
        try:
            with pytest.raises(BackendError, match="the homeserver sent"):
                await backend.search("anything")
        finally:
            await backend.close()


async def test_odd_results_are_skipped_and_the_rest_shown() -> None:
    good = {
        "type": "m.room.message",
        "room_id": "!r:fake",
        "event_id": "$good",
        "sender": "@bob:fake",
        "origin_server_ts": 1_700_000_000_000,
        "content": {"msgtype": "m.text", "body": "the plan"},
    }
    results = [
        "junk",
        {"rank": 1},
        {"result": {**good, "room_id": 5}},
        {"result": {**good, "event_id": "$nobody", "sender": None}},
        {"result": {**good, "content": "not an object"}},
        {"result": good},
    ]
    answer = {"search_categories": {"room_events": {"results": results, "count": 6}}}
    # The vanish state of a room the backend has no picture of: none set (404).
    fake = FakeSearchServer([(200, answer)])
    fake.app.router.routes.append(
        Route(
            "/_matrix/client/v3/rooms/{room}/state/{kind}/",
            lambda request: JSONResponse({"errcode": "M_NOT_FOUND", "error": "none"}, 404),
        )
    )
    with FakeServer(fake.app) as server:
        backend = await _fake_backend(server.url)
        try:
            page = await backend.search("plan")
        finally:
            await backend.close()
    assert [(m.message_id, m.body) for m in page.results] == [("$good", "the plan")]


async def test_a_short_rate_limit_on_search_is_waited_out() -> None:
    limited = {"errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests", "retry_after_ms": 50}
    empty = {"search_categories": {"room_events": {"results": [], "count": 0}}}
    fake = FakeSearchServer([(429, limited), (200, empty)])
    with FakeServer(fake.app) as server:
        backend = await _fake_backend(server.url)
        try:
            page = await asyncio.wait_for(backend.search("anything"), 30)
        finally:
            await backend.close()
    assert (page.results, page.next_cursor, fake.calls) == ((), None, 2)


async def test_a_malformed_context_answer_is_one_backend_error() -> None:
    fake = FakeSearchServer([(200, {"event": "not an event", "start": "s", "end": "e"})])
    with FakeServer(fake.app) as server:
        backend = await _fake_backend(server.url)
        try:
            with pytest.raises(BackendError, match="malformed context"):
                await backend.history_around("!r:fake", "$e")
        finally:
            await backend.close()
