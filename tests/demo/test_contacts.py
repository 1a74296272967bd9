"""The demo contacts answer the user live, quoting what they answer."""

from __future__ import annotations

import uuid

from chatui.backends.local import LocalBackend
from chatui.core.models import Message
from chatui.demo.contacts import quote, reply_text, responder
from chatui.demo.servers import DemoWorld
from chatui.session.session import Session
from tests.demo.conftest import wait_connected, wait_for


def replies_to(session: Session, key, message_id: str) -> list[Message]:
    return [m for m in session.messages(key) if m.reply_to == message_id]


def thread_named(session: Session, account_id: str, title: str):
    for thread in session.inbox.threads():
        if thread.account_id == account_id and thread.display_title("you") == title:
            return thread
    raise AssertionError(f"no thread {title!r} in {account_id}")


async def test_a_contact_replies_quoting_the_message(session: Session, world: DemoWorld):
    await wait_connected(session)
    alice = thread_named(session, "demo-northwind", "alice")
    await session.open_thread(alice.key)
    text = f"are we still on for lunch? {uuid.uuid4().hex[:8]}"
    sent = await session.send(alice.key, text)
    assert sent is not None

    reply = (await wait_for(lambda: replies_to(session, alice.key, sent.message_id), "a reply"))[0]
    assert reply.sender == "alice"
    assert f"“{text}”" in reply.body
    # The reply is live in the merged list too: alice's thread shows it as its preview.
    assert session.inbox.get(alice.key).last_message.message_id == reply.message_id


async def test_a_reaction_on_an_answered_message_gets_no_second_answer(
    session: Session, world: DemoWorld
):
    """A reaction re-delivers the message it is on; the contact must not answer twice.

    No sleep stands for "a second answer would have come by now". Instead, in order:
    a later message is answered (so the bots have read the re-delivery, which comes
    before it in their streams), the bots go idle (so a second answer, if decided
    on, has been stored by the server), and one more message is answered (its answer
    comes after anything stored before it, in our own stream).
    """
    await wait_connected(session)
    alice = thread_named(session, "demo-northwind", "alice")
    await session.open_thread(alice.key)
    sent = await session.send(alice.key, f"react to me {uuid.uuid4().hex[:8]}")
    await wait_for(lambda: replies_to(session, alice.key, sent.message_id), "a reply")
    accepted = next(m for m in session.messages(alice.key) if m.txn_id == sent.txn_id)
    await session.react(alice.key, accepted.message_id, "👍")
    await wait_for(
        lambda: any(
            m.reactions.get("👍")
            for m in session.messages(alice.key)
            if m.message_id == accepted.message_id
        ),
        "the reaction back",
    )
    later = await session.send(alice.key, f"and this {uuid.uuid4().hex[:8]}")
    await wait_for(lambda: replies_to(session, alice.key, later.message_id), "the later reply")
    bots = world.bots
    assert bots is not None
    await wait_for(lambda: bots.answering == 0, "the contacts to be idle")
    last = await session.send(alice.key, f"one more {uuid.uuid4().hex[:8]}")
    await wait_for(lambda: replies_to(session, alice.key, last.message_id), "the last reply")
    assert len(replies_to(session, alice.key, accepted.message_id)) == 1


async def test_contacts_on_the_other_network_reply_too(session: Session):
    await wait_connected(session)
    emma = thread_named(session, "demo-harbor", "emma")
    await session.open_thread(emma.key)
    sent = await session.send(emma.key, "see you at 9 🥖")
    reply = (await wait_for(lambda: replies_to(session, emma.key, sent.message_id), "a reply"))[0]
    assert reply.sender == "emma"
    assert "“see you at 9 🥖”" in reply.body


async def test_in_a_group_one_contact_replies_and_bots_ignore_bots(
    session: Session, world: DemoWorld
):
    await wait_connected(session)
    hike = thread_named(session, "demo-northwind", "Weekend hike 🥾")
    await session.open_thread(hike.key)

    # A contact writing in the group must not set the other contacts off.
    northwind = world.running[0]
    bots = world.bots
    assert bots is not None
    contacts = [
        northwind.network.contact_account(northwind.server.url, name)
        for name in hike.members
        if name != "you"
    ]
    heard_before = {c.account_id: bots.heard(c.account_id) for c in contacts}
    bob = LocalBackend(northwind.network.contact_account(northwind.server.url, "bob"))
    await bob.restore(world.home.load_token(bob.account))
    try:
        from_bob = await bob.send(hike.thread_id, "anyone seen my boots?", uuid.uuid4().hex)
    finally:
        await bob.close()

    first = await session.send(hike.key, "I'll bring the map")
    await wait_for(lambda: replies_to(session, hike.key, first.message_id), "a first reply")
    # No "it would have come by now": once every contact in the group has read our
    # message (bob's came before it) and the bots are idle, any extra (wrong) reply
    # is on the server, so it reaches us before the reply to a message sent after.
    await wait_for(
        lambda: all(bots.heard(c.account_id) > heard_before[c.account_id] for c in contacts),
        "every contact in the group to read the first message",
    )
    await wait_for(lambda: bots.answering == 0, "the contacts to be idle")
    second = await session.send(hike.key, "and a thermos ☕")
    await wait_for(lambda: replies_to(session, hike.key, second.message_id), "a second reply")

    assert len(replies_to(session, hike.key, first.message_id)) == 1
    assert replies_to(session, hike.key, from_bob.message_id) == []
    assert replies_to(session, hike.key, first.message_id)[0].sender in {"alice", "bob", "carol"}


async def test_a_new_conversation_gets_an_answer(session: Session, world: DemoWorld):
    await wait_connected(session)
    thread = await session.create_thread("demo-harbor", ["dmitri", "emma"], "Picnic 🧺")
    await session.open_thread(thread.key)
    sent = await session.send(thread.key, "Saturday in the park?")
    replies = await wait_for(lambda: replies_to(session, thread.key, sent.message_id), "a reply")
    assert replies[0].sender in {"dmitri", "emma"}
    assert "“Saturday in the park?”" in replies[0].body


def test_long_quotes_are_cut_without_breaking_a_grapheme():
    family = "👨‍👩‍👧"
    text = "x" * 46 + family + "🇵🇹" * 10
    cut = quote(text, limit=48)
    assert cut.endswith("…")
    assert cut == "x" * 46 + family + "…"
    # A flag is never split into its two halves.
    flags = quote("🇵🇹" * 30, limit=5)
    assert flags == "🇵🇹" * 4 + "…"
    # Short text stays whole, on one line.
    assert quote("hi\nthere") == "hi there"


def test_reply_text_quotes_and_exactly_one_bot_answers():
    message = Message("a", "t1", "m42", "you", "hello there", 0)
    assert reply_text("alice", message).startswith("“hello there” — ")
    chosen = {
        responder({"alice", "bob", "carol"}, Message("a", "t", f"m{i}", "you", "x", 0))
        for i in range(30)
    }
    assert chosen == {"alice", "bob", "carol"}  # the work is shared around
    assert responder(set(), message) is None


def test_contacts_do_not_answer_a_changed_setting():
    notice = Message("a", "t", "m1", "you", "you turned on vanish mode", 0, kind="setting")
    assert responder({"alice"}, notice) is None
    assert responder({"alice"}, Message("a", "t", "m1", "you", "hi", 0)) == "alice"
