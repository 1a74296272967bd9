"""What Matrix messages look like in chatui: plain bodies only, sensible lines for
everything else, and a clear placeholder for encrypted events."""

from __future__ import annotations

import uuid

import pytest

from chatui.backends.base import UnsupportedError
from chatui.backends.matrix.convert import ENCRYPTED_BODY
from tests.backends.matrix.helpers_matrix import Tap, in_thread, logged_in, set_display_name


async def test_markup_types_and_media_are_shown_as_plain_lines(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    set_display_name(bob, "Bob")
    room = bob.create_room(invite=[alice.user_id], name="Kinds")
    alice.join(room)
    backend = await logged_in(synapse, alice)
    await backend.threads()
    tap = Tap(backend)
    try:
        await tap.wait_for(lambda e: e.cursor is not None, "connected")
        sends = [
            # formatted_body is another client's HTML: never rendered, never used.
            {
                "msgtype": "m.text",
                "body": "plain *words* [b]x[/b]",
                "format": "org.matrix.custom.html",
                "formatted_body": "<b>BOLD</b><script>alert(1)</script>",
            },
            {"msgtype": "m.notice", "body": "build passed"},
            {"msgtype": "m.emote", "body": "waves"},
            {"msgtype": "m.image", "body": "cat.png", "url": "mxc://localhost/abc"},
            {"msgtype": "m.file", "body": "notes.pdf", "url": "mxc://localhost/def"},
            {"msgtype": "org.example.poll", "body": "Lunch? (poll)"},
            {"msgtype": "org.example.weird", "body": ""},
        ]
        for content in sends:
            await in_thread(bob.send_event, room, "m.room.message", content)
        await in_thread(bob.send_text, room, "the end")
        await tap.message("the end")
    finally:
        await tap.stop()
    got = [(e.message.body, e.message.kind) for e in tap.messages()][-8:]
    assert got == [
        ("plain *words* [b]x[/b]", "text"),
        ("build passed", "notice"),
        ("* Bob waves", "emote"),
        ("[image: cat.png]", "media"),
        ("[file: notes.pdf]", "media"),
        ("Lunch? (poll)", "text"),
        ("[unsupported message: org.example.weird]", "media"),
        ("the end", "text"),
    ]
    assert not any("BOLD" in body or "script" in body for body, _ in got)


async def test_encrypted_events_show_a_placeholder_and_sending_is_refused(
    synapse, matrix_user
) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = bob.create_room(
        invite=[alice.user_id],
        name="Secret",
        initial_state=[
            {
                "type": "m.room.encryption",
                "state_key": "",
                "content": {"algorithm": "m.megolm.v1.aes-sha2"},
            }
        ],
    )
    alice.join(room)
    for n in range(2):
        bob.send_event(
            room,
            "m.room.encrypted",
            {
                "algorithm": "m.megolm.v1.aes-sha2",
                "ciphertext": f"AwgAEn{n}cipher",
                "device_id": "BOBDEVICE",
                "sender_key": "c2VuZGVyIGtleQ",
                "session_id": "c2Vzc2lvbg",
            },
        )
    backend = await logged_in(synapse, alice)
    try:
        threads = {t.thread_id: t for t in await backend.threads()}
        history = await backend.history(room, limit=10)
        with pytest.raises(UnsupportedError, match="encrypted"):
            await backend.send(room, "in the clear?", uuid.uuid4().hex)
    finally:
        await backend.close()
    assert threads[room].last_message.body == ENCRYPTED_BODY
    # One clear line per encrypted event, not a crash and not silence.
    assert [(m.body, m.kind) for m in history] == [(ENCRYPTED_BODY, "encrypted")] * 2
    assert "in the clear?" not in bob.texts(room)


async def test_an_edit_changes_the_line_instead_of_adding_one(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = bob.create_room(invite=[alice.user_id], name="Edits")
    alice.join(room)
    original = bob.send_text(room, "meet at 5")
    bob.send_event(
        room,
        "m.room.message",
        {
            "msgtype": "m.text",
            "body": "* meet at 6",
            "m.new_content": {"msgtype": "m.text", "body": "meet at 6"},
            "m.relates_to": {"rel_type": "m.replace", "event_id": original},
        },
    )
    backend = await logged_in(synapse, alice)
    try:
        history = await backend.history(room, limit=10)
    finally:
        await backend.close()
    assert [(m.message_id, m.body) for m in history] == [(original, "meet at 6")]
