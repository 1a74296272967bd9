"""Everyday conversation on Synapse, as the other person's app shows it: an edit
(m.replace), who is typing (m.typing), "seen" (a read receipt), an unsent message
(a redaction) and a mention (m.mentions).

Two real apps, each over its own Session and Matrix adapter, on a real Synapse.
Alice acts through her Session (the composer's keys for editing and unsending
are another part of issue 13); Bob's screen, and Alice's where Bob's reading
shows, are what is checked.
"""

from __future__ import annotations

from chatui.core.models import ConnectionState
from chatui.session.session import Session
from chatui.ui.app import ChatApp
from chatui.ui.widgets.message_view import MessageView
from chatui.ui.widgets.status import ThreadHeader
from tests.backends.matrix.helpers_matrix import set_display_name
from tests.backends.matrix.test_matrix_app import _linked_matrix
from tests.ui.conftest import rendered, rendered_lines, thread_rows, wait_for

SIZE = (110, 30)


async def test_edit_typing_seen_unsend_and_a_mention_on_the_other_screen(
    synapse, matrix_user
) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    set_display_name(alice, "Alice")
    set_display_name(bob, "Bob")
    room = alice.create_room(invite=[bob.user_id], is_direct=True)
    bob.join(room)
    key = ("mx", room)
    alice_app = ChatApp(Session([await _linked_matrix(synapse, alice)]))
    bob_app = ChatApp(Session([await _linked_matrix(synapse, bob)]))
    async with alice_app.run_test(size=SIZE) as a, bob_app.run_test(size=SIZE) as b:
        for app, pilot in ((alice_app, a), (bob_app, b)):
            session = app.session
            await wait_for(
                pilot,
                lambda s=session: key in s.inbox and s.states["mx"][0] is ConnectionState.CONNECTED,
                "the room, live",
            )
            app.main.jump_to(key)
            await wait_for(pilot, lambda s=session: s.is_loaded(key), "the room open")
        alice_view = alice_app.query_one(MessageView)
        bob_view = bob_app.query_one(MessageView)
        header = bob_app.query_one(ThreadHeader)

        sent = await alice_app.session.send(key, "see you at OLDTIME-5e2a")
        assert sent is not None
        await wait_for(b, lambda: "OLDTIME-5e2a" in rendered(bob_view), "the message at Bob's")

        # An edit: the new text and the mark, the old text gone from his screen.
        held = next(m for m in alice_app.session.messages(key) if "OLDTIME" in m.body)
        await alice_app.session.edit(key, held.message_id, "see you at noon")
        await wait_for(b, lambda: "see you at noon" in rendered(bob_view), "the new text")
        line = next(x for x in rendered_lines(bob_view) if "see you at noon" in x)
        assert " ".join(line.split()).endswith("see you at noon edited")
        assert "OLDTIME" not in rendered(bob_view)

        # Bob has the room open: he read it, and Alice's screen says so.
        await wait_for(a, lambda: "seen" in rendered(alice_view), "seen at Alice's")
        lines = [x.strip() for x in rendered_lines(alice_view) if x.strip()]
        assert lines.count("seen") == 1
        assert "see you at noon" in lines[lines.index("seen") - 1]

        # Typing, in Bob's header and list row, by her display name; sending stops it.
        alice_app.session.typing(key, True)
        await wait_for(b, lambda: header.plain.endswith("Alice is typing…"), "typing, header")
        await wait_for(
            b, lambda: any("Alice is typing…" in row for row in thread_rows(bob_app)), "the row"
        )
        await alice_app.session.send(key, "UNSEND-ME-7c1d")
        await wait_for(b, lambda: "typing" not in header.plain, "typing stopped")
        await wait_for(b, lambda: "UNSEND-ME-7c1d" in rendered(bob_view), "the second message")

        # Unsent: "message deleted" in its place and as the list's preview.
        second = next(m for m in alice_app.session.messages(key) if m.body == "UNSEND-ME-7c1d")
        await alice_app.session.unsend(key, second.message_id)
        await wait_for(b, lambda: "message deleted" in rendered(bob_view), "the tombstone")
        assert "UNSEND-ME-7c1d" not in rendered(bob_view)
        await wait_for(
            b, lambda: thread_rows(bob_app)[0].endswith("message deleted"), "the preview"
        )

        # A mention of Bob by his display name: m.mentions, highlighted on his screen.
        await alice_app.session.send(key, "@Bob bring the tickets")
        await wait_for(b, lambda: "bring the tickets" in rendered(bob_view), "the mention")
        mention = next(x for x in rendered_lines(bob_view) if "bring the tickets" in x)
        assert mention.strip().startswith("▌ @Bob bring the tickets")
