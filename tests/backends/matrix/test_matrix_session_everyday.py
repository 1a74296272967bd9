"""The Session's everyday conversation on a real Synapse: two Sessions with stores of
their own. What the other person's app shows — the new text, "message deleted",
who is typing, a mention, "seen" — and what each device keeps on its disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatui.backends.base import PermissionDeniedError
from tests.backends.matrix.helpers_matrix import set_display_name
from tests.backends.matrix.test_vanish_session import _session
from tests.session.helpers import until
from tests.vanish.helpers import on_disk

WAIT = 30


async def test_edit_unsend_typing_mention_and_seen_between_two_sessions(
    synapse, matrix_user, tmp_path: Path
) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    set_display_name(alice, "Alice")
    set_display_name(bob, "Bob")
    room = alice.create_room(invite=[bob.user_id], name="Everyday", is_direct=True)
    bob.join(room)
    a = await _session(synapse, alice, tmp_path / "alice.sqlite3")
    b = await _session(synapse, bob, tmp_path / "bob.sqlite3")
    key = ("mx", room)
    paths = [tmp_path / "alice.sqlite3", tmp_path / "bob.sqlite3"]

    def held(session, text: str):
        return next((m for m in session.messages(key) if m.body == text), None)

    try:
        await a.open_thread(key)
        await b.open_thread(key)
        await a.send(key, "see you at OLDTIME-7a1f, @Bob")
        await until(lambda: held(b, "see you at OLDTIME-7a1f, @Bob") is not None, "it", WAIT)
        sent = held(b, "see you at OLDTIME-7a1f, @Bob")
        assert sent.mentions_me  # m.mentions, from the @Bob that chatui sent
        await until(lambda: all(on_disk(p, "OLDTIME-7a1f") for p in paths), "stored", WAIT)

        # Bob read it (his open thread marks it read): alice's app says "seen".
        await until(lambda: a.seen_up_to(key) == sent.message_id, "seen", WAIT)

        # An edit: the new text everywhere, the old one on neither disk.
        await a.edit(key, sent.message_id, "see you at noon, @Bob")
        await until(
            lambda: (m := held(b, "see you at noon, @Bob")) is not None and m.edited,
            "the edit at bob's",
            WAIT,
        )
        await until(lambda: [on_disk(p, "OLDTIME-7a1f") for p in paths] == [[], []], "gone", WAIT)
        with pytest.raises(PermissionDeniedError):
            await b.edit(key, sent.message_id, "not bob's to edit")

        # Typing, seen by the other app, and stopped by sending.
        a.typing(key, True)
        await until(lambda: b.typing_in(key) == ["Alice"], "Alice is typing", WAIT)
        await a.send(key, "UNSEND-ME-2b9c")
        await until(lambda: b.typing_in(key) == [], "Alice stopped", WAIT)

        # Unsent: "message deleted" for both, and the text on neither disk.
        await until(lambda: held(b, "UNSEND-ME-2b9c") is not None, "the second message", WAIT)
        second = held(b, "UNSEND-ME-2b9c")
        await until(lambda: all(on_disk(p, "UNSEND-ME-2b9c") for p in paths), "stored", WAIT)
        await a.unsend(key, second.message_id)
        await until(
            lambda: any(m.message_id == second.message_id and m.deleted for m in b.messages(key)),
            "bob's tombstone",
            WAIT,
        )
        assert b.inbox.get(key).last_message.deleted
        await until(lambda: [on_disk(p, "UNSEND-ME-2b9c") for p in paths] == [[], []], "", WAIT)
    finally:
        await a.stop()
        await b.stop()
