"""Everyday conversation on Synapse, driven from the keyboard: reply, edit (and
Esc that cancels one), who is typing, a 20-line paste, unsend, a mention and
"seen".

Two real apps, Alice's and Bob's, each over its own Session and Matrix adapter, on
a real Synapse. Alice only presses keys (and pastes), as tests/ui/
test_app_message_actions.py does on the reference server. What counts is Bob's
screen, the events as Bob's own plain HTTP client reads them off the server
(``m.relates_to``, ``m.mentions``: what any other Matrix client gets), and, for
"seen", Alice's screen once Bob has read her.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from textual import events
from textual.pilot import Pilot

from chatui.core.models import ConnectionState, Message, ThreadKey
from chatui.session.session import Session
from chatui.ui.app import ChatApp
from chatui.ui.screens.confirm_unsend import ConfirmUnsend
from chatui.ui.widgets.composer import Composer
from chatui.ui.widgets.composer_context import ComposerContext
from chatui.ui.widgets.message_view import MessageView
from chatui.ui.widgets.status import ThreadHeader
from tests.backends.matrix.helpers_matrix import in_thread, set_display_name
from tests.backends.matrix.synapse import MatrixUser
from tests.backends.matrix.test_matrix_app import _linked_matrix
from tests.ui.conftest import rendered, rendered_lines, thread_rows, wait_for

SIZE = (110, 30)


@dataclass
class Pair:
    """Alice's and Bob's apps on one direct room, and Bob's plain HTTP client."""

    alice: ChatApp
    a: Pilot
    bob: ChatApp
    b: Pilot
    key: ThreadKey  # the room as both sessions name it (each has one account, "mx")
    bob_wire: MatrixUser

    def alice_view(self) -> MessageView:
        return self.alice.query_one(MessageView)

    def bob_view(self) -> MessageView:
        return self.bob.query_one(MessageView)

    def composer(self) -> Composer:
        return self.alice.query_one(Composer)

    def bobs(self) -> list[Message]:
        """The room's messages as Bob's session has them."""
        return self.bob.session.messages(self.key)

    async def wire(self) -> list[dict[str, Any]]:
        """The room's message events as another client reads them from the server."""
        return await in_thread(self.bob_wire.room_events, self.key[1], "m.room.message")

    async def alice_types(self, *keys: str) -> None:
        await self.a.press(*keys)

    async def bob_sees(self, text: str, what: str) -> None:
        await wait_for(self.b, lambda: text in rendered(self.bob_view()), what)


async def _open_from_the_list(app: ChatApp, pilot: Pilot, key: ThreadKey) -> None:
    """Enter on the list's (only) row, as a person opens the conversation."""
    await wait_for(pilot, lambda: app.focused is app.main.thread_list, "the list focused")
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: app.main.shown_key == key and app.session.is_loaded(key),
        "the conversation open",
    )
    composer = app.query_one(Composer)
    await wait_for(pilot, lambda: app.focused is composer, "the message box focused")


@asynccontextmanager
async def alice_and_bob(
    synapse, matrix_user, *, bob_opens: bool = True, bob_said: str | None = None
) -> AsyncIterator[Pair]:
    """Alice and Bob (display names "Alice", "Bob") in a direct room, ``bob_said``
    already in it; both apps live, Alice's with the room open and her message box
    focused, Bob's with it open too unless ``bob_opens`` is false."""
    alice, bob = matrix_user("alice"), matrix_user("bob")
    set_display_name(alice, "Alice")
    set_display_name(bob, "Bob")
    room = alice.create_room(invite=[bob.user_id], is_direct=True)
    bob.join(room)
    if bob_said is not None:
        bob.send_text(room, bob_said)
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
        await _open_from_the_list(alice_app, a, key)
        if bob_opens:
            await _open_from_the_list(bob_app, b, key)
        yield Pair(alice_app, a, bob_app, b, key, bob)


