"""History around one message and after it: opening a thread at a search result.

``around`` gives the message with its neighbours on both sides; the answer's
``older`` and ``newer`` page on from there (``before`` / ``after``) until null says
the thread ends that way. Over real HTTP to a live server.
"""

from __future__ import annotations

from typing import Any

import pytest

from chatui.server.runner import ServerThread
from tests.server.conftest import Api


def page(api: Api, thread: str, **params: Any) -> dict[str, Any]:
    response = api.get(f"/v1/threads/{thread}/messages", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def texts(answer: dict[str, Any]) -> list[str]:
    return [m["body"] for m in answer["messages"]]


@pytest.fixture
def hundred(server: ServerThread, alice: Api, bob: Api) -> tuple[str, list[dict[str, Any]]]:
    """A thread of alice and bob with "m 0" .. "m 99", two per millisecond (ties on
    ``ts`` must be ordered the same way on every page)."""
    thread = alice.new_thread("bob")["thread_id"]
    server.database.add_messages_bulk(
        (thread, "alice" if i % 2 else "bob", f"m {i}", 10_000 + i // 2) for i in range(100)
    )
    return thread, bob.history(thread, limit=100)


def test_around_gives_the_message_and_its_neighbours_both_sides(
    bob: Api, hundred: tuple[str, list[dict[str, Any]]]
) -> None:
    thread, messages = hundred
    answer = page(bob, thread, around=messages[40]["message_id"], limit=11)
    assert texts(answer) == [f"m {i}" for i in range(35, 46)]
    assert answer["older"] == messages[35]["message_id"]
    assert answer["newer"] == messages[45]["message_id"]


def test_paging_out_from_around_reaches_both_ends_without_gaps(
    bob: Api, hundred: tuple[str, list[dict[str, Any]]]
) -> None:
    thread, messages = hundred
    answer = page(bob, thread, around=messages[57]["message_id"], limit=10)
    seen = texts(answer)
    older, newer = answer["older"], answer["newer"]
    while older is not None:
        before = page(bob, thread, before=older, limit=7)
        seen = texts(before) + seen
        older = before["older"]
    while newer is not None:
        after = page(bob, thread, after=newer, limit=7)
        seen += texts(after)
        newer = after["newer"]
    assert seen == [f"m {i}" for i in range(100)]


def test_a_window_at_either_end_is_filled_from_the_other_side(
    bob: Api, hundred: tuple[str, list[dict[str, Any]]]
) -> None:
    thread, messages = hundred
    newest = page(bob, thread, around=messages[-1]["message_id"], limit=5)
    assert texts(newest) == ["m 95", "m 96", "m 97", "m 98", "m 99"]
    assert newest["newer"] is None
    assert newest["older"] == messages[95]["message_id"]
    oldest = page(bob, thread, around=messages[1]["message_id"], limit=5)
    assert texts(oldest) == ["m 0", "m 1", "m 2", "m 3", "m 4"]
    assert oldest["older"] is None
    one = page(bob, thread, around=messages[50]["message_id"], limit=1)
    assert texts(one) == ["m 50"]


def test_the_plain_pages_say_where_the_thread_ends(
    bob: Api, hundred: tuple[str, list[dict[str, Any]]]
) -> None:
    thread, messages = hundred
    latest = page(bob, thread, limit=30)
    assert (latest["older"], latest["newer"]) == (messages[70]["message_id"], None)
    first = page(bob, thread, before=messages[30]["message_id"], limit=30)
    assert texts(first) == [f"m {i}" for i in range(30)]
    assert (first["older"], first["newer"]) == (None, messages[29]["message_id"])
    after = page(bob, thread, after=messages[89]["message_id"], limit=30)
    assert texts(after) == [f"m {i}" for i in range(90, 100)]
    assert after["newer"] is None
    assert page(bob, thread, after=messages[-1]["message_id"]) == {
        "messages": [],
        "older": None,
        "newer": None,
    }


def test_around_an_unsent_message_shows_its_tombstone_and_an_expired_one_its_place(
    alice: Api, bob: Api
) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    sent = [alice.say(thread, f"n {i}") for i in range(7)]
    unsent, expired = sent[2]["message_id"], sent[4]["message_id"]
    assert alice.delete(f"/v1/threads/{thread}/messages/{unsent}").status_code == 204
    gone = alice.delete(f"/v1/threads/{thread}/messages/{expired}", params={"expired": "true"})
    assert gone.status_code == 204
    around_unsent = page(bob, thread, around=unsent, limit=3)
    assert [(m["body"], m["kind"]) for m in around_unsent["messages"]] == [
        ("n 1", "text"),
        ("", "deleted"),
        ("n 3", "text"),
    ]
    # The expired message is gone entirely, but its place in the thread is still known.
    around_expired = page(bob, thread, around=expired, limit=4)
    assert [(m["body"], m["kind"]) for m in around_expired["messages"]] == [
        ("", "deleted"),
        ("n 3", "text"),
        ("n 5", "text"),
        ("n 6", "text"),
    ]


def test_bad_anchors_are_refused(server: ServerThread, alice: Api, bob: Api, carol: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    mid = alice.say(thread, "hello")["message_id"]
    url = f"/v1/threads/{thread}/messages"
    two = bob.get(url, params={"around": mid, "after": mid})
    assert two.status_code == 400
    assert two.json()["error"] == "invalid_parameter"
    assert "at most one of before, after, around" in two.json()["message"]
    unknown = bob.get(url, params={"around": "m999999"})
    assert (unknown.status_code, unknown.json()["error"]) == (409, "unknown_message")
    assert "around" in unknown.json()["message"]
    # A message of another thread is not "in this thread", and a non-member learns
    # nothing of the thread at all.
    other = carol.new_thread("alice")["thread_id"]
    elsewhere = carol.say(other, "elsewhere")["message_id"]
    assert bob.get(url, params={"after": elsewhere}).status_code == 409
    assert carol.get(url, params={"around": mid}).status_code == 404
