"""GET /v1/events: live delivery, resume without gaps or duplicates, bad cursors."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from chatui.server.runner import ServerThread
from tests.server.conftest import Api, login_as


def _wait_until(condition, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def test_stream_is_sse_and_starts_with_hello(alice: Api) -> None:
    with alice.events() as stream:
        assert stream.response.status_code == 200
        assert stream.response.headers["content-type"].startswith("text/event-stream")
        hello = stream.next()
    assert hello.kind == "hello"
    assert hello.data == {"cursor": hello.id}


def test_live_events_arrive_for_members_only(alice: Api, bob: Api, carol: Api) -> None:
    with bob.events() as bobs, carol.events() as carols:
        bobs.next_of("hello")
        carols.next_of("hello")
        thread = alice.new_thread("bob", title="just us")
        created = bobs.next()
        assert (created.kind, created.data["thread_id"]) == ("thread", thread["thread_id"])
        assert created.data["members"] == ["alice", "bob"]

        sent = alice.say(thread["thread_id"], "psst")
        message = bobs.next()
        assert message.kind == "message"
        assert message.data == sent

        # Carol shares no thread: her next event is the first one that concerns her.
        mine = carol.new_thread(title="carol alone")
        assert carols.next().data["thread_id"] == mine["thread_id"]


def test_events_carry_the_recipients_view(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    first = alice.say(thread, "one")["message_id"]
    with alice.events() as alices, bob.events() as bobs:
        alices.next_of("hello")
        bobs.next_of("hello")
        assert bob.post(f"/v1/threads/{thread}/read", json={"message_id": first}).status_code == 204
        read = alices.next()
        assert read.kind == "read"
        assert read.data == {"thread_id": thread, "message_id": first, "user": "bob"}
        assert bobs.next().kind == "read"
        # Only the reader gets the thread with its new unread count.
        update = bobs.next()
        assert (update.kind, update.data["unread"]) == ("thread", 0)

        assert alice.delete(f"/v1/threads/{thread}/messages/{first}").status_code == 204
        redaction = bobs.next()
        assert redaction.kind == "redaction"
        assert redaction.data == {"thread_id": thread, "message_id": first, "expired": False}
        # The thread's newest line is now the tombstone: "message deleted".
        preview = bobs.next_of("thread").data["last_message"]
        assert (preview["message_id"], preview["kind"], preview["body"]) == (first, "deleted", "")
        # Alice's stream never carried Bob's private thread update.
        assert [alices.next().kind, alices.next().kind] == ["redaction", "thread"]


def _send_all(api: Api, thread: str, bodies: list[str]) -> list[str]:
    return [api.say(thread, body)["message_id"] for body in bodies]


@pytest.mark.parametrize("how", ["since", "last_event_id"])
def test_resume_after_a_dropped_connection_has_no_gaps_or_duplicates(
    alice: Api, bob: Api, how: str
) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    stream = bob.events()
    stream.next_of("hello")
    before = _send_all(alice, thread, [f"before {i}" for i in range(5)])
    got, last_id = [], None
    for _ in range(3):  # read only part of what is waiting, then drop
        event = stream.next()
        got.append(event.data["message_id"])
        last_id = event.id
    stream.close()

    during = _send_all(alice, thread, [f"offline {i}" for i in range(5)])
    kwargs = {"since": last_id} if how == "since" else {"last_event_id": last_id}
    with bob.events(**kwargs) as resumed:
        hello = resumed.next()
        assert (hello.kind, hello.id) == ("hello", last_id)
        after = _send_all(alice, thread, ["back online", "sentinel"])
        while True:
            event = resumed.next()
            got.append(event.data["message_id"])
            if event.data["body"] == "sentinel":
                break
    assert got == before + during + after


def test_last_event_id_wins_over_since(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    with bob.events() as stream:
        start = stream.next_of("hello").id
        first = alice.say(thread, "first")
        newer = stream.next().id
    alice.say(thread, "second")
    with bob.events(since=start, last_event_id=newer) as resumed:
        resumed.next_of("hello")
        assert resumed.next().data["body"] == "second"
    assert first["body"] == "first"


def test_a_stream_without_cursor_starts_now(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    alice.say(thread, "old news")
    with bob.events() as stream:
        stream.next_of("hello")
        alice.say(thread, "fresh")
        assert stream.next().data["body"] == "fresh"


def test_full_replay_from_the_first_cursor(server: ServerThread, alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    server.database.add_messages_bulk((thread, "alice", f"m{i}", i) for i in range(450))
    with bob.events(since=server.database.cursor(0)) as stream:
        assert stream.next().kind == "hello"
        assert stream.next().kind == "thread"
        bodies = [stream.next().data["body"] for _ in range(450)]  # several batches
    assert bodies == [f"m{i}" for i in range(450)]


def test_bad_cursors_are_400(server: ServerThread, bob: Api, tmp_path: Path) -> None:
    with bob.events() as stream:
        current = stream.next_of("hello").id
    epoch, _, number = current.partition("-")
    with ServerThread(tmp_path / "other.db") as other:
        foreign = other.database.current_cursor()
    for cursor in (
        "garbage",
        "",
        "-1",
        f"{epoch}-",
        f"{epoch}-{int(number) + 1}",
        f"{epoch}-1e3",
        f"{epoch}-99999999999999999999999",
        foreign,
    ):
        if cursor == "":
            continue  # an empty since means "no cursor"
        for params, headers in (({"since": cursor}, {}), ({}, {"Last-Event-ID": cursor})):
            response = bob.get("/v1/events", params=params, headers=headers)
            assert response.status_code == 400, cursor
            assert response.json()["error"] == "invalid_cursor"


def test_seeding_from_another_thread_reaches_live_streams(
    server: ServerThread, alice: Api, bob: Api
) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    with bob.events() as stream:
        stream.next_of("hello")
        seeder = threading.Thread(
            target=server.database.add_message, args=(thread, "alice", "from a thread")
        )
        seeder.start()
        seeder.join()
        assert stream.next().data["body"] == "from a thread"


def test_idle_streams_get_heartbeats(tmp_path: Path) -> None:
    srv = ServerThread(tmp_path / "hb.db", open_registration=True, heartbeat=0.05)
    with srv, login_as(srv, "alice") as alice, alice.events() as stream:
        stream.next_of("hello")
        assert [stream.next(comments=True).data for _ in range(2)] == ["ping", "ping"]


def test_dropped_clients_are_noticed(server: ServerThread, alice: Api) -> None:
    stream = alice.events()
    stream.next_of("hello")
    assert server.stream_count == 1
    stream.close()
    _wait_until(lambda: server.stream_count == 0, "the server to notice the dropped stream")


@pytest.mark.timeout(30)
def test_stopping_the_server_ends_open_streams(tmp_path: Path) -> None:
    srv = ServerThread(tmp_path / "stop.db", open_registration=True).start()
    try:
        api = login_as(srv, "alice")
        stream = api.events()
        stream.next_of("hello")
    finally:
        srv.stop()  # must not wait for the stream to end by itself
    with pytest.raises((EOFError, httpx.HTTPError)):
        stream.next()
    stream.close()
    api.close()
