"""Messages: idempotent send, history paging, sender-only delete, body limits."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from chatui.server.runner import ServerThread
from tests.server.conftest import Api


def test_send_returns_the_message(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    message = alice.say(thread, "hello 👋", txn_id="first")
    assert message["thread_id"] == thread
    assert message["sender"] == "alice"
    assert message["body"] == "hello 👋"
    assert message["txn_id"] == "first"
    assert message["reply_to"] is None
    assert message["reactions"] == {}
    assert message["vanish"] == {"mode": "off"}
    assert isinstance(message["ts"], int)
    assert bob.history(thread) == [message]


def test_the_same_txn_id_gives_the_same_message(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    first = alice.say(thread, "once", txn_id="abc")
    again = alice.say(thread, "once", txn_id="abc")
    changed = alice.say(thread, "a different body", txn_id="abc")
    assert first == again == changed
    assert [m["body"] for m in alice.history(thread)] == ["once"]
    # Scoped per sender: Bob's "abc" is his own message.
    bobs = bob.say(thread, "bob's", txn_id="abc")
    assert bobs["message_id"] != first["message_id"]
    assert len(alice.history(thread)) == 2


def test_concurrent_retries_of_one_txn_id_make_one_message(
    server: ServerThread, alice: Api, bob: Api
) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    token = alice.headers["Authorization"]

    def put(_: int) -> httpx.Response:
        # A client per request: 20 separate connections racing on the server.
        with httpx.Client(base_url=server.url, headers={"Authorization": token}) as client:
            return client.put(f"/v1/threads/{thread}/messages/retry-me", json={"body": "once"})

    with ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(put, range(20)))
    assert [r.status_code for r in responses] == [200] * 20
    assert len({r.json()["message_id"] for r in responses}) == 1
    assert [m["body"] for m in bob.history(thread)] == ["once"]


def test_history_pages_back_oldest_first(server: ServerThread, alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    # 250 messages, three per millisecond, so paging must break ties in a stable way.
    server.database.add_messages_bulk(
        (thread, "alice" if i % 2 else "bob", f"message {i}", 1_000 + i // 3) for i in range(250)
    )
    newest = bob.history(thread, limit=100)
    assert [m["body"] for m in newest] == [f"message {i}" for i in range(150, 250)]

    seen = newest
    before = newest[0]["message_id"]
    while True:
        page = bob.history(thread, before=before, limit=100)
        if not page:
            break
        assert len(page) <= 100
        seen = page + seen
        before = page[0]["message_id"]
    assert [m["body"] for m in seen] == [f"message {i}" for i in range(250)]
    assert len({m["message_id"] for m in seen}) == 250
    # The default page is the newest 50.
    assert [m["body"] for m in bob.history(thread)] == [f"message {i}" for i in range(200, 250)]


def test_bad_paging_parameters_are_400(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    other = alice.new_thread()["thread_id"]
    foreign = alice.say(other, "not in this thread")["message_id"]
    for params in (
        {"limit": "0"},
        {"limit": "1001"},
        {"limit": "-5"},
        {"limit": "ten"},
        {"limit": "1.5"},
        {"limit": ""},
    ):
        response = alice.get(f"/v1/threads/{thread}/messages", params=params)
        assert response.status_code == 400, params
        assert response.json()["error"] == "invalid_parameter", params
    for before in ("m999999", "garbage", foreign):
        response = alice.get(f"/v1/threads/{thread}/messages", params={"before": before})
        assert response.status_code == 409, before
        assert response.json()["error"] == "unknown_message"
    assert alice.get(f"/v1/threads/{thread}/messages", params={"limit": "1000"}).status_code == 200


def test_only_the_sender_may_delete(alice: Api, bob: Api, carol: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    mine = alice.say(thread, "mine")["message_id"]
    keep = alice.say(thread, "keep")["message_id"]

    refused = bob.delete(f"/v1/threads/{thread}/messages/{mine}")
    assert refused.status_code == 403
    assert refused.json()["error"] == "forbidden"
    assert carol.delete(f"/v1/threads/{thread}/messages/{mine}").status_code == 404
    assert [m["message_id"] for m in bob.history(thread)] == [mine, keep]

    assert alice.delete(f"/v1/threads/{thread}/messages/{mine}").status_code == 204
    # It stays in its place as a tombstone: who and when, not what.
    tombstone, kept = bob.history(thread)
    assert (tombstone["message_id"], tombstone["kind"], tombstone["body"]) == (
        mine,
        "deleted",
        "",
    )
    assert (tombstone["sender"], kept["message_id"]) == ("alice", keep)
    # Deleting again is harmless; unknown messages are 404.
    assert alice.delete(f"/v1/threads/{thread}/messages/{mine}").status_code == 204
    assert alice.delete(f"/v1/threads/{thread}/messages/m999999").status_code == 404


def test_deleting_the_newest_message_updates_the_preview(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    alice.say(thread, "older")
    oops = alice.say(thread, "oops")["message_id"]
    alice.delete(f"/v1/threads/{thread}/messages/{oops}")
    listed = bob.get("/v1/threads").json()["threads"][0]
    # The preview says "message deleted" rather than the text; it is no news.
    assert (listed["last_message"]["message_id"], listed["last_message"]["kind"]) == (
        oops,
        "deleted",
    )
    assert listed["last_message"]["body"] == ""
    assert listed["unread"] == 1


def test_message_body_limits(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    url = f"/v1/threads/{thread}/messages"
    at_limit = "€" * (65_536 // 3) + "x"  # 3-byte characters: exactly 65,536 bytes
    assert len(at_limit.encode()) == 65_536
    assert alice.put(f"{url}/big", json={"body": at_limit}).status_code == 200

    over = "€" * (65_536 // 3) + "xy"  # 65,537 bytes but only 21,847 characters
    response = alice.put(f"{url}/too-big", json={"body": over})
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"

    huge = alice.put(f"{url}/huge", content=b'{"body": "' + b"x" * 2_000_000 + b'"}')
    assert huge.status_code == 413
    assert [m["txn_id"] for m in bob.history(thread)] == ["big"]


def test_malformed_sends_are_400(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    url = f"/v1/threads/{thread}/messages"
    for txn, kwargs in [
        ("a", {"json": {"body": ""}}),
        ("b", {"json": {"body": 5}}),
        ("c", {"json": {}}),
        ("d", {"json": {"body": "hi", "reply_to": 5}}),
        ("f", {"content": b"{not json"}),
        ("g", {"content": b'"just a string"'}),
        ("h", {"content": b'{"body": "\\ud800"}'}),  # a lone surrogate: not UTF-8 text
        ("bad txn id!", {"json": {"body": "hi"}}),
        ("x" * 129, {"json": {"body": "hi"}}),
    ]:
        response = alice.put(f"{url}/{txn}", **kwargs)
        assert response.status_code == 400, (txn, kwargs)
        assert response.json()["message"], txn
    assert alice.history(thread) == []


def test_replies_point_at_a_message_of_the_thread(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    question = alice.say(thread, "lunch?")["message_id"]
    response = bob.put(
        f"/v1/threads/{thread}/messages/r1", json={"body": "yes!", "reply_to": question}
    )
    assert response.status_code == 200
    assert response.json()["reply_to"] == question
    assert alice.history(thread)[-1]["reply_to"] == question
    for missing in ("m999999", "nonsense"):
        response = bob.put(
            f"/v1/threads/{thread}/messages/r2", json={"body": "to what?", "reply_to": missing}
        )
        assert response.status_code == 409, missing
    assert len(alice.history(thread)) == 2


def test_messages_of_a_thread_never_share_a_time(alice: Api, bob: Api, monkeypatch) -> None:
    """A stopped (or stepped back) clock still gives each message its own, later
    time: a client replaying its event stream tells news from what the thread list
    already counted by time alone (three offline messages in one millisecond were
    counted unread twice after a restart)."""
    import chatui.server.db as db

    thread = alice.new_thread("bob")["thread_id"]
    alice.say(thread, "before the clock stops")
    monkeypatch.setattr(db, "now_ms", lambda: 1_000)  # long before the first message
    for n in range(3):
        alice.say(thread, f"same millisecond {n}")
    times = [m["ts"] for m in bob.history(thread)]
    assert times == sorted(set(times)), times
