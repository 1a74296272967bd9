"""Threads: creation, listing, membership (404 for outsiders), unread and read markers."""

from __future__ import annotations

from chatui.server.runner import ServerThread
from tests.server.conftest import Api


def test_create_thread_includes_the_creator(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob", title="Lunch")
    assert thread["title"] == "Lunch"
    assert thread["members"] == ["alice", "bob"]
    assert thread["last_message"] is None
    assert thread["unread"] == 0
    assert thread["theme"] is None
    assert thread["vanish"] == {"mode": "off"}
    assert isinstance(thread["thread_id"], str)
    assert isinstance(thread["created_ts"], int)
    # Bob sees the same thread, untitled threads stay untitled (null).
    assert bob.get(f"/v1/threads/{thread['thread_id']}").json()["members"] == ["alice", "bob"]
    assert alice.new_thread("bob")["title"] is None


def test_members_are_validated(alice: Api, bob: Api) -> None:
    for members in (["nobody"], ["bob", "nobody", "ghost"]):
        response = alice.post("/v1/threads", json={"members": members})
        assert response.status_code == 409, members
        assert response.json()["error"] == "unknown_user"
    cases = [
        ({"members": ["Bob"]}, "invalid_username"),
        ({"members": "bob"}, "invalid_request"),
        ({"members": [1]}, "invalid_request"),
        ({}, "invalid_request"),
        ({"members": ["bob"], "title": 5}, "invalid_request"),
        ({"members": ["bob"], "title": "x" * 201}, "invalid_request"),
    ]
    for body, code in cases:
        response = alice.post("/v1/threads", json=body)
        assert response.status_code == 400, body
        assert response.json()["error"] == code, body
    message = alice.post("/v1/threads", json={"members": ["bob", "nobody"]}).json()["message"]
    assert "nobody" in message
    assert alice.get("/v1/threads").json() == {"threads": []}  # nothing half-made


def test_each_user_lists_only_their_threads(alice: Api, bob: Api, carol: Api) -> None:
    ab = alice.new_thread("bob")["thread_id"]
    bc = bob.new_thread("carol")["thread_id"]
    assert [t["thread_id"] for t in alice.get("/v1/threads").json()["threads"]] == [ab]
    assert {t["thread_id"] for t in bob.get("/v1/threads").json()["threads"]} == {ab, bc}
    assert [t["thread_id"] for t in carol.get("/v1/threads").json()["threads"]] == [bc]


def test_another_users_thread_is_404_everywhere(alice: Api, bob: Api, carol: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    message = alice.say(thread, "private")["message_id"]
    base = f"/v1/threads/{thread}"
    for method, path, body in [
        ("GET", base, None),
        ("GET", f"{base}/messages", None),
        ("PUT", f"{base}/messages/t1", {"body": "let me in"}),
        ("DELETE", f"{base}/messages/{message}", None),
        ("POST", f"{base}/read", {"message_id": message}),
        ("PUT", f"{base}/theme", {"name": "x"}),
        ("PUT", f"{base}/vanish", {"mode": "off"}),
    ]:
        response = carol.request(method, path, json=body)
        assert response.status_code == 404, (method, path)
        assert response.json()["error"] == "not_found"
    # Exactly what a thread that does not exist answers: nothing leaks.
    assert carol.get("/v1/threads/t999999").json() == carol.get(base).json()
    assert carol.get("/v1/threads/not-an-id").status_code == 404
    assert alice.history(thread)[0]["body"] == "private"


def test_unread_counts_others_messages_after_the_read_marker(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    first = alice.say(thread, "one")
    alice.say(thread, "two")
    bob.say(thread, "my own message does not count")

    def unread(api: Api) -> int:
        return api.get(f"/v1/threads/{thread}").json()["unread"]

    assert unread(bob) == 2
    assert unread(alice) == 1

    assert (
        bob.post(f"/v1/threads/{thread}/read", json={"message_id": first["message_id"]}).status_code
        == 204
    )
    assert unread(bob) == 1
    last = bob.history(thread)[-1]["message_id"]
    bob.post(f"/v1/threads/{thread}/read", json={"message_id": last})
    assert unread(bob) == 0
    # The marker never moves backward.
    bob.post(f"/v1/threads/{thread}/read", json={"message_id": first["message_id"]})
    assert unread(bob) == 0
    # The listing agrees with the single thread.
    assert bob.get("/v1/threads").json()["threads"][0]["unread"] == 0


def test_read_marker_is_validated(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    other = alice.new_thread()["thread_id"]
    elsewhere = alice.say(other, "elsewhere")["message_id"]
    for body in ({}, {"message_id": 3}, {"message_id": ["m1"]}):
        response = alice.post(f"/v1/threads/{thread}/read", json=body)
        assert response.status_code == 400, body
    for message_id in ("m999999", "nonsense", elsewhere):
        response = alice.post(f"/v1/threads/{thread}/read", json={"message_id": message_id})
        assert response.status_code == 409, message_id
        assert response.json()["error"] == "unknown_message"


def test_threads_are_listed_newest_activity_first(alice: Api, bob: Api) -> None:
    old = alice.new_thread("bob", title="old")["thread_id"]
    new = alice.new_thread("bob", title="new")["thread_id"]
    assert [t["title"] for t in alice.get("/v1/threads").json()["threads"]] == ["new", "old"]
    bob.say(old, "bump")
    listed = alice.get("/v1/threads").json()["threads"]
    assert [t["thread_id"] for t in listed] == [old, new]
    assert listed[0]["last_message"]["body"] == "bump"
    assert listed[0]["last_message"]["sender"] == "bob"


def test_seeding_through_the_database_shows_over_http(server: ServerThread, alice: Api) -> None:
    make = server.database
    make.create_user("dora", "pw")
    thread = make.create_thread("dora", ["alice"], "seeded")
    make.add_message(thread["thread_id"], "dora", "hello from the seed", ts=1_000)
    listed = alice.get("/v1/threads").json()["threads"]
    assert listed[0]["title"] == "seeded"
    assert listed[0]["last_message"]["ts"] == 1_000
    assert listed[0]["unread"] == 1
