"""DELETE ...?expired=true: a vanish timer ran out, and the server forgets the text.

"Forgets" is checked where it matters: in the raw bytes of the database file and
its write-ahead log, not only in what the API answers.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from chatui.server.runner import ServerThread
from tests.server.conftest import Api


def _files(db_path: Path) -> dict[str, bytes]:
    wal = db_path.with_name(db_path.name + "-wal")
    return {
        "db": db_path.read_bytes(),
        "wal": wal.read_bytes() if wal.exists() else b"",
    }


def test_an_expiry_is_a_redaction_marked_expired(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    mine = alice.say(thread, "see you never")["message_id"]
    other = alice.say(thread, "deleted by hand")["message_id"]
    with bob.events() as bobs:
        bobs.next_of("hello")
        expired = alice.delete(f"/v1/threads/{thread}/messages/{mine}?expired=true")
        assert expired.status_code == 204 and expired.content == b""
        redaction = bobs.next_of("redaction")
        assert redaction.data == {"thread_id": thread, "message_id": mine, "expired": True}
        assert bobs.next().kind == "thread"
        alice.delete(f"/v1/threads/{thread}/messages/{other}", params={"expired": "false"})
        assert bobs.next_of("redaction").data["expired"] is False
    # The expired one is gone entirely; the one deleted by hand left its tombstone.
    assert [(m["message_id"], m["kind"], m["body"]) for m in bob.history(thread)] == [
        (other, "deleted", "")
    ]
    # A replayed stream says the same.
    with bob.events(since=redaction.id.rsplit("-", 1)[0] + "-0") as replay:
        flags = [replay.next_of("redaction").data["expired"] for _ in range(2)]
    assert flags == [True, False]


def test_only_the_sender_may_expire_and_a_repeat_is_harmless(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    mine = alice.say(thread, "mine")["message_id"]
    refused = bob.delete(f"/v1/threads/{thread}/messages/{mine}?expired=true")
    assert (refused.status_code, refused.json()["error"]) == (403, "forbidden")
    assert alice.delete(f"/v1/threads/{thread}/messages/{mine}?expired=true").status_code == 204
    assert alice.delete(f"/v1/threads/{thread}/messages/{mine}?expired=true").status_code == 204
    assert alice.delete(f"/v1/threads/{thread}/messages/{mine}").status_code == 204
    missing = alice.delete(f"/v1/threads/{thread}/messages/m999999?expired=true")
    assert missing.status_code == 404


@pytest.mark.parametrize("value", ["yes", "TRUE", "", "2"])
def test_expired_must_be_true_or_false(alice: Api, bob: Api, value: str) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    mine = alice.say(thread, "still here")["message_id"]
    response = alice.delete(f"/v1/threads/{thread}/messages/{mine}", params={"expired": value})
    assert (response.status_code, response.json()["error"]) == (400, "invalid_parameter")
    assert [m["body"] for m in bob.history(thread)] == ["still here"]


@pytest.mark.parametrize("size", ["short", "overflowing"])
@pytest.mark.parametrize("where", ["in the file", "in the wal"])
def test_an_expired_body_leaves_the_database_file_and_its_wal(
    server: ServerThread, alice: Api, bob: Api, size: str, where: str
) -> None:
    token = f"VANISH-{uuid.uuid4().hex}"
    # "overflowing": bigger than a page, so SQLite keeps it in overflow pages.
    body = token if size == "short" else " ".join([token] * 1_000)
    thread = alice.new_thread("bob")["thread_id"]
    alice.say(thread, "before")
    sent = alice.say(thread, body)
    bob.put(f"/v1/threads/{thread}/messages/{sent['message_id']}/reactions/%F0%9F%94%A5")
    alice.say(thread, "after")
    if where == "in the file":
        assert server.database.checkpoint()
    files = _files(server.db_path)
    # The test can fail: the token is where this case says it is.
    assert token.encode() in files["db" if where == "in the file" else "wal"]

    url = f"/v1/threads/{thread}/messages/{sent['message_id']}"
    assert alice.delete(url, params={"expired": "true"}).status_code == 204

    files = _files(server.db_path)
    assert token.encode() not in files["db"]
    assert token.encode() not in files["wal"]
    assert [m["body"] for m in bob.history(thread)] == ["before", "after"]
    # The server still serves and keeps the rest.
    alice.say(thread, "later")
    assert [m["body"] for m in bob.history(thread)] == ["before", "after", "later"]
