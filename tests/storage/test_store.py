"""The store on its own: schema migrations, reopen, and the model round trip."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from chatui.core.models import Message, Thread, VanishSetting, tombstone
from chatui.storage.store import MIGRATIONS, Store
from tests.vanish.helpers import on_disk


def _message(n: int, **kw) -> Message:
    return Message("acct", "t1", f"m{n}", "alice", f"hello {n}", ts=1000 + n, **kw)


def test_migrates_an_empty_file_and_reopens(tmp_path: Path) -> None:
    path = tmp_path / "profile" / "store.sqlite3"
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    store.put_messages([_message(1)])
    store.set_cursor("acct", "42")
    store.close()

    again = Store(path)  # reopening runs no migration twice and keeps the rows
    assert again.schema_version == len(MIGRATIONS)
    assert [m.message_id for m in again.messages(("acct", "t1"))] == ["m1"]
    assert again.cursor("acct") == "42"
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again.close()


def test_refuses_a_store_from_a_newer_version(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(RuntimeError, match="newer chatui"):
        Store(path)


def test_threads_and_messages_round_trip(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    last = _message(3, reactions={"👍": ("bob",)}, vanish=VanishSetting("timer", 30))
    thread = Thread("acct", "t1", "Lunch", ("alice", "bob"), last_message=last, unread=2)
    store.put_thread(thread)
    store.put_messages([_message(2), last, _message(1)])
    assert store.threads() == [thread]
    assert store.messages(("acct", "t1")) == [_message(1), _message(2), last]
    assert store.messages(("acct", "t1"), limit=2) == [_message(2), last]
    # Local echoes belong to the outbox, never to the message cache.
    store.put_messages([_message(9, pending=True)])
    assert len(store.messages(("acct", "t1"))) == 3


def test_display_names_round_trip_and_rows_without_them_read_as_none(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = Store(path)
    named = Thread("mx", "!club", "Book club", ("@me:x", "@bo:x"), member_names={"@cy:x": "Cy 🌵"})
    plain = Thread("acct", "t1", "Lunch", ("alice", "bob"))
    store.put_thread(named)
    store.put_thread(plain)
    store.close()

    again = Store(path)
    by_id = {t.thread_id: t for t in again.threads()}
    assert by_id["!club"].member_names == {"@cy:x": "Cy 🌵"}
    assert by_id["!club"].name_of("@cy:x") == "Cy 🌵"
    assert by_id["t1"] == plain and by_id["t1"].name_of("bob") == "bob"
    again.close()
    # No new column, no migration: a thread without names is stored exactly as
    # before (what an older chatui wrote reads the same), and one with names only
    # adds a key that an older chatui does not look at.
    db = sqlite3.connect(path)
    rows = dict(db.execute("SELECT thread_id, data FROM threads").fetchall())
    db.close()
    assert "member_names" not in json.loads(rows["t1"])
    assert json.loads(rows["!club"])["member_names"] == {"@cy:x": "Cy 🌵"}


def test_a_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    with pytest.raises(ZeroDivisionError), store.transaction():
        store.put_messages([_message(1)])
        store.set_cursor("acct", "7")
        1 / 0  # noqa: B018 - the event could not be applied
    assert store.messages(("acct", "t1")) == []
    assert store.cursor("acct") is None


def test_drafts_are_kept_and_empty_ones_dropped(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    store.set_draft(("a", "t"), "half a thought")
    store.set_draft(("a", "u"), "x")
    store.set_draft(("a", "u"), "   ")
    assert store.drafts() == {("a", "t"): "half a thought"}


def test_edits_mentions_and_tombstones_round_trip_as_optional_keys(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = Store(path)
    edited = _message(1, edited_ts=2_000, mentions_me=True)
    gone = tombstone(_message(2, vanish=VanishSetting("timer", 30)))
    thread = Thread("acct", "t1", "Lunch", ("alice", "bob"), last_message=gone, mentions=1)
    store.put_messages([edited, gone, _message(3)])
    store.put_thread(thread)
    store.close()

    again = Store(path)
    first, second, third = again.messages(("acct", "t1"))
    assert (first, first.edited, first.mentions_me) == (edited, True, True)
    assert (second, second.deleted, second.body) == (gone, True, "")
    assert second.vanish == VanishSetting("timer", 30)  # unsending shortens nothing
    assert (third.edited, third.mentions_me) == (False, False)
    assert again.threads() == [thread]
    again.close()
    # No migration: a plain message is stored exactly as before.
    db = sqlite3.connect(path)
    rows = dict(db.execute("SELECT message_id, data FROM messages").fetchall())
    db.close()
    assert not {"edited_ts", "mentions_me"} & set(json.loads(rows["m3"]))


def test_a_rewritten_message_leaves_no_old_text_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = Store(path)
    token = "OLD-TEXT-4f1c"
    store.put_messages([_message(1), Message("acct", "t1", "m2", "alice", token, ts=1002)])
    store.set_expiry(("acct", "t1"), "m2", 99_000)
    assert on_disk(path, token)  # the test can fail: the text is there first
    with store.transaction():  # as the Session applies an event: folded at the commit
        store.rewrite_message(
            Message("acct", "t1", "m2", "alice", "new text", ts=1002, edited_ts=5)
        )
    assert on_disk(path, token) == []
    assert [m.body for m in store.messages(("acct", "t1"))] == ["hello 1", "new text"]
    # The vanish deadline is the message's, not the edit's.
    assert store.expiries() == [("acct", "t1", "m2", 99_000)]
    store.close()
