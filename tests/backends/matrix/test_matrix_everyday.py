"""Everyday conversation on a real Synapse: replies, edits, redactions, typing and
mentions — what chatui sends, checked by a plain-HTTP reader, and what other
clients send (plain HTTP shaped as they send it, fallbacks included), as chatui
shows it."""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import quote

import pytest

from chatui.backends.base import PermissionDeniedError
from chatui.backends.matrix.convert import EXPIRED_REASON
from chatui.core.models import MessageReceived, MessageRedacted, TypingChanged
from tests.backends.matrix.helpers_matrix import Tap, in_thread, logged_in, set_display_name
from tests.backends.matrix.synapse import MatrixUser


def _room_with(owner: MatrixUser, *others: MatrixUser, name: str) -> str:
    room = owner.create_room(invite=[u.user_id for u in others], name=name)
    for other in others:
        other.join(room)
    return room


def _changed(tap: Tap, message_id: str, what: str, check: Any) -> Any:
    return tap.wait_for(
        lambda e: (
            isinstance(e, MessageReceived)
            and e.message.message_id == message_id
            and check(e.message)
        ),
        what,
    )


def _typing_seen_by(user: MatrixUser, room: str, wanted: list[str], timeout: float = 30) -> None:
    """Long-poll ``/sync`` as ``user`` until the room's ``m.typing`` lists ``wanted``."""
    deadline = time.monotonic() + timeout
    since = None
    while time.monotonic() < deadline:
        data = user.sync(since=since, timeout=5_000)
        since = data["next_batch"]
        joined = data.get("rooms", {}).get("join", {}).get(room, {})
        for event in joined.get("ephemeral", {}).get("events", []):
            if event.get("type") == "m.typing" and event["content"]["user_ids"] == wanted:
                return
    raise AssertionError(f"{user.user_id} never saw typing {wanted}")


# --- replies ---------------------------------------------------------------------------


