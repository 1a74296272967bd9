"""The local adapter's server-side search and its history around a message.

Against the real reference server over loopback, and against a tiny misbehaving
one (tests/backends/fake_server.py) for answers the reference server never gives:
every bad answer is one BackendError, never a crash.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from chatui.backends.base import BackendError, BadRequestError, UnavailableError
from chatui.server.runner import ServerThread
from tests.backends.fake_server import FakeServer
from tests.backends.test_local_faults import backend_for, message_json
from tests.backends.test_local_live import account

pytestmark = pytest.mark.timeout(90)


async def test_a_word_finds_the_message_in_its_thread(server: ServerThread) -> None:
    async with (
        account(server, "alice") as alice,
        account(server, "bob") as bob,
        account(server, "carol") as carol,
    ):
        lunch = await alice.create_thread(["bob"], title="Lunch")
        sent = await alice.send(lunch.thread_id, "The Café Oberkampf at noon?", "txn-1")
        await alice.send(lunch.thread_id, "or the bakery", "txn-2")
        page = await bob.search("cafe oberkampf")
        assert page.next_cursor is None
        [found] = page.results
        assert found.thread_key == (bob.account_id, lunch.thread_id)
        assert (found.message_id, found.sender, found.body, found.ts) == (
            sent.message_id,
            "alice",
            "The Café Oberkampf at noon?",
            sent.ts,
        )
        # Carol is in no thread with it: the server finds nothing for her.
        assert (await carol.search("oberkampf")).results == ()


async def test_pages_follow_each_other(server: ServerThread) -> None:
    async with account(server, "alice") as alice, account(server, "bob") as bob:
        thread = await alice.create_thread(["bob"])
        server.database.add_messages_bulk(
            (thread.thread_id, "alice", f"invoice {i}", 1_000 + i) for i in range(25)
        )
        bodies: list[str] = []
        cursor = None
        while True:
            page = await bob.search("invoice", limit=10, cursor=cursor)
            bodies += [m.body for m in page.results]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert bodies == [f"invoice {i}" for i in range(24, -1, -1)]
        # Asking for more than the server allows in one page is not an error.
        assert len((await bob.search("invoice", limit=10_000)).results) == 25


async def test_a_bad_query_is_the_servers_refusal(server: ServerThread) -> None:
    async with account(server, "bob") as bob:
        with pytest.raises(BadRequestError, match="at least one word"):
            await bob.search("   ")
        with pytest.raises(BadRequestError, match="not a cursor"):
            await bob.search("anything", cursor="m12")


async def test_a_thread_opens_around_a_message_and_pages_both_ways(
    server: ServerThread,
) -> None:
    async with account(server, "alice") as alice, account(server, "bob") as bob:
        thread = await alice.create_thread(["bob"])
        tid = thread.thread_id
        server.database.add_messages_bulk((tid, "alice", f"line {i}", 2_000 + i) for i in range(60))
        everything = await bob.history(tid, limit=60)
        anchor = everything[31].message_id
        window = await bob.history_around(tid, anchor, limit=9)
        assert window.anchor == anchor
        assert [m.body for m in window.messages] == [f"line {i}" for i in range(27, 36)]
        assert (window.older, window.newer) == (
            window.messages[0].message_id,
            window.messages[-1].message_id,
        )
        seen = list(window.messages)
        older, newer = window.older, window.newer
        while older is not None:
            page = await bob.history(tid, before=older, limit=10)
            seen = page + seen
            older = page[0].message_id if page else None
        while newer is not None:
            page = await bob.history_after(tid, newer, limit=10)
            seen += page
            newer = page[-1].message_id if page else None
        assert seen == everything
        at_the_end = await bob.history_around(tid, everything[-1].message_id, limit=4)
        assert at_the_end.newer is None
        assert [m.body for m in at_the_end.messages] == [f"line {i}" for i in range(56, 60)]
        with pytest.raises(BadRequestError):
            await bob.history_around(tid, "m999999")


# --- a server that answers badly ----------------------------------------------------


def bad_app(answers: dict[str, Any]) -> Starlette:
    """``/v1/search`` and ``.../messages`` answer with whatever ``answers`` holds."""

    async def search(request: Request) -> Response:
        answer = answers["search"]
        return answer if isinstance(answer, Response) else JSONResponse(answer)

    async def history(request: Request) -> Response:
        return JSONResponse(answers["history"])

    return Starlette(
        routes=[Route("/v1/search", search), Route("/v1/threads/{tid}/messages", history)]
    )


@pytest.mark.parametrize(
    "answer",
    [
        ["not", "an", "object"],
        {"messages": "nope"},
        {"next": "s1.1"},
        {"messages": [], "next": 12},
        {"messages": [], "next": ""},
    ],
)
async def test_malformed_search_answers_are_one_backend_error(answer: Any) -> None:
    with FakeServer(bad_app({"search": answer})) as fake:
        backend = backend_for(fake.url)
        try:
            with pytest.raises(BackendError, match="malformed search results"):
                await backend.search("anything")
        finally:
            await backend.close()


async def test_a_rate_limited_search_says_when_to_try_again() -> None:
    busy = JSONResponse(
        {"error": "rate_limited", "message": "slow down"}, 429, headers={"Retry-After": "3"}
    )
    with FakeServer(bad_app({"search": busy})) as fake:
        backend = backend_for(fake.url)
        try:
            with pytest.raises(UnavailableError) as raised:
                await backend.search("anything")
        finally:
            await backend.close()
    assert raised.value.retry_after == 3


async def test_what_search_must_not_show_is_dropped_even_if_a_server_sends_it() -> None:
    kept = message_json("m1", "the plan")
    vanishing = {**message_json("m2", "the plan, vanishing"), "vanish": {"mode": "vanish"}}
    unsent = {**message_json("m3", ""), "kind": "deleted"}
    broken = {"message_id": "m4"}
    answer = {"messages": [kept, vanishing, unsent, broken], "next": None}
    with FakeServer(bad_app({"search": answer})) as fake:
        backend = backend_for(fake.url)
        try:
            page = await backend.search("plan")
        finally:
            await backend.close()
    assert [m.message_id for m in page.results] == ["m1"]


@pytest.mark.parametrize(
    "answer",
    [
        {"messages": {}},
        {"messages": [], "older": 3},
        {"messages": [], "newer": ["m1"]},
    ],
)
async def test_malformed_history_windows_are_one_backend_error(answer: Any) -> None:
    with FakeServer(bad_app({"history": answer})) as fake:
        backend = backend_for(fake.url)
        try:
            with pytest.raises(BackendError, match="malformed message list"):
                await backend.history_around("t1", "m1")
            with pytest.raises(BackendError, match="malformed message list"):
                await backend.history_after("t1", "m1")
        finally:
            await backend.close()
