"""Vanish mode, chat themes, reactions and expiry between two chatui users on a real
Synapse.

One conversation carries the whole vanish/theme story (Synapse is shared by the
run, but every room and user costs requests): what Bob's client is told when
Alice changes the shared settings, sends under them, reacts and lets a message
expire.
"""

from __future__ import annotations

import uuid

from chatui.backends.matrix.convert import EXPIRED_REASON
from chatui.core import notices
from chatui.core.models import (
    VANISH_OFF,
    MessageReceived,
    MessageRedacted,
    VanishSetting,
)
from tests.backends.matrix.helpers_matrix import (
    Tap,
    logged_in,
    set_display_name,
)


def _setting(event: object, room: str) -> bool:
    return (
        isinstance(event, MessageReceived)
        and event.message.thread_id == room
        and event.message.kind == "setting"
    )


async def test_settings_notices_reactions_and_expiry_reach_the_other_user(
    synapse, matrix_user
) -> None:
    alice_user, bob_user = matrix_user("alice"), matrix_user("bob")
    set_display_name(alice_user, "Alice")
    set_display_name(bob_user, "Bob")
    alice = await logged_in(synapse, alice_user, "alice")
    bob = await logged_in(synapse, bob_user, "bob")
    await alice.threads()
    await bob.threads()
    alice_tap, bob_tap = Tap(alice), Tap(bob)
    try:
        room = (await alice.create_thread([bob_user.user_id])).thread_id
        await bob_tap.thread(lambda t: t.thread_id == room and t.membership == "invite", "invite")
        await bob.accept_invite(room)
        hello = await bob.send(room, "hello before the timer", uuid.uuid4().hex)
        await alice_tap.message("hello before the timer")

        # Alice turns on a 5 s timer: Bob's thread says so, and a notice line comes.
        timer = VanishSetting(mode="timer", seconds=5)
        await alice.set_vanish(room, timer)
        updated = await bob_tap.thread(
            lambda t: t.thread_id == room and t.vanish == timer, "the timer at Bob's"
        )
        notice = (await bob_tap.wait_for(lambda e: _setting(e, room), "the vanish notice")).message
        assert notice.body == "Alice set messages to disappear after 5 seconds"
        assert notice.change == notices.vanish_change(timer)
        assert notice.sender == alice_user.user_id and notice.sender_name == "Alice"
        assert notice.vanish == VANISH_OFF  # the notice itself never vanishes
        assert updated.thread.unread == 0  # a notice is not something to read

        # What Alice sends now carries the timer to Bob.
        sent = await alice.send(room, "this goes in 5 s", uuid.uuid4().hex)
        received = await bob_tap.message("this goes in 5 s")
        assert received.message.vanish == timer

        # Bob sets the very same timer again: nothing changed, so no second notice.
        await bob.set_vanish(room, timer)
        await alice.send(room, "after the same timer again", uuid.uuid4().hex)
        await bob_tap.message("after the same timer again")

        # The theme: Bob's thread carries it, with a notice naming it.
        sunset = {"name": "Sunset", "mine_bubble": ["#ff8700", "#ff005f"], "accent": "#ffaf00"}
        await alice.set_theme(room, sunset)
        themed = await bob_tap.thread(
            lambda t: t.thread_id == room and t.theme is not None, "the theme at Bob's"
        )
        assert dict(themed.thread.theme) == sunset
        notice = (
            await bob_tap.wait_for(
                lambda e: _setting(e, room) and e.message.change["what"] == "theme",
                "the theme notice",
            )
        ).message
        assert notice.body == "Alice changed the theme to Sunset"
        assert notice.change == notices.theme_change("Sunset")
        # Unread counts Alice's two messages, never the two notices.
        assert themed.thread.unread == 2
        assert themed.thread.last_message == notice  # the preview says what changed

        # Alice reacts to Bob's message: Bob gets the message again, with the reaction.
        await alice.react(room, hello.message_id, "🔥")
        await bob_tap.wait_for(
            lambda e: (
                isinstance(e, MessageReceived)
                and e.message.message_id == hello.message_id
                and e.message.reactions.get("🔥") == (alice_user.user_id,)
            ),
            "Alice's reaction at Bob's",
        )

        # An ordinary deletion, then an expiry: Bob can tell them apart.
        oops = await alice.send(room, "oops", uuid.uuid4().hex)
        await bob_tap.message("oops")
        await alice.redact(room, oops.message_id)
        await alice.expire(room, sent.message_id)
        expired = await bob_tap.wait_for(
            lambda e: isinstance(e, MessageRedacted) and e.message_id == sent.message_id,
            "the expiry at Bob's",
        )
        deleted = next(
            e
            for e in bob_tap.events
            if isinstance(e, MessageRedacted) and e.message_id == oops.message_id
        )
        assert expired.expired is True and expired.thread_id == room
        assert deleted.expired is False

        # Resetting the theme is a change too.
        await alice.set_theme(room, {})
        reset = await bob_tap.wait_for(
            lambda e: _setting(e, room) and e.message.change == notices.theme_change(None),
            "the theme reset notice",
        )
        assert reset.message.body == "Alice reset the theme to the default"
        await bob_tap.thread(lambda t: t.thread_id == room and t.theme is None, "no theme")

        # Alice's own stream shows her notices too, as the reference server does.
        await alice_tap.wait_for(
            lambda e: _setting(e, room) and e.message.change == notices.theme_change(None),
            "Alice's own reset notice",
        )
        history = await bob.history(room, limit=50)
    finally:
        await alice_tap.stop()
        await bob_tap.stop()

    live_notices = [e.message.body for e in bob_tap.events if _setting(e, room)]
    assert live_notices == [
        "Alice set messages to disappear after 5 seconds",
        "Alice changed the theme to Sunset",
        "Alice reset the theme to the default",
    ]
    # History (scrolling back, or a fresh start) shows the same lines in place.
    assert [(m.kind, m.body) for m in history] == [
        ("text", "hello before the timer"),
        ("setting", "Alice set messages to disappear after 5 seconds"),
        ("text", "after the same timer again"),
        ("setting", "Alice changed the theme to Sunset"),
        ("deleted", ""),  # "oops", unsent: its tombstone; the expired one left nothing
        ("setting", "Alice reset the theme to the default"),
    ]
    assert history[0].reactions == {"🔥": (alice_user.user_id,)}
    # On the wire: the expiry is a redaction with chatui's reason.
    redactions = {
        e["content"].get("redacts", e.get("redacts")): e["content"].get("reason")
        for e in alice_user.room_events(room, "m.room.redaction")
    }
    assert redactions[sent.message_id] == EXPIRED_REASON
    assert redactions[oops.message_id] is None
