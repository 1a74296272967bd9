"""Invitations, reactions, redactions, and chatui's own shared settings on Matrix."""

from __future__ import annotations

import uuid

from chatui.backends.matrix.convert import THEME_EVENT, VANISH_EVENT, VANISH_FIELD
from chatui.core.models import MessageRedacted, ReadMarkerMoved, VanishSetting
from tests.backends.matrix.helpers_matrix import Tap, in_thread, logged_in, set_display_name


async def test_an_invite_is_shown_and_can_be_accepted_or_declined(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    set_display_name(bob, "Bob")
    backend = await logged_in(synapse, alice)
    await backend.threads()
    tap = Tap(backend)
    try:
        await tap.wait_for(lambda e: e.cursor is not None, "connected")
        dm = await in_thread(bob.create_room, invite=[alice.user_id], is_direct=True)
        invite = await tap.thread(
            lambda t: t.thread_id == dm and t.membership == "invite", "the invitation"
        )
        assert invite.thread.inviter == bob.user_id
        assert invite.thread.title == "Bob"
        listed = {t.thread_id: t for t in await backend.threads()}
        assert listed[dm].membership == "invite"

        joined = await backend.accept_invite(dm)
        assert joined.membership == "join"
        await tap.thread(lambda t: t.thread_id == dm and t.membership == "join", "joined")
        await in_thread(bob.send_text, dm, "welcome!")
        await tap.message("welcome!")
        # A DM accepted in chatui is recorded as one for Alice's other clients.
        direct = alice.request("GET", f"/user/{alice.user_id}/account_data/m.direct")
        assert dm in direct[bob.user_id]

        spam = await in_thread(bob.create_room, invite=[alice.user_id], name="Spam")
        await tap.thread(lambda t: t.thread_id == spam and t.membership == "invite", "spam")
        await backend.decline_invite(spam)
        await tap.thread(lambda t: t.thread_id == spam and t.membership == "leave", "declined")
        assert spam not in {t.thread_id for t in await backend.threads()}
    finally:
        await tap.stop()
    members = bob.request("GET", f"/rooms/{spam}/members")["chunk"]
    alice_state = next(m for m in members if m["state_key"] == alice.user_id)
    assert alice_state["content"]["membership"] == "leave"


async def test_starting_a_dm_invites_and_marks_it_direct(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    backend = await logged_in(synapse, alice)
    try:
        # A bare name is completed with Alice's own server.
        localpart = bob.user_id[1:].split(":", 1)[0]
        thread = await backend.create_thread([localpart])
    finally:
        await backend.close()
    assert thread.members == (alice.user_id, bob.user_id)
    room = bob.wait_for_invite()
    assert room == thread.thread_id
    invite = bob.sync()["rooms"]["invite"][room]["invite_state"]["events"]
    mine = next(e for e in invite if e["type"] == "m.room.member" and e["state_key"] == bob.user_id)
    assert mine["content"].get("is_direct") is True
    direct = alice.request("GET", f"/user/{alice.user_id}/account_data/m.direct")
    assert direct == {bob.user_id: [room]}


async def test_reactions_and_redactions_round_trip(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = bob.create_room(invite=[alice.user_id], name="Reactions")
    alice.join(room)
    backend = await logged_in(synapse, alice)
    await backend.threads()
    tap = Tap(backend)
    try:
        await tap.wait_for(lambda e: e.cursor is not None, "connected")
        theirs = await in_thread(bob.send_text, room, "pizza tonight?")
        await tap.message("pizza tonight?")

        # Bob reacts: the message comes again, now with his reaction.
        reaction = await in_thread(bob.react, room, theirs, "👍")
        await tap.wait_for(
            lambda e: (
                getattr(e, "message", None) is not None
                and e.message.message_id == theirs
                and e.message.reactions.get("👍") == (bob.user_id,)
            ),
            "Bob's 👍 on the message",
        )
        # Alice reacts from chatui: Bob's client sees an m.annotation.
        await backend.react(room, theirs, "🍕")
        await backend.react(room, theirs, "🍕")  # a double tap is not a second reaction
        _, seen = await in_thread(
            bob.wait_for_event,
            lambda r, e: r == room and e["type"] == "m.reaction" and e["sender"] == alice.user_id,
        )
        assert seen["content"]["m.relates_to"] == {
            "rel_type": "m.annotation",
            "event_id": theirs,
            "key": "🍕",
        }
        await tap.wait_for(
            lambda e: (
                getattr(e, "message", None) is not None
                and e.message.message_id == theirs
                and e.message.reactions.get("🍕") == (alice.user_id,)
            ),
            "Alice's own 🍕 in her stream",
        )
        # Un-react redacts exactly that reaction event.
        await backend.unreact(room, theirs, "🍕")
        await tap.wait_for(
            lambda e: (
                getattr(e, "message", None) is not None
                and e.message.message_id == theirs
                and "🍕" not in e.message.reactions
                and e.message.reactions.get("👍") == (bob.user_id,)
            ),
            "the 🍕 gone, the 👍 kept",
        )
        # Bob takes his reaction back, then deletes his message.
        await in_thread(bob.redact, room, reaction)
        await tap.wait_for(
            lambda e: (
                getattr(e, "message", None) is not None
                and e.message.message_id == theirs
                and not e.message.reactions
            ),
            "no reactions left",
        )
        await in_thread(bob.redact, room, theirs)
        await tap.wait_for(
            lambda e: isinstance(e, MessageRedacted) and e.message_id == theirs,
            "the redaction of Bob's message",
        )

        # Alice deletes one of her own from chatui: Bob's copy loses its content.
        mine = await backend.send(room, "oops, wrong chat", uuid.uuid4().hex)
        await backend.redact(room, mine.message_id)
        await tap.wait_for(
            lambda e: isinstance(e, MessageRedacted) and e.message_id == mine.message_id,
            "the redaction of Alice's message",
        )
    finally:
        await tap.stop()
    events = {e["event_id"]: e for e in bob.room_events(room)}
    assert events[mine.message_id]["content"] == {}
    reactions = [e for e in bob.room_events(room, "m.reaction") if e["sender"] == alice.user_id]
    assert len(reactions) == 1 and reactions[0]["content"] == {}  # redacted


async def test_read_receipts_move_markers_both_ways(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = bob.create_room(invite=[alice.user_id], name="Receipts")
    alice.join(room)
    first = bob.send_text(room, "one")
    backend = await logged_in(synapse, alice)
    await backend.threads()
    tap = Tap(backend)
    try:
        await tap.wait_for(lambda e: e.cursor is not None, "connected")
        await backend.mark_read(room, first)
        await tap.wait_for(
            lambda e: (
                isinstance(e, ReadMarkerMoved) and e.user == alice.user_id and e.message_id == first
            ),
            "Alice's own receipt",
        )
        fully_read = alice.request(
            "GET", f"/user/{alice.user_id}/rooms/{room}/account_data/m.fully_read"
        )
        assert fully_read["event_id"] == first
        second = await backend.send(room, "two", uuid.uuid4().hex)
        await in_thread(bob.send_receipt, room, second.message_id)
        await tap.wait_for(
            lambda e: (
                isinstance(e, ReadMarkerMoved)
                and e.user == bob.user_id
                and e.message_id == second.message_id
            ),
            "Bob's receipt",
        )
    finally:
        await tap.stop()


async def test_theme_and_vanish_ride_on_room_state_between_two_chatui_users(
    synapse, matrix_user
) -> None:
    alice_user, bob_user = matrix_user("alice"), matrix_user("bob")
    alice = await logged_in(synapse, alice_user, "alice")
    bob = await logged_in(synapse, bob_user, "bob")
    await alice.threads()
    await bob.threads()
    alice_tap, bob_tap = Tap(alice), Tap(bob)
    try:
        thread = await alice.create_thread([bob_user.user_id])
        room = thread.thread_id
        await bob_tap.thread(lambda t: t.thread_id == room and t.membership == "invite", "invite")
        await bob.accept_invite(room)

        sunset = {"name": "Sunset", "mine": "#ff8700", "theirs": "#303030"}
        updated = await alice.set_theme(room, sunset)
        assert dict(updated.theme) == sunset
        seen = await bob_tap.thread(
            lambda t: t.thread_id == room and t.theme is not None, "Alice's theme at Bob's"
        )
        assert dict(seen.thread.theme) == sunset

        timer = VanishSetting(mode="timer", seconds=30)
        await bob.set_vanish(room, timer)
        seen = await alice_tap.thread(
            lambda t: t.thread_id == room and t.vanish == timer, "Bob's vanish at Alice's"
        )
        # Each message carries the setting it was sent under.
        await alice.send(room, "this will vanish", uuid.uuid4().hex)
        received = await bob_tap.message("this will vanish")
        assert received.message.vanish == timer
    finally:
        await alice_tap.stop()
        await bob_tap.stop()
    # On the wire: namespaced state events (other clients ignore them)...
    assert alice_user.get_state(room, THEME_EVENT) == sunset
    assert alice_user.get_state(room, VANISH_EVENT) == {"mode": "timer", "seconds": 30}
    # ...and a namespaced field on the message, next to an ordinary plain body.
    message = alice_user.room_events(room, "m.room.message")[-1]["content"]
    assert message["body"] == "this will vanish"
    assert message[VANISH_FIELD] == {"mode": "timer", "seconds": 30}
