"""The Matrix adapter against a real Synapse: login, threads, live messages, sending.

Every test registers its own users (the server is shared by the session) and the
other side of each conversation is a raw-HTTP MatrixUser, independent of the
adapter under test.
"""

from __future__ import annotations

import uuid

import pytest

from chatui.backends.base import AuthError
from chatui.backends.matrix import MatrixBackend
from chatui.core.models import MessageReceived
from tests.backends.matrix.helpers_matrix import (
    Tap,
    account_for,
    fast,
    in_thread,
    logged_in,
    set_display_name,
)


async def test_login_restore_and_logout(synapse, matrix_user) -> None:
    alice = matrix_user("alice")
    backend = MatrixBackend(account_for(synapse, alice))
    credentials = await backend.login(alice.user_id, alice.password)
    # The username is the full user id: message senders are user ids too.
    assert credentials.username == credentials.user_id == alice.user_id
    await backend.close()

    # A device named "chatui" now exists for Alice.
    devices = alice.request("GET", "/devices")["devices"]
    assert "chatui" in [d.get("display_name") for d in devices]

    again = MatrixBackend(account_for(synapse, alice))
    identity = await again.restore(credentials.token)
    assert identity.username == alice.user_id
    await again.logout()
    await again.close()

    revoked = MatrixBackend(account_for(synapse, alice))
    with pytest.raises(AuthError):
        await revoked.restore(credentials.token)
    with pytest.raises(AuthError):
        await revoked.login(alice.user_id, "not the password")
    await revoked.close()


