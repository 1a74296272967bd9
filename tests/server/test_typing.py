"""PUT /v1/threads/{id}/typing and the ephemeral ``typing`` event: members' open
streams hear who is typing now, and when it stops or runs out; nothing of it is
stored or replayed."""

from __future__ import annotations

from tests.server.conftest import Api


def _typing(api: Api, thread: str, **body: object) -> int:
    return api.put(f"/v1/threads/{thread}/typing", json=body).status_code


def test_members_hear_who_is_typing_and_when_it_stops(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    with alice.events() as alices, bob.events() as bobs:
        alices.next_of("hello")
        bobs.next_of("hello")
        assert _typing(alice, thread, typing=True, timeout_ms=20_000) == 204
        started = bobs.next_of("typing")
        assert started.data["thread_id"] == thread and started.data["users"] == ["alice"]
        assert 0 < started.data["timeout_ms"] <= 20_000
        assert started.id is None  # ephemeral: it does not move the resume point
        # The typist's own stream hears it too (clients leave themselves out).
        assert alices.next_of("typing").data["users"] == ["alice"]
        _typing(bob, thread, typing=True)
        assert bobs.next_of("typing").data["users"] == ["alice", "bob"]
        # A renewal is told again, so that a client may expire what it shows.
        _typing(alice, thread, typing=True, timeout_ms=20_000)
        assert bobs.next_of("typing").data["users"] == ["alice", "bob"]
        assert _typing(alice, thread, typing=False) == 204
        assert bobs.next_of("typing").data["users"] == ["bob"]


def test_a_notice_runs_out_by_itself(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    with bob.events() as bobs:
        bobs.next_of("hello")
        _typing(alice, thread, typing=True, timeout_ms=200)
        assert bobs.next_of("typing").data["users"] == ["alice"]
        # Nobody says "stopped": the server does, once the notice has run out.
        ended = bobs.next_of("typing")
        assert (ended.data["users"], ended.data["timeout_ms"]) == ([], 0)


def test_only_members_hear_it_and_nothing_is_replayed(alice: Api, bob: Api, carol: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    carols = carol.new_thread("alice")["thread_id"]
    with carol.events() as stream:
        start = stream.next_of("hello").id
        _typing(alice, thread, typing=True)
        alice.say(carols, "in carol's thread")
        # Carol is not in the thread alice types in: her next event is her message.
        assert stream.next().kind == "message"
    with bob.events(since=start) as replay:
        replay.next_of("hello")
        _typing(alice, thread, typing=False)  # told live...
        assert replay.next().kind == "typing"
    sent = alice.say(thread, "done typing")["message_id"]
    with bob.events(since=start) as replay:
        replay.next_of("hello")
        # ...but a resumed stream replays stored events only: the message, no typing.
        assert replay.next().data["message_id"] == sent


def test_refusals(alice: Api, bob: Api, carol: Api, anonymous: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    assert _typing(carol, thread, typing=True) == 404
    assert _typing(alice, "t999999", typing=True) == 404
    assert _typing(anonymous, thread, typing=True) == 401
    for body in ({}, {"typing": "yes"}, {"typing": True, "timeout_ms": 0}):
        response = alice.put(f"/v1/threads/{thread}/typing", json=body)
        assert (response.status_code, response.json()["error"]) == (400, "invalid_request"), body
    response = alice.put(f"/v1/threads/{thread}/typing", json={"typing": True, "timeout_ms": 10**9})
    assert response.status_code == 400