async def _select_by_keys(pair: Pair, body: str) -> None:
    """Shift+Tab from the message box to the conversation, then Up until the message
    whose text is ``body`` is selected."""
    view = pair.alice_view()
    await pair.alice_types("shift+tab")
    await wait_for(pair.a, lambda: pair.alice.focused is view, "the conversation focused")
    for _ in range(len(pair.alice.session.messages(pair.key))):
        await pair.alice_types("up")  # the first Up selects the newest
        selected = view.selected_message
        if selected is not None and selected.body == body:
            return
    pytest.fail(f"Up never selected {body!r}")


async def test_reply_and_edit_from_keys_show_on_bobs_screen(synapse, matrix_user) -> None:
    async with alice_and_bob(synapse, matrix_user, bob_said="are you coming tonight?") as pair:
        asked = next(m for m in pair.bobs() if m.body == "are you coming tonight?")

        # Reply: select Bob's question, R, type, Enter.
        await _select_by_keys(pair, "are you coming tonight?")
        await pair.alice_types("R")
        composer = pair.composer()
        await wait_for(pair.a, lambda: pair.alice.focused is composer, "the box focused")
        bar = pair.alice.query_one(ComposerContext)
        assert "↳ Replying to Bob: are you coming tonight?" in rendered(bar)
        await pair.alice_types(*"yes, at eight", "enter")
        await pair.bob_sees("yes, at eight", "the reply at Bob's")
        lines = [line.strip() for line in rendered_lines(pair.bob_view())]
        at = next(i for i, line in enumerate(lines) if "yes, at eight" in line)
        assert "↳ you: are you coming tonight?" in lines[at - 1]  # its quote, just above
        reply = next(m for m in pair.bobs() if m.body == "yes, at eight")
        assert reply.reply_to == asked.message_id
        event = next(e for e in await pair.wire() if e["event_id"] == reply.message_id)
        relates = event["content"]["m.relates_to"]
        assert relates["m.in_reply_to"]["event_id"] == asked.message_id

        # Edit: Up in the empty box loads her last message; change it; Enter.
        await wait_for(pair.a, lambda: composer.value == "", "the box emptied by sending")
        await pair.alice_types("up")
        await wait_for(pair.a, lambda: composer.value == "yes, at eight", "her last message")
        await pair.alice_types(*["backspace"] * len("eight"), *"nine", "enter")
        await pair.bob_sees("yes, at nine", "the new text at Bob's")
        line = next(x for x in rendered_lines(pair.bob_view()) if "yes, at nine" in x)
        assert " ".join(line.split()).endswith("yes, at nine edited")
        assert "at eight" not in rendered(pair.bob_view())

        # Esc cancels an edit: nothing is sent, the box is empty again.
        await pair.alice_types("up")
        await wait_for(pair.a, lambda: composer.value == "yes, at nine", "loaded again")
        await pair.alice_types(*" or ten", "escape")
        await wait_for(pair.a, lambda: composer.value == "", "the edit cancelled")
        assert not bar.display
        # A message sent after it: anything the cancelled edit did is there by now.
        await pair.alice_types(*"see you then", "enter")
        await pair.bob_sees("see you then", "the next message at Bob's")
        assert "or ten" not in rendered(pair.bob_view())
        assert [m.body for m in pair.bobs() if m.message_id == reply.message_id] == ["yes, at nine"]
        edits = [
            e
            for e in await pair.wire()
            if e["content"].get("m.relates_to", {}).get("rel_type") == "m.replace"
        ]
        assert len(edits) == 1


TWENTY_LINES = "\n".join(f"pasted line {n:02}" for n in range(1, 21))


