"""The store's half of erasure: an erased message's text is in neither the
database file nor its WAL — not in a free page, not in an old copy of a thread row."""

from __future__ import annotations

from pathlib import Path

from chatui.core.models import Message, Thread, VanishSetting
from chatui.storage.store import VANISH_ON_CLOSE, Store
from tests.vanish.helpers import on_disk


def _message(n: int, body: str, **kw) -> Message:
    return Message("home", "t1", f"m{n}", "alice", body, ts=1_000 + n, **kw)


def test_erased_text_leaves_the_file_and_the_wal(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    store = Store(path)
    keep = _message(1, "ordinary words")
    secret = _message(2, "erase-me-4242 " * 20, vanish=VanishSetting("timer", 30))
    store.put_messages([keep, secret])
    store.put_thread(Thread("home", "t1", "T", ("alice", "bob"), last_message=secret))
    store.set_expiry(("home", "t1"), "m2", 5_000)
    store.checkpoint()
    assert on_disk(path, "erase-me-4242") == ["store.sqlite3"]  # the test can fail

    with store.transaction():
        store.erase_messages([("home", "t1", "m2")])
        store.put_thread(Thread("home", "t1", "T", ("alice", "bob"), last_message=keep))
    store.checkpoint()

    assert on_disk(path, "erase-me-4242") == []
    assert [m.body for m in store.messages(("home", "t1"))] == ["ordinary words"]
    store.close()


def test_deadlines_survive_rewrites_and_due_ones_are_found(tmp_path: Path) -> None:
    store = Store(tmp_path / "store.sqlite3")
    store.put_messages([_message(1, "a"), _message(2, "b"), _message(3, "c")])
    store.set_expiry(("home", "t1"), "m1", 9_000)
    store.set_expiry(("home", "t1"), "m2", VANISH_ON_CLOSE)
    # A message stored again (its reactions changed) keeps its deadline.
    store.put_messages([_message(1, "a", reactions={"👍": ("bob",)})])
    assert store.expiries() == [("home", "t1", "m2", 0), ("home", "t1", "m1", 9_000)]
    due = store.expired(5_000)
    assert [(m, sender) for _, _, m, sender in due] == [("m2", "alice")]
    store.close()