async def test_a_reply_from_an_older_client_shows_its_text_once(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    set_display_name(alice, "Alice")
    room = _room_with(bob, alice, name="Fallbacks")
    backend = await logged_in(synapse, alice)
    await backend.threads()
    tap = Tap(backend)
    try:
        await tap.wait_for(lambda e: e.cursor is not None, "connected")
        question = await backend.send(room, "tea or coffee?\nor juice?", uuid.uuid4().hex)
        # A reply as clients before spec v1.13 send it: a quote of the original in
        # the body (and as mx-reply HTML), then a blank line, then the answer.
        answer = await in_thread(
            bob.send_event,
            room,
            "m.room.message",
            {
                "msgtype": "m.text",
                "body": f"> <{alice.user_id}> tea or coffee?\n> or juice?\n\ncoffee, thanks",
                "format": "org.matrix.custom.html",
                "formatted_body": "<mx-reply><blockquote>tea or coffee?<br>or juice?"
                "</blockquote></mx-reply>coffee, <b>thanks</b>",
                "m.relates_to": {"m.in_reply_to": {"event_id": question.message_id}},
            },
        )
        received = await tap.message("coffee, thanks", "the reply without its quote")
    finally:
        await tap.stop()
    assert (received.message.message_id, received.message.reply_to) == (
        answer,
        question.message_id,
    )
    fresh = await logged_in(synapse, alice, "again")
    try:
        history = await fresh.history(room, limit=10)
    finally:
        await fresh.close()
    assert [(m.body, m.reply_to) for m in history][-2:] == [
        ("tea or coffee?\nor juice?", None),
        ("coffee, thanks", question.message_id),
    ]


async def test_chatuis_reply_has_no_fallback_and_mentions_whom_it_answers(
    synapse, matrix_user
) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = _room_with(bob, alice, name="Replies")
    question = bob.send_text(room, "ready?")
    backend = await logged_in(synapse, alice)
    try:
        await backend.threads()
        await backend.history(room, limit=10)  # the quoted message, as on screen
        await backend.send(room, "yes", uuid.uuid4().hex, reply_to=question)
    finally:
        await backend.close()
    content = bob.room_events(room, "m.room.message")[-1]["content"]
    assert content["body"] == "yes" and "formatted_body" not in content
    assert content["m.relates_to"] == {"m.in_reply_to": {"event_id": question}}
    assert content["m.mentions"] == {"user_ids": [bob.user_id]}


# --- edits -----------------------------------------------------------------------------


async def test_an_edit_from_chatui_is_an_m_replace_that_others_apply(synapse, matrix_user) -> None:
    alice_user, bob_user = matrix_user("alice"), matrix_user("bob")
    room = _room_with(alice_user, bob_user, name="Edits")
    alice = await logged_in(synapse, alice_user, "alice")
    bob = await logged_in(synapse, bob_user, "bob")
    await alice.threads()
    await bob.threads()
    tap = Tap(bob)
    try:
        await tap.wait_for(lambda e: e.cursor is not None, "connected")
        sent = await alice.send(room, "meet at 5", uuid.uuid4().hex)
        await tap.message("meet at 5")
        edited = await alice.edit(room, sent.message_id, "meet at 6")
        assert (edited.body, edited.edited, edited.ts) == ("meet at 6", True, sent.ts)
        seen = await _changed(tap, sent.message_id, "the edit at Bob's", lambda m: m.edited)
        assert seen.message.body == "meet at 6"
        with pytest.raises(PermissionDeniedError):
            await bob.edit(room, sent.message_id, "meet never")
        theirs = await bob.send(room, "bob's words", uuid.uuid4().hex)
        with pytest.raises(PermissionDeniedError):
            await alice.edit(room, theirs.message_id, "alice's words")
    finally:
        await tap.stop()
        await alice.close()
    event = bob_user.room_events(room, "m.room.message")[1]
    content = event["content"]
    assert content["body"] == "* meet at 6"
    assert content["m.new_content"] == {"msgtype": "m.text", "body": "meet at 6", "m.mentions": {}}
    assert content["m.relates_to"] == {"rel_type": "m.replace", "event_id": sent.message_id}


async def test_edits_from_other_clients_count_only_from_the_sender(synapse, matrix_user) -> None:
    alice, bob, carol = matrix_user("alice"), matrix_user("bob"), matrix_user("carol")
    room = _room_with(bob, alice, carol, name="Other clients")
    original = bob.send_text(room, "see you at 5")
    backend = await logged_in(synapse, alice)
    await backend.threads()
    tap = Tap(backend)

    def replace_as(user: MatrixUser, body: str) -> str:
        return user.send_event(
            room,
            "m.room.message",
            {
                "msgtype": "m.text",
                "body": f"* {body}",
                "m.new_content": {"msgtype": "m.text", "body": body},
                "m.relates_to": {"rel_type": "m.replace", "event_id": original},
            },
        )

    try:
        await tap.wait_for(lambda e: e.cursor is not None, "connected")
        await backend.history(room, limit=10)  # the message is on screen
        await in_thread(replace_as, bob, "see you at 6")
        live = await _changed(tap, original, "bob's edit", lambda m: m.body == "see you at 6")
        assert live.message.edited
        await in_thread(replace_as, carol, "carol rewrote it")  # not hers to edit
        await in_thread(bob.send_text, room, "marker")
        await tap.message("marker")
    finally:
        await tap.stop()
    bodies = [e.message.body for e in tap.messages() if e.message.message_id == original]
    assert "carol rewrote it" not in bodies
    fresh = await logged_in(synapse, alice, "again")  # a fresh start reads history
    try:
        history = await fresh.history(room, limit=20)
    finally:
        await fresh.close()
    shown = next(m for m in history if m.message_id == original)
    assert (shown.body, shown.edited) == ("see you at 6", True)
    assert [m.body for m in history] == ["see you at 6", "marker"]


async def test_an_edit_beyond_the_page_comes_bundled_with_its_message(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = _room_with(bob, alice, name="Bundles")
    original = bob.send_text(room, "draft one")
    later = bob.send_text(room, "later")
    bob.send_event(
        room,
        "m.room.message",
        {
            "msgtype": "m.text",
            "body": "* final words",
            "m.new_content": {"msgtype": "m.text", "body": "final words"},
            "m.relates_to": {"rel_type": "m.replace", "event_id": original},
        },
    )
    backend = await logged_in(synapse, alice)
    try:
        # Scrolling back from "later": the edit, newer, is not in this page at all;
        # Synapse bundles it with the message (unsigned.m.relations.m.replace).
        page = await backend.history(room, before=later, limit=5)
    finally:
        await backend.close()
    shown = next(m for m in page if m.message_id == original)
    assert (shown.body, shown.edited) == ("final words", True)


# --- redactions ------------------------------------------------------------------------


async def test_a_redaction_leaves_a_tombstone_and_an_expiry_nothing(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = _room_with(bob, alice, name="Redactions")
    backend = await logged_in(synapse, alice)
    await backend.threads()
    tap = Tap(backend)
    try:
        await tap.wait_for(lambda e: e.cursor is not None, "connected")
        regret = await in_thread(bob.send_text, room, "regrettable")
        vanishing = await in_thread(bob.send_text, room, "vanishing")
        await tap.message("vanishing")
        await in_thread(bob.redact, room, regret)  # as any client deletes
        await in_thread(bob.redact, room, vanishing, EXPIRED_REASON)
        redacted = await tap.wait_for(
            lambda e: isinstance(e, MessageRedacted) and e.message_id == vanishing, "both"
        )
        mine = await backend.send(room, "mine to take back", uuid.uuid4().hex)
        await backend.redact(room, mine.message_id)
        await tap.wait_for(
            lambda e: isinstance(e, MessageRedacted) and e.message_id == mine.message_id, "mine"
        )
        (listed,) = [t for t in await backend.threads() if t.thread_id == room]
    finally:
        await tap.stop()
    first = next(e for e in tap.events if isinstance(e, MessageRedacted) and e.message_id == regret)
    assert (first.expired, redacted.expired) == (False, True)
    assert listed.last_message is not None and listed.last_message.deleted
    fresh = await logged_in(synapse, alice, "again")
    try:
        history = await fresh.history(room, limit=10)
    finally:
        await fresh.close()
    # "message deleted" where it was deleted; nothing where it vanished.
    assert [(m.message_id, m.kind, m.body) for m in history] == [
        (regret, "deleted", ""),
        (mine.message_id, "deleted", ""),
    ]


# --- typing ----------------------------------------------------------------------------


async def test_typing_both_ways(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = _room_with(bob, alice, name="Typing")
    backend = await logged_in(synapse, alice)
    await backend.threads()
    tap = Tap(backend)
    path = f"/rooms/{quote(room, safe='')}/typing/{quote(bob.user_id, safe='')}"
    try:
        await tap.wait_for(lambda e: e.cursor is not None, "connected")
        await backend.set_typing(room, True, 30_000)
        await in_thread(_typing_seen_by, bob, room, [alice.user_id])
        await backend.set_typing(room, False, 30_000)
        await in_thread(_typing_seen_by, bob, room, [])

        await in_thread(bob.request, "PUT", path, json={"typing": True, "timeout": 30_000})
        typing = await tap.wait_for(
            lambda e: isinstance(e, TypingChanged) and bob.user_id in e.users, "bob typing"
        )
        # Held until Synapse says otherwise (it does, when the notice runs out).
        assert (typing.thread_id, typing.timeout_ms) == (room, None)
        await in_thread(bob.request, "PUT", path, json={"typing": False})
        await tap.wait_for(
            lambda e: isinstance(e, TypingChanged) and e.users == () and e.thread_id == room,
            "bob stopped",
        )
    finally:
        await tap.stop()


# --- mentions --------------------------------------------------------------------------


async def test_mentions_as_clients_send_them_and_as_chatui_does(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    set_display_name(alice, "Alice Liddell")
    set_display_name(bob, "Bob")
    room = _room_with(bob, alice, name="Mentions")
    backend = await logged_in(synapse, alice)
    await backend.threads()
    tap = Tap(backend)
    sends = [
        # spec v1.7 intentional mentions
        ({"body": "over to you", "m.mentions": {"user_ids": [alice.user_id]}}, True),
        ({"body": "everyone, look", "m.mentions": {"room": True}}, True),
        # m.mentions present but not us: the body's words do not count then
        ({"body": "Alice Liddell said so", "m.mentions": {}}, False),
        # an older client, without m.mentions: our display name or id in the body
        ({"body": "what does alice liddell think?"}, True),
        ({"body": f"cc {alice.user_id}"}, True),
        ({"body": "nothing for anyone"}, False),
    ]
    try:
        await tap.wait_for(lambda e: e.cursor is not None, "connected")
        for content, _ in sends:
            await in_thread(
                bob.send_event, room, "m.room.message", {"msgtype": "m.text", **content}
            )
        await tap.message("nothing for anyone")
        thread = (
            await tap.thread(lambda t: t.thread_id == room and t.mentions > 0, "counted")
        ).thread
        await backend.history(room, limit=10)  # bob's display name is known to the room
        await backend.send(room, "thanks @Bob, and @nobody", uuid.uuid4().hex)
    finally:
        await tap.stop()
    got = {e.message.body: e.message.mentions_me for e in tap.messages()}
    assert [got[content["body"]] for content, _ in sends] == [want for _, want in sends]
    assert thread.mentions <= thread.unread
    content = bob.room_events(room, "m.room.message")[-1]["content"]
    assert content["m.mentions"] == {"user_ids": [bob.user_id]}
