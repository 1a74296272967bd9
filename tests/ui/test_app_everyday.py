"""Everyday conversation, as the other person's screen shows it: an edit, an unsent
message, a reply to one, who is typing, a mention, "seen" and web links.

Two real apps against a live reference server: Alice's (one account) and Bob's
(two accounts on two servers). Alice edits, unsends and types through her
Session (the composer's keys for them are another part of issue 13); what is
asserted is what Bob's screen shows, and Alice's where Bob's reading shows there.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from rich.segment import Segment
from textual.geometry import Region

from chatui.core.models import ThreadKey
from chatui.ui.app import ChatApp
from chatui.ui.widgets.message_view import MessageView
from chatui.ui.widgets.status import ThreadHeader
from chatui.ui.widgets.thread_list import ThreadListView
from tests.ui.conftest import World, rendered, rendered_lines, thread_rows, wait_for

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from textual.pilot import Pilot

    from chatui.core.models import Message

SIZE = (110, 30)


def alice_key(world: World) -> ThreadKey:
    """The lunch thread on Alice's account ("alice"); Bob's is ``world.lunch``."""
    return ("alice", world.lunch[1])


@asynccontextmanager
async def two_apps(world: World) -> AsyncIterator[tuple[ChatApp, Pilot, ChatApp, Pilot]]:
    alice_app = ChatApp(world.alice_session())
    bob_app = ChatApp(world.bob_session())
    async with alice_app.run_test(size=SIZE) as alice, bob_app.run_test(size=SIZE) as bob:
        yield alice_app, alice, bob_app, bob


async def open_thread(app: ChatApp, pilot: Pilot, key: ThreadKey) -> MessageView:
    """Open ``key`` as the palette would, once its first page is loaded."""
    assert app.session is not None
    session = app.session
    await wait_for(pilot, lambda: key in session.inbox, f"{key} in the list")
    app.main.jump_to(key)
    await wait_for(pilot, lambda: session.is_loaded(key), f"{key} loaded")
    return app.query_one(MessageView)


async def sent(app: ChatApp, pilot: Pilot, key: ThreadKey, body: str, **kw) -> Message:
    """``body`` sent from ``app``'s Session, once the server has it."""
    assert app.session is not None
    message = await app.session.send(key, body, **kw)
    assert message is not None
    await wait_for(
        pilot,
        lambda: any(m.body == body and not m.pending for m in app.session.messages(key)),
        f"{body!r} on the server",
    )
    return next(m for m in app.session.messages(key) if m.body == body and not m.pending)


def words(text: str) -> str:
    """``text`` with one space between words (the list pads its columns)."""
    return " ".join(text.split())


def lunch_row(app: ChatApp) -> str:
    return next((row for row in thread_rows(app) if "Lunch plans" in row), "")


def line_segments(widget, text: str) -> list[Segment]:
    """The segments of the first line of ``widget`` that shows ``text``."""
    width, height = widget.size
    for strip in widget.render_lines(Region(0, 0, width, height)):
        if text in strip.text:
            return list(strip)
    raise AssertionError(f"{text!r} is not on screen")


def style_of(widget, text: str, piece: str):
    """The style ``piece`` (on the line showing ``text``) is drawn with."""
    for segment in line_segments(widget, text):
        if piece in segment.text:
            return segment.style
    raise AssertionError(f"{piece!r} is not one segment of the line with {text!r}")