async def test_typing_a_paste_and_unsend_from_keys(synapse, matrix_user) -> None:
    async with alice_and_bob(synapse, matrix_user) as pair:
        header = pair.bob.query_one(ThreadHeader)

        # Typing: Bob's header and list row say so while she writes; sending stops it.
        await pair.alice_types(*"hello th")
        await wait_for(pair.b, lambda: header.plain.endswith("Alice is typing…"), "typing")
        await wait_for(
            pair.b, lambda: "Alice is typing…" in thread_rows(pair.bob)[0], "typing, his list"
        )
        await pair.alice_types(*"ere", "enter")
        await pair.bob_sees("hello there", "the message at Bob's")
        await wait_for(pair.b, lambda: "typing" not in header.plain, "typing stopped")

        # A 20-line paste (a terminal's bracketed paste reaches the app as one Paste
        # event) is one message, every line of it at Bob's.
        pair.alice.post_message(events.Paste(TWENTY_LINES))
        composer = pair.composer()
        await wait_for(pair.a, lambda: composer.value == TWENTY_LINES, "the paste in the box")
        await pair.alice_types("enter")
        await wait_for(
            pair.b,
            lambda: any(m.body == TWENTY_LINES for m in pair.bobs()),
            "the paste as one message at Bob's",
        )
        await pair.bob_sees("pasted line 20", "its last line on Bob's screen")
        shown = rendered(pair.bob_view())
        assert all(line in shown for line in TWENTY_LINES.splitlines())
        assert [e["content"]["body"] for e in await pair.wire()] == ["hello there", TWENTY_LINES]

        # Unsend it: select it, d, confirm. "message deleted" in its place at Bob's,
        # and as his list's preview.
        await _select_by_keys(pair, TWENTY_LINES)
        await pair.alice_types("d")
        await wait_for(pair.a, lambda: isinstance(pair.alice.screen, ConfirmUnsend), "asked")
        await pair.alice_types("enter")
        await pair.bob_sees("message deleted", "the tombstone at Bob's")
        assert "pasted line" not in rendered(pair.bob_view())
        assert "hello there" in rendered(pair.bob_view())
        await wait_for(
            pair.b, lambda: thread_rows(pair.bob)[0].endswith("message deleted"), "the preview"
        )


async def test_a_mention_and_seen_wait_for_bob_to_open_the_room(synapse, matrix_user) -> None:
    async with alice_and_bob(synapse, matrix_user, bob_opens=False) as pair:
        composer = pair.composer()
        # "@" and letters of his display name; Tab takes the suggestion.
        await pair.alice_types(*"@Bo")
        await wait_for(pair.a, lambda: composer.suggestions.shown, "Bob suggested")
        assert composer.suggestions.render().plain == "@Bob"
        await pair.alice_types("tab")
        assert composer.value == "@Bob "
        await pair.alice_types(*"bring the tickets", "enter")

        # His list row counts the mention; on the wire, m.mentions names him.
        def counted() -> bool:
            row = thread_rows(pair.bob)[0]
            return "bring the tickets" in row and "@1" in row.split()

        await wait_for(pair.b, counted, "the mention counted in Bob's list")
        (sent,) = await pair.wire()
        assert sent["content"]["m.mentions"] == {"user_ids": [pair.bob_wire.user_id]}

        # Not read yet: no "seen" at Alice's. Anything Bob's app sent is on her screen
        # once something he does later is: his other client says he is typing.
        bob = pair.bob_wire
        await in_thread(
            bob.request,
            "PUT",
            f"/rooms/{quote(pair.key[1], safe='')}/typing/{quote(bob.user_id, safe='')}",
            json={"typing": True, "timeout": 30_000},
        )
        alice_header = pair.alice.query_one(ThreadHeader)
        await wait_for(pair.a, lambda: alice_header.plain.endswith("Bob is typing…"), "typing")
        assert "seen" not in rendered(pair.alice_view())

        # Bob opens it: the mention highlighted, and "seen" under her message.
        await _open_from_the_list(pair.bob, pair.b, pair.key)
        await pair.bob_sees("bring the tickets", "the mention on Bob's screen")
        mention = next(x for x in rendered_lines(pair.bob_view()) if "bring the tickets" in x)
        assert mention.strip().startswith("▌ @Bob bring the tickets")
        await wait_for(pair.a, lambda: "seen" in rendered(pair.alice_view()), "seen at Alice's")
        lines = [x.strip() for x in rendered_lines(pair.alice_view()) if x.strip()]
        assert lines.count("seen") == 1
        assert "bring the tickets" in lines[lines.index("seen") - 1]
