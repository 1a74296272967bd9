"""Editing and unsending one's own message (PATCH / DELETE .../messages/{id}).

What a user notices: everyone sees the new text with an "edited" time, or a
"message deleted" tombstone in the message's place; only the sender may do either;
and the old text is really gone — checked in the raw bytes of the server's
database file and write-ahead log, not only in what the API answers.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from chatui.server.runner import ServerThread
from tests.server.conftest import Api


def _url(thread: str, message: str) -> str:
    return f"/v1/threads/{thread}/messages/{message}"


def _on_disk(db_path: Path, token: str) -> list[str]:
    wal = db_path.with_name(db_path.name + "-wal")
    return [
        path.name
        for path in (db_path, wal)
        if path.exists() and token.encode() in path.read_bytes()
    ]


def test_the_sender_edits_and_everyone_sees_the_new_text(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    sent = alice.say(thread, "see you at 5")
    with bob.events() as bobs:
        bobs.next_of("hello")
        response = alice.patch(_url(thread, sent["message_id"]), json={"body": "see you at 6"})
        assert response.status_code == 200, response.text
        edited = response.json()
        event = bobs.next_of("message")
    assert edited["body"] == "see you at 6"
    assert isinstance(edited["edited_ts"], int) and edited["edited_ts"] >= sent["ts"]
    # Same message, same place: the id and the time it was sent do not change.
    assert (edited["message_id"], edited["ts"]) == (sent["message_id"], sent["ts"])
    assert event.data == edited
    assert [(m["body"], m["edited_ts"]) for m in bob.history(thread)] == [
        ("see you at 6", edited["edited_ts"])
    ]
    # The thread list's preview is the message as it is now.
    assert bob.get("/v1/threads").json()["threads"][0]["last_message"]["body"] == "see you at 6"
    assert sent["edited_ts"] is None


def test_only_the_sender_may_edit_and_only_text(alice: Api, bob: Api, carol: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    mine = alice.say(thread, "mine")["message_id"]

    refused = bob.patch(_url(thread, mine), json={"body": "bob's words"})
    assert (refused.status_code, refused.json()["error"]) == (403, "forbidden")
    assert "sender" in refused.json()["message"]
    assert carol.patch(_url(thread, mine), json={"body": "x"}).status_code == 404  # not a member
    assert alice.patch(_url(thread, "m999999"), json={"body": "x"}).status_code == 404
    assert alice.patch(_url(thread, "garbage"), json={"body": "x"}).status_code == 404
    notice = alice.put(f"/v1/threads/{thread}/vanish", json={"mode": "vanish"})
    setting = notice.json()["last_message"]["message_id"]
    refused = alice.patch(_url(thread, setting), json={"body": "I did not"})
    assert (refused.status_code, refused.json()["error"]) == (403, "forbidden")
    for body, status, code in (
        ({"body": ""}, 400, "invalid_request"),
        ({}, 400, "invalid_request"),
        ({"body": 5}, 400, "invalid_request"),
        ({"body": "€" * 30_000}, 413, "too_large"),
    ):
        response = alice.patch(_url(thread, mine), json=body)
        assert (response.status_code, response.json()["error"]) == (status, code), body
    assert [m["body"] for m in bob.history(thread) if m["kind"] == "text"] == ["mine"]


def test_the_same_text_again_changes_nothing(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    mine = alice.say(thread, "same")["message_id"]
    with bob.events() as bobs:
        bobs.next_of("hello")
        again = alice.patch(_url(thread, mine), json={"body": "same"})
        assert (again.status_code, again.json()["edited_ts"]) == (200, None)
        marker = alice.say(thread, "next")["message_id"]
        # The next event is the new message: the no-op edit told nobody anything.
        assert bobs.next_of("message").data["message_id"] == marker


def test_an_unsent_message_stays_as_a_tombstone(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    first = alice.say(thread, "first")["message_id"]
    quoting = alice.put(
        _url(thread, "q1"), json={"body": "about that, @bob", "reply_to": first}
    ).json()["message_id"]
    bob.put(f"{_url(thread, quoting)}/reactions/%F0%9F%91%8D")
    assert bob.get(f"/v1/threads/{thread}").json()["mentions"] == 1

    assert alice.delete(_url(thread, quoting)).status_code == 204
    tombstone = bob.history(thread)[-1]
    assert tombstone["message_id"] == quoting
    assert (tombstone["kind"], tombstone["body"], tombstone["sender"]) == ("deleted", "", "alice")
    # Nothing of what it said is left: no quote, no reactions, no mention.
    assert (tombstone["reply_to"], tombstone["reactions"], tombstone["mentions"]) == (None, {}, [])
    assert bob.get(f"/v1/threads/{thread}").json()["mentions"] == 0
    # A tombstone is not something to answer, react to or edit.
    reply = bob.put(_url(thread, "b1"), json={"body": "?", "reply_to": quoting})
    assert (reply.status_code, reply.json()["error"]) == (409, "unknown_message")
    assert bob.put(f"{_url(thread, quoting)}/reactions/x").status_code == 404
    assert alice.patch(_url(thread, quoting), json={"body": "back"}).status_code == 404
    # Unsending again changes nothing; its vanish timer running out removes it for good.
    assert alice.delete(_url(thread, quoting)).status_code == 204
    with bob.events() as bobs:
        bobs.next_of("hello")
        assert alice.delete(_url(thread, quoting), params={"expired": "true"}).status_code == 204
        assert bobs.next_of("redaction").data["expired"] is True
    assert [m["message_id"] for m in bob.history(thread)] == [first]


def test_a_replayed_stream_shows_the_tombstone_never_the_text(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    with bob.events() as bobs:
        start = bobs.next_of("hello").id
    sent = alice.say(thread, "regrettable")["message_id"]
    alice.patch(_url(thread, sent), json={"body": "more regrettable"})
    alice.delete(_url(thread, sent))
    with bob.events(since=start) as replay:
        message = replay.next_of("message")
        assert (message.data["kind"], message.data["body"]) == ("deleted", "")
        assert replay.next_of("redaction").data == {
            "thread_id": thread,
            "message_id": sent,
            "expired": False,
        }


@pytest.mark.parametrize("how", ["edited", "unsent"])
@pytest.mark.parametrize("size", ["short", "overflowing"])
def test_the_old_text_leaves_the_database_file_and_its_wal(
    server: ServerThread, alice: Api, bob: Api, how: str, size: str
) -> None:
    token = f"OLDTEXT-{uuid.uuid4().hex}"
    # "overflowing": bigger than a page, so SQLite keeps it in overflow pages.
    body = token if size == "short" else " ".join([token] * 1_000)
    thread = alice.new_thread("bob")["thread_id"]
    alice.say(thread, "before")
    sent = alice.say(thread, body)["message_id"]
    alice.say(thread, "after")
    assert _on_disk(server.db_path, token)  # the test can fail: the text is there first

    if how == "edited":
        response = alice.patch(_url(thread, sent), json={"body": "better words"})
    else:
        response = alice.delete(_url(thread, sent))
    assert response.status_code in (200, 204)

    assert _on_disk(server.db_path, token) == []
    shown = [m["body"] for m in bob.history(thread)]
    assert shown == ["before", "better words" if how == "edited" else "", "after"]


def test_editing_a_vanishing_message_never_moves_its_deadline(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    alice.put(f"/v1/threads/{thread}/vanish", json={"mode": "timer", "seconds": 60})
    sent = alice.say(thread, "gone in a minute")
    edited = alice.patch(_url(thread, sent["message_id"]), json={"body": "still a minute"}).json()
    # Deadlines run from ts under the setting the message was sent with: both stay.
    assert (edited["ts"], edited["vanish"]) == (sent["ts"], {"mode": "timer", "seconds": 60})
    alice.put(f"/v1/threads/{thread}/vanish", json={"mode": "off"})
    again = alice.patch(_url(thread, sent["message_id"]), json={"body": "and now?"}).json()
    assert again["vanish"] == {"mode": "timer", "seconds": 60}
