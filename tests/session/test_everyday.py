"""The Session's everyday conversation on a live reference server: two accounts,
each with its own store, as two people's apps would have them.

What the other person's app shows (new text and "edited", "message deleted", who is
typing, a mention counted, "seen") and what each device keeps on its disk (the old
text gone from the file and its WAL, read in raw bytes).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatui.backends.base import PermissionDeniedError
from chatui.core.models import VanishSetting
from chatui.server.runner import ServerThread
from chatui.session.session import Quote, SeenChanged, Session, TypingUpdated
from tests.server.conftest import Api, SseReader
from tests.session.helpers import until
from tests.vanish.helpers import Pair, live, on_disk, pair

pytestmark = pytest.mark.timeout(120)


def _held(session: Session, key, message_id: str):
    return next(m for m in session.messages(key) if m.message_id == message_id)


async def _both_open(p: Pair) -> None:
    await p.alice.open_thread(p.key)
    await p.bob.open_thread(p.key)


async def test_a_reply_and_what_it_quotes(server: ServerThread, tmp_path: Path) -> None:
    async with pair(server, tmp_path) as p:
        await _both_open(p)
        await p.alice.send(p.key, "lunch at noon?")
        await until(lambda: not any(m.pending for m in p.alice.messages(p.key)), "delivered")
        question_id = next(m for m in p.alice.messages(p.key) if m.kind == "text").message_id
        await until(lambda: any(m.message_id == question_id for m in p.bob.messages(p.key)), "it")
        await p.bob.send(p.key, "yes!", reply_to=question_id)
        await until(
            lambda: any(m.reply_to == question_id for m in p.alice.messages(p.key)), "the reply"
        )
        assert p.alice.quoted(p.key, question_id) == Quote(
            "shown", _held(p.alice, p.key, question_id)
        )
        assert p.alice.quoted(p.key, "m999999") == Quote("unknown")

        await p.alice.unsend(p.key, question_id)
        await until(lambda: p.bob.quoted(p.key, question_id).state == "deleted", "deleted")
        quote = p.bob.quoted(p.key, question_id)
        assert quote.message is not None and quote.message.body == ""


async def test_a_quote_of_a_message_that_vanished_says_so(
    server: ServerThread, tmp_path: Path
) -> None:
    async with pair(server, tmp_path) as p:
        await p.alice.set_vanish(p.key, VanishSetting("vanish"))
        await _both_open(p)
        await p.alice.send(p.key, "burn after reading")
        await until(lambda: any(m.body == "burn after reading" for m in p.bob.messages(p.key)), "")
        secret = next(m for m in p.bob.messages(p.key) if m.body == "burn after reading")
        p.bob.messages_seen(p.key, [secret.message_id])
        p.bob.close_thread()  # seen and closed: it goes here
        assert p.bob.quoted(p.key, secret.message_id) == Quote("vanished")


async def test_an_edit_shows_everywhere_and_the_old_text_leaves_both_disks(
    server: ServerThread, tmp_path: Path
) -> None:
    async with pair(server, tmp_path) as p:
        await _both_open(p)
        await p.alice.send(p.key, "meet at OLDPLACE-93c1")
        await until(lambda: any("OLDPLACE" in m.body for m in p.bob.messages(p.key)), "it")
        sent = next(m for m in p.bob.messages(p.key) if "OLDPLACE" in m.body)
        paths = [tmp_path / "alice.sqlite3", tmp_path / "bob.sqlite3"]
        await until(lambda: all(on_disk(path, "OLDPLACE-93c1") for path in paths), "stored")

        with pytest.raises(PermissionDeniedError, match="own"):
            await p.bob.edit(p.key, sent.message_id, "bob's words")
        edited = await p.alice.edit(p.key, sent.message_id, "meet at the station")
        assert (edited.body, edited.edited, edited.ts) == ("meet at the station", True, sent.ts)
        await until(lambda: _held(p.bob, p.key, sent.message_id).edited, "bob sees the edit")
        seen = _held(p.bob, p.key, sent.message_id)
        assert seen.body == "meet at the station"
        assert p.bob.inbox.get(p.key).last_message.body == "meet at the station"
        for session in (p.alice, p.bob):
            stored = session.store.message(p.key, sent.message_id)
            assert (stored.body, stored.edited) == ("meet at the station", True)
        assert [on_disk(path, "OLDPLACE-93c1") for path in paths] == [[], []]
        # Editing again with the same words asks nothing of the server.
        assert await p.alice.edit(p.key, sent.message_id, "meet at the station") == edited


async def test_an_edit_made_while_we_were_away_replaces_the_text_on_our_disk(
    server: ServerThread, tmp_path: Path
) -> None:
    async with pair(server, tmp_path) as p:
        await _both_open(p)
        await p.alice.send(p.key, "AWAYTEXT-61d0 at first")
        await until(lambda: any("AWAYTEXT" in m.body for m in p.bob.messages(p.key)), "it")
        sent = next(m for m in p.bob.messages(p.key) if "AWAYTEXT" in m.body)
        bobs = tmp_path / "bob.sqlite3"
        await until(lambda: on_disk(bobs, "AWAYTEXT-61d0"), "stored")
        await p.bob.stop()
        await p.alice.edit(p.key, sent.message_id, "changed while bob was away")

        again = p.session_for(p.bob_creds, "bob")
        try:
            again.load_cached()
            await live(again)
            await again.open_thread(p.key)
            await until(lambda: _held(again, p.key, sent.message_id).edited, "the edit")
            assert _held(again, p.key, sent.message_id).body == "changed while bob was away"
            await until(lambda: on_disk(bobs, "AWAYTEXT-61d0") == [], "the old text gone")
        finally:
            await again.stop()


async def test_unsending_leaves_message_deleted_for_everyone_and_no_text(
    server: ServerThread, tmp_path: Path
) -> None:
    async with pair(server, tmp_path) as p:
        await p.alice.open_thread(p.key)
        await p.alice.send(p.key, "REGRET-5d2e")
        await until(
            lambda: (
                p.bob.inbox.get(p.key).last_message is not None
                and p.bob.inbox.get(p.key).last_message.body == "REGRET-5d2e"
            ),
            "bob's preview",
        )
        await p.bob.open_thread(p.key)
        sent = next(m for m in p.bob.messages(p.key) if m.body == "REGRET-5d2e")
        paths = [tmp_path / "alice.sqlite3", tmp_path / "bob.sqlite3"]
        await until(lambda: all(on_disk(path, "REGRET-5d2e") for path in paths), "stored")

        with pytest.raises(PermissionDeniedError, match="own"):
            await p.bob.unsend(p.key, sent.message_id)
        await p.alice.unsend(p.key, sent.message_id)
        await until(lambda: _held(p.bob, p.key, sent.message_id).deleted, "bob's tombstone")
        for session in (p.alice, p.bob):
            held = _held(session, p.key, sent.message_id)
            assert (held.kind, held.body, held.sender) == ("deleted", "", "alice")
            assert session.inbox.get(p.key).last_message.deleted  # "message deleted"
            assert session.store.message(p.key, sent.message_id).deleted
        assert [on_disk(path, "REGRET-5d2e") for path in paths] == [[], []]
        await p.alice.unsend(p.key, sent.message_id)  # again: nothing happens

        # A restarted app shows the tombstone too, from its store and the server.
        await p.bob.stop()
        again = p.session_for(p.bob_creds, "bob")
        try:
            again.load_cached()
            assert again.messages(p.key)[-1].deleted
            await live(again)
            await again.open_thread(p.key)
            assert [m.deleted for m in again.messages(p.key) if m.kind != "setting"] == [True]
        finally:
            await again.stop()


async def test_editing_a_vanishing_message_never_extends_its_life(
    server: ServerThread, tmp_path: Path
) -> None:
    async with pair(server, tmp_path) as p:
        await p.alice.set_vanish(p.key, VanishSetting("timer", 3600))
        await _both_open(p)
        await p.alice.send(p.key, "for an hour")
        await until(lambda: any(m.body == "for an hour" for m in p.bob.messages(p.key)), "it")
        sent = next(m for m in p.bob.messages(p.key) if m.body == "for an hour")
        p.bob.messages_seen(p.key, [sent.message_id])
        await until(lambda: p.alice.expires_at(p.key, sent.message_id) is not None, "armed")
        deadlines = [s.expires_at(p.key, sent.message_id) for s in (p.alice, p.bob)]
        assert None not in deadlines

        await p.alice.edit(p.key, sent.message_id, "for an hour, still")
        await until(lambda: _held(p.bob, p.key, sent.message_id).edited, "bob sees the edit")
        p.bob.messages_seen(p.key, [sent.message_id])  # drawn again after the edit
        assert [s.expires_at(p.key, sent.message_id) for s in (p.alice, p.bob)] == deadlines
        assert [s.store.expiries() for s in (p.alice, p.bob)] == [
            [(*p.key, sent.message_id, deadlines[0])],
            [(*p.key, sent.message_id, deadlines[1])],
        ]


async def test_the_other_person_typing_shows_and_stops(
    server: ServerThread, tmp_path: Path
) -> None:
    async with pair(server, tmp_path) as p:
        changes: list[object] = []
        p.bob.add_listener(changes.append)
        with bob_stream(server, p) as raw:
            for _ in range(10):  # a burst of keystrokes: one notice
                p.alice.typing(p.key, True)
            await until(lambda: p.bob.typing_in(p.key) == ["alice"], "alice is typing")
            assert TypingUpdated(p.key) in changes
            assert p.alice.typing_in(p.key) == []  # never ourselves
            await p.alice.send(p.key, "done")  # sending says "stopped"
            await until(lambda: p.bob.typing_in(p.key) == [], "alice stopped")
            notices = _typing_until_stop(raw)
        assert notices == [["alice"], []]


async def test_with_sending_turned_off_nobody_hears_us_type(
    server: ServerThread, tmp_path: Path
) -> None:
    async with pair(server, tmp_path) as p:
        p.alice.send_typing = False
        with bob_stream(server, p) as raw:
            p.alice.typing(p.key, True)
            await p.alice.send(p.key, "quietly")
            await until(lambda: any(m.body == "quietly" for m in p.bob.messages(p.key)), "it")
            # The first thing bob's stream carries is the message: no typing before it.
            first = raw.next()
            assert first.kind == "message", first
        assert p.bob.typing_in(p.key) == []


async def test_a_mention_is_marked_counted_and_cleared_by_reading(
    server: ServerThread, tmp_path: Path
) -> None:
    async with pair(server, tmp_path) as p:
        await p.alice.open_thread(p.key)
        await p.alice.send(p.key, "@bob, look at this")
        await p.alice.send(p.key, "and this")
        await until(lambda: p.bob.inbox.get(p.key).unread == 2, "two unread")
        assert p.bob.inbox.get(p.key).mentions == 1
        assert p.bob.store.threads_by_key([p.key])[p.key].mentions == 1
        await p.bob.open_thread(p.key)
        assert [m.mentions_me for m in p.bob.messages(p.key) if m.kind == "text"] == [True, False]
        assert (p.bob.inbox.get(p.key).unread, p.bob.inbox.get(p.key).mentions) == (0, 0)
        assert not any(m.mentions_me for m in p.alice.messages(p.key))


async def test_seen_follows_the_other_persons_read_marker(
    server: ServerThread, tmp_path: Path
) -> None:
    async with pair(server, tmp_path) as p:
        changes: list[object] = []
        p.alice.add_listener(changes.append)
        await p.alice.open_thread(p.key)
        for text in ("one", "two"):
            await p.alice.send(p.key, text)
        await until(lambda: not any(m.pending for m in p.alice.messages(p.key)), "delivered")
        two = next(m for m in p.alice.messages(p.key) if m.body == "two")
        assert p.alice.seen_up_to(p.key) is None
        await p.bob.open_thread(p.key)  # bob reads both
        await until(lambda: p.alice.seen_up_to(p.key) == two.message_id, "seen")
        assert SeenChanged(p.key) in changes
        p.bob.close_thread()  # bob looks elsewhere: what comes next stays unread
        await p.alice.send(p.key, "three")
        await until(lambda: p.bob.inbox.get(p.key).unread == 1, "unread at bob's")
        await until(lambda: not any(m.pending for m in p.alice.messages(p.key)), "delivered")
        assert p.alice.seen_up_to(p.key) == two.message_id  # "three" is not read yet

        await p.alice.stop()  # what was seen is kept across a restart
        again = p.session_for(p.alice_creds, "alice")
        try:
            again.load_cached()
            assert again.seen_up_to(p.key) == two.message_id
        finally:
            await again.stop()


# --- helpers -------------------------------------------------------------------------


@contextlib.contextmanager
def bob_stream(server: ServerThread, p: Pair) -> Iterator[SseReader]:
    """Bob's raw event stream on the server, read past its hello: what his app is
    told, notice by notice (the Session shows only the resulting state)."""
    with Api(server, "bob", p.bob_creds.token) as api, api.events() as reader:
        reader.next_of("hello")
        yield reader


def _typing_until_stop(reader: SseReader) -> list[list[str]]:
    """The typing notices bob's stream carried, up to and including the stop."""
    seen: list[list[str]] = []
    while not seen or seen[-1]:
        event = reader.next()
        if event.kind == "typing":
            seen.append(event.data["users"])
    return seen