async def test_an_edit_and_an_unsent_message_on_the_other_screen(world: World) -> None:
    async with two_apps(world) as (alice_app, alice, bob_app, bob):
        key = alice_key(world)
        await open_thread(alice_app, alice, key)
        bob_view = await open_thread(bob_app, bob, world.lunch)
        message = await sent(alice_app, alice, key, "see you at 1")
        await wait_for(bob, lambda: "see you at 1" in rendered(bob_view), "the message at Bob's")
        assert "edited" not in rendered(bob_view)

        await alice_app.session.edit(key, message.message_id, "see you at 2")
        await wait_for(bob, lambda: "see you at 2" in rendered(bob_view), "the new text")
        shown = rendered(bob_view)
        assert "see you at 1" not in shown
        line = next(x for x in rendered_lines(bob_view) if "see you at 2" in x)
        # The mark, after the text (and after its bubble).
        assert " ".join(line.split()).endswith("see you at 2 edited")
        # Quiet, not the body's style: the mark is not part of what she wrote.
        assert style_of(bob_view, "see you at 2", "edited") != style_of(
            bob_view, "see you at 2", "see you at 2"
        )

        await alice_app.session.unsend(key, message.message_id)
        await wait_for(bob, lambda: "message deleted" in rendered(bob_view), "its tombstone")
        shown = rendered(bob_view)
        assert "see you at 2" not in shown and "edited" not in shown
        # In its place, in italics: a line about the message, not words of hers.
        assert style_of(bob_view, "message deleted", "message deleted").italic
        await wait_for(
            bob, lambda: lunch_row(bob_app).endswith("message deleted"), "the list's preview"
        )
        # Alice's own screen says it too, and her list row says whose it was.
        alice_view = alice_app.query_one(MessageView)
        await wait_for(alice, lambda: "message deleted" in rendered(alice_view), "her tombstone")
        await wait_for(
            alice, lambda: "you: message deleted" in lunch_row(alice_app), "her list's preview"
        )


async def test_a_reply_to_a_message_since_deleted_says_so(world: World) -> None:
    async with two_apps(world) as (alice_app, alice, bob_app, bob):
        key = alice_key(world)
        await open_thread(alice_app, alice, key)
        bob_view = await open_thread(bob_app, bob, world.lunch)
        original = await sent(alice_app, alice, key, "meet at the north gate")
        await wait_for(
            bob,
            lambda: any(
                m.message_id == original.message_id for m in bob_app.session.messages(world.lunch)
            ),
            "the message at Bob's",
        )
        await sent(bob_app, bob, world.lunch, "on my way", reply_to=original.message_id)
        await wait_for(
            bob,
            lambda: "↳ alice: meet at the north gate" in rendered(bob_view),
            "the quote above Bob's reply",
        )

        await alice_app.session.unsend(key, original.message_id)
        await wait_for(bob, lambda: "↳ message deleted" in rendered(bob_view), "the quote's state")
        assert "north gate" not in rendered(bob_view)
        alice_view = alice_app.query_one(MessageView)
        await wait_for(
            alice, lambda: "↳ message deleted" in rendered(alice_view), "Alice's screen too"
        )


async def test_who_is_typing_in_the_header_and_the_list(world: World) -> None:
    async with two_apps(world) as (alice_app, alice, bob_app, bob):
        key = alice_key(world)
        await wait_for(alice, lambda: key in alice_app.session.inbox, "Alice's thread")
        await open_thread(bob_app, bob, world.lunch)
        header = bob_app.query_one(ThreadHeader)
        # Connected, so that the stream carries the notice (it is never replayed).
        await wait_for(bob, lambda: lunch_row(bob_app) != "", "Bob's list")
        await wait_for(
            bob,
            lambda: all(s.value == "connected" for s, _ in bob_app.session.states.values()),
            "Bob's live streams",
        )

        alice_app.session.typing(key, True)
        await wait_for(bob, lambda: header.plain.endswith("alice is typing…"), "the header")
        await wait_for(bob, lambda: "alice is typing…" in lunch_row(bob_app), "the list row")
        assert "pizza at noon?" not in lunch_row(bob_app)  # in place of the preview
        # In italics, in the list as in the header: it is not a message.
        assert style_of(bob_app.query_one(ThreadListView), "typing", "alice is typing…").italic

        alice_app.session.typing(key, False)  # she cleared the box
        await wait_for(bob, lambda: "typing" not in header.plain, "the header after a stop")
        await wait_for(bob, lambda: "pizza at noon?" in lunch_row(bob_app), "the preview back")
        assert "with alice" in header.plain  # the header's own second line again

        # No stop at all (her app went away): the notice runs out by itself.
        alice_app.session.typing(key, True)
        await wait_for(bob, lambda: "alice is typing…" in header.plain, "typing again")
        await alice_app.session.stop()
        await wait_for(bob, lambda: "typing" not in header.plain, "the notice expired")
        await wait_for(bob, lambda: "typing" not in lunch_row(bob_app), "and in the list")