async def test_threads_show_rooms_with_names_and_previews(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    set_display_name(bob, "Bob Builder")
    club = bob.create_room(invite=[alice.user_id], name="Book club")
    alice.join(club)
    bob.send_text(club, "chapter 3 tonight")
    dm = bob.create_room(invite=[alice.user_id], is_direct=True)
    alice.join(dm)
    bob.send_text(dm, "psst")

    backend = await logged_in(synapse, alice)
    try:
        threads = {t.thread_id: t for t in await backend.threads()}
    finally:
        await backend.close()
    assert threads[club].title == "Book club"
    assert threads[club].last_message.body == "chapter 3 tonight"
    assert threads[club].last_message.sender == bob.user_id
    assert threads[club].membership == "join"
    # An unnamed room is named after the other member's display name.
    assert threads[dm].title == "Bob Builder"
    assert threads[dm].last_message.body == "psst"
    assert threads[dm].unread == 1


async def test_a_message_from_another_user_arrives_live(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = bob.create_room(invite=[alice.user_id], name="Live")
    alice.join(room)
    backend = await logged_in(synapse, alice)
    await backend.threads()
    tap = Tap(backend)
    try:
        await tap.wait_for(
            lambda e: getattr(e, "state", None) is not None and e.state.value == "connected",
            "connected",
        )
        await in_thread(bob.send_text, room, "are you there?")
        event = await tap.message("are you there?")
        assert event.message.thread_id == room
        assert event.message.sender == bob.user_id
        assert event.message.kind == "text"
        # The thread's preview follows, with the unread count.
        update = await tap.thread(
            lambda t: (
                t.thread_id == room
                and t.last_message is not None
                and t.last_message.body == "are you there?"
            ),
            "the thread's new preview",
        )
        assert update.thread.unread == 1
        assert tap.last_cursor() is not None
    finally:
        await tap.stop()


async def test_a_retried_send_arrives_once_and_matches_the_local_echo(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = bob.create_room(invite=[alice.user_id], name="Once")
    alice.join(room)
    backend = await logged_in(synapse, alice)
    await backend.threads()
    tap = Tap(backend)
    try:
        txn = uuid.uuid4().hex
        first = await backend.send(room, "only once", txn)
        retried = await backend.send(room, "only once", txn)  # e.g. after a timeout
        assert retried.message_id == first.message_id
        assert first.txn_id == txn

        # The sync echo carries the transaction id: that is how the Session swaps
        # its pending local echo for the server's copy.
        echo = await tap.message("only once")
        assert echo.message.txn_id == txn
        assert echo.message.message_id == first.message_id
        assert echo.message.sender == alice.user_id
    finally:
        await tap.stop()
    _, event = bob.wait_for_event(
        lambda r, e: r == room and e.get("content", {}).get("body") == "only once"
    )
    assert event["event_id"] == first.message_id
    assert bob.texts(room).count("only once") == 1


async def test_a_reply_points_at_its_message(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = bob.create_room(invite=[alice.user_id], name="Replies")
    alice.join(room)
    question = bob.send_text(room, "tea or coffee?")
    backend = await logged_in(synapse, alice)
    try:
        await backend.threads()
        sent = await backend.send(room, "tea", uuid.uuid4().hex, reply_to=question)
        assert sent.reply_to == question
        history = await backend.history(room, limit=10)
    finally:
        await backend.close()
    assert [m.body for m in history][-2:] == ["tea or coffee?", "tea"]
    assert history[-1].reply_to == question
    event = bob.room_events(room, "m.room.message")[-1]
    assert event["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == question


async def test_a_gap_of_200_messages_is_filled_in_order(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = bob.create_room(invite=[alice.user_id], name="Busy")
    alice.join(room)
    bob.send_text(room, "before the gap")

    first = await logged_in(synapse, alice)
    token = first.http.token
    await first.threads()
    tap = Tap(first)
    await tap.wait_for(lambda e: e.cursor is not None, "a cursor")
    cursor = tap.last_cursor()
    await tap.stop()  # the app is closed...
    assert cursor is not None

    expected = [f"gap {n:03d}" for n in range(200)]
    for body in expected:  # ...while Bob goes on talking
        bob.send_text(room, body)

    # Next start, resuming from the saved cursor: every missed message, in order, once.
    resumed = fast(MatrixBackend(account_for(synapse, alice)))
    await resumed.restore(token)
    tap = Tap(resumed, since=cursor)
    try:
        await tap.message("gap 199")
        bodies = [e.message.body for e in tap.messages() if e.message.thread_id == room]
        assert bodies == expected
        # The thread is announced before its messages, with the final preview after.
        first_thread = next(i for i, e in enumerate(tap.events) if hasattr(e, "thread"))
        first_message = next(i for i, e in enumerate(tap.events) if isinstance(e, MessageReceived))
        assert first_thread < first_message
    finally:
        await tap.stop()

    # With no saved cursor: the list shows the newest line, and history pages back
    # through all of it in order with no gap and no duplicate.
    fresh = fast(MatrixBackend(account_for(synapse, alice)))
    await fresh.restore(token)
    try:
        threads = {t.thread_id: t for t in await fresh.threads()}
        assert threads[room].last_message.body == "gap 199"
        loaded = await fresh.history(room, limit=50)
        while True:
            older = await fresh.history(room, before=loaded[0].message_id, limit=50)
            if not older:
                break
            loaded = older + loaded
    finally:
        await fresh.close()
    assert [m.body for m in loaded] == ["before the gap", *expected]


async def test_history_before_an_unknown_message_uses_its_context(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = bob.create_room(invite=[alice.user_id], name="Context")
    alice.join(room)
    ids = [bob.send_text(room, f"line {n}") for n in range(6)]
    backend = await logged_in(synapse, alice)
    try:
        # A message id this backend never paged to itself (as after a restart).
        older = await backend.history(room, before=ids[4], limit=3)
    finally:
        await backend.close()
    assert [m.body for m in older] == ["line 1", "line 2", "line 3"]


async def test_the_preview_is_found_behind_many_non_message_events(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = bob.create_room(invite=[alice.user_id], name="Quiet")
    alice.join(room)
    bob.send_text(room, "the last real words")
    for n in range(30):  # more than the first sync's timeline holds
        bob.set_state(room, "m.room.topic", "", {"topic": f"topic {n}"})
    backend = await logged_in(synapse, alice)
    try:
        threads = {t.thread_id: t for t in await backend.threads()}
    finally:
        await backend.close()
    assert threads[room].last_message.body == "the last real words"