async def test_a_mention_is_counted_in_the_list_and_highlighted(world: World) -> None:
    async with two_apps(world) as (alice_app, alice, bob_app, bob):
        key = alice_key(world)
        await open_thread(alice_app, alice, key)
        await open_thread(bob_app, bob, world.climbing)  # Bob is elsewhere
        await sent(alice_app, alice, key, "@bob did you book the table?")
        await sent(alice_app, alice, key, "no rush")
        # Counted beside the unread count (pizza, the mention and "no rush").
        await wait_for(
            bob, lambda: words(lunch_row(bob_app)).endswith("no rush @1 3"), "the mention counted"
        )

        view = await open_thread(bob_app, bob, world.lunch)
        await wait_for(bob, lambda: "did you book" in rendered(view), "the message")
        lines = rendered_lines(view)
        mention = next(x for x in lines if "@bob did you book the table?" in x)
        plain = next(x for x in lines if "no rush" in x)
        # A mark in the gutter that reads without color, on that message only.
        assert mention.strip().startswith("▌ @bob")
        assert plain.strip() == "no rush"
        assert style_of(view, "did you book", "▌").bold
        await wait_for(bob, lambda: "@1" not in lunch_row(bob_app), "read: nothing to count")


async def test_seen_under_the_last_message_the_other_person_read(world: World) -> None:
    async with two_apps(world) as (alice_app, alice, bob_app, bob):
        key = alice_key(world)
        alice_view = await open_thread(alice_app, alice, key)
        await open_thread(bob_app, bob, world.climbing)  # not reading lunch yet
        await sent(alice_app, alice, key, "first question")
        await sent(alice_app, alice, key, "are you coming?")
        await wait_for(bob, lambda: "are you coming?" in lunch_row(bob_app), "it at Bob's")
        assert "seen" not in rendered(alice_view)

        await open_thread(bob_app, bob, world.lunch)  # Bob reads it
        await wait_for(alice, lambda: "seen" in rendered(alice_view), "seen at Alice's")
        lines = [x.strip() for x in rendered_lines(alice_view) if x.strip()]
        assert lines.count("seen") == 1  # under one message only: the last one read
        assert lines[lines.index("seen") - 1].endswith("are you coming?")

        # Her next message is not read yet: "seen" stays where it was.
        await sent(alice_app, alice, key, "hello?")
        await wait_for(alice, lambda: "hello?" in rendered(alice_view), "the new message")
        lines = [x.strip() for x in rendered_lines(alice_view) if x.strip()]
        assert lines.count("seen") == 1
        assert lines[lines.index("seen") - 1].endswith("are you coming?")


async def test_links_are_shown_as_they_are_and_o_opens_the_first(world: World) -> None:
    async with two_apps(world) as (alice_app, alice, bob_app, bob):
        opened: list[str] = []
        bob_app.url_opener = opened.append  # the browser, as the app hands links to it
        key = alice_key(world)
        await open_thread(alice_app, alice, key)
        view = await open_thread(bob_app, bob, world.lunch)
        await sent(
            alice_app,
            alice,
            key,
            "menu: https://example.org/menu?day=sat#pizza, or https://b.example",
        )
        await sent(alice_app, alice, key, "try javascript:alert(1) now")
        await wait_for(bob, lambda: "javascript:" in rendered(view), "both messages at Bob's")

        # The address is the text on screen, underlined: no other target behind it.
        line = "menu: https://example.org"
        assert style_of(view, line, "https://example.org/menu?day=sat#pizza").underline
        assert not style_of(view, line, "menu:").underline
        assert style_of(view, line, "https://example.org/menu?day=sat#pizza").link is None

        view.focus()
        await bob.press("end", "up")  # the message with the links
        await wait_for(
            bob,
            lambda: view.selected_message is not None and "menu" in view.selected_message.body,
            "the message with the links selected",
        )
        await bob.press("o")
        await wait_for(bob, lambda: opened != [], "the link handed to the browser")
        assert opened == ["https://example.org/menu?day=sat#pizza"]  # the first, exactly

        # A javascript: text is no link: "o" does nothing there, and nothing but
        # http(s) is ever handed on, whoever asks.
        await bob.press("down")
        await wait_for(
            bob,
            lambda: (
                view.selected_message is not None and "javascript" in view.selected_message.body
            ),
            "the other message selected",
        )
        assert not bob_app.main.check_action("open_link", ())
        await bob.press("o")
        await bob.pause()
        bob_app.open_url("javascript:alert(1)")
        bob_app.open_url("file:///etc/passwd")
        assert opened == ["https://example.org/menu?day=sat#pizza"]
