"""CachedInbox (the merged list read lazily from the store) behaves exactly as a
plain Inbox holding the same threads, whatever order things are asked in."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

from chatui.core.inbox import Inbox
from chatui.core.models import Message, Thread
from chatui.session.cached_inbox import CachedInbox
from chatui.storage.order_snapshot import (
    SNAPSHOT_TABLE,
    SnapshotStore,
    _read_snapshot,
    save_snapshot,
)
from chatui.storage.store import Store


def _thread(account_id: str, n: int, ts: int, *, titled: bool = True) -> Thread:
    last = Message(account_id, f"t{n}", f"m{n}", "pal", f"hi {n}", ts) if n % 4 else None
    return Thread(
        account_id=account_id,
        thread_id=f"t{n}",
        title=f"{account_id} {n}" if titled else None,
        members=("me", "pal"),
        last_message=last,
        created_ts=ts - 5 if last else ts,
    )


def _filled(tmp_path: Path) -> tuple[Store, list[Thread]]:
    store = Store(tmp_path / "store.sqlite3")
    rng = random.Random(7)
    threads = []
    for account_id in ("north", "harbor", "élan"):
        # Equal times on purpose: ties are broken by account and thread id.
        mine = [_thread(account_id, n, rng.randrange(50)) for n in range(60)]
        store.replace_threads(account_id, mine)
        threads += mine
    store.replace_threads("unlinked", [_thread("unlinked", 1, 10)])
    return store, threads


def _loaded(store: Store, accounts: tuple[str, ...]) -> CachedInbox:
    inbox = CachedInbox()
    inbox.load_sorted(store.thread_order(accounts), store.threads_by_key)
    return inbox


def _same(cached: CachedInbox, plain: Inbox) -> None:
    assert len(cached) == len(plain)
    assert [cached.at(i) for i in range(len(cached))] == plain.threads()
    assert cached.threads() == plain.threads()
    for thread in plain.threads():
        assert cached.index_of(thread.key) == plain.index_of(thread.key)


def test_the_store_order_is_the_inbox_order(tmp_path: Path) -> None:
    store, threads = _filled(tmp_path)
    accounts = ("north", "harbor", "élan")
    plain = Inbox()
    for account_id in accounts:
        plain.replace_account(account_id, [t for t in threads if t.account_id == account_id])
    cached = _loaded(store, accounts)
    assert ("unlinked", "t1") not in cached  # only the linked accounts
    # Drawing a row reads it; asking again gives the very same object.
    assert cached.at(5) is cached.at(5)
    _same(cached, plain)


def test_changes_before_and_after_reading_match_a_plain_inbox(tmp_path: Path) -> None:
    store, threads = _filled(tmp_path)
    accounts = ("north", "harbor", "élan")
    plain = Inbox()
    for account_id in accounts:
        plain.replace_account(account_id, [t for t in threads if t.account_id == account_id])
    cached = _loaded(store, accounts)
    cached.at(0)  # a screenful read, the rest not
    rng = random.Random(11)
    for step in range(200):
        thread = rng.choice(threads)
        action = rng.randrange(3)
        if action == 0:  # new activity moves it to the top
            moved = replace(thread, created_ts=1000 + step)
            cached.upsert(moved)
            plain.upsert(moved)
        elif action == 1:
            cached.remove(thread.key)
            plain.remove(thread.key)
        else:
            assert (thread.key in cached) == (thread.key in plain)
            assert cached.get(thread.key) == plain.get(thread.key)
    # A fresh list for one account keeps the others' rows not read yet in place.
    fresh = [_thread("north", n, 30) for n in range(10)]
    cached.replace_account("north", fresh)
    plain.replace_account("north", fresh)
    _same(cached, plain)


def test_rows_changed_in_the_store_after_loading_are_read_as_they_are_now(
    tmp_path: Path,
) -> None:
    store, threads = _filled(tmp_path)
    cached = _loaded(store, ("north",))
    # The store moves on before those rows are drawn (another write path).
    newer = replace(threads[3], created_ts=10_000, last_message=None)
    store.put_thread(newer)
    store.delete_thread(threads[5].key)
    plain = Inbox()
    plain.replace_account(
        "north",
        [newer if t.key == newer.key else t for t in threads[:60] if t.key != threads[5].key],
    )
    assert len(cached) == 60  # as loaded, until the rows are read
    drawn = []
    while len(drawn) < len(cached):  # as the list draws: bounds checked per row
        drawn.append(cached.at(len(drawn)))
    assert drawn == plain.threads()
    assert cached.at(0) == newer
    _same(cached, plain)


def test_a_store_from_before_the_activity_column_is_migrated(tmp_path: Path) -> None:
    import json
    import sqlite3

    from chatui.storage.store import MIGRATIONS, thread_to_dict

    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path, isolation_level=None)
    old.executescript(f"BEGIN; {MIGRATIONS[0]}; PRAGMA user_version = 1; COMMIT;")
    threads = [_thread("north", n, 100 - n) for n in range(8)]
    for thread in threads:
        old.execute(
            "INSERT INTO threads (account_id, thread_id, data) VALUES (?, ?, ?)",
            (thread.account_id, thread.thread_id, json.dumps(thread_to_dict(thread))),
        )
    old.close()
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    plain = Inbox()
    plain.replace_account("north", threads)
    _same(_loaded(store, ("north",)), plain)


# --- the order snapshot (chatui.storage.order_snapshot): the same order, read faster ------------


def _snapshot_store(tmp_path: Path) -> tuple[SnapshotStore, list[Thread]]:
    """A filled store as a closed chatui leaves it: with the order snapshot."""
    store, threads = _filled(tmp_path)
    store.close()
    SnapshotStore(tmp_path / "store.sqlite3").close()  # closing saves the snapshot
    return SnapshotStore(tmp_path / "store.sqlite3"), threads


ACCOUNT_SETS = (("north", "harbor", "élan"), ("north",), ("élan", "unlinked"), ("nobody",))


def test_the_snapshot_gives_the_index_order_for_any_linked_accounts(tmp_path: Path) -> None:
    store, threads = _snapshot_store(tmp_path)
    assert _read_snapshot(store, {"north"}) is not None  # it is really used
    for accounts in ACCOUNT_SETS:
        assert store.thread_order(accounts) == Store.thread_order(store, accounts)
    plain = Inbox()
    plain.replace_account("north", [t for t in threads if t.account_id == "north"])
    _same(_loaded(store, ("north",)), plain)


def test_any_write_to_threads_drops_the_snapshot(tmp_path: Path) -> None:
    import sqlite3

    store, threads = _snapshot_store(tmp_path)
    moved = replace(threads[7], created_ts=10_000, last_message=None)
    writes = [
        lambda: store.put_thread(moved),
        lambda: store.delete_thread(threads[9].key),
        lambda: store.replace_threads("harbor", [_thread("harbor", 1, 3)]),
    ]
    for write in writes:
        write()
        assert _read_snapshot(store, {"north"}) is None
        for accounts in ACCOUNT_SETS:
            assert store.thread_order(accounts) == Store.thread_order(store, accounts)
        assert save_snapshot(store)  # taken again
        assert not save_snapshot(store)  # and current: nothing to do
    # Another program (or an older chatui) writing the file directly: dropped too.
    other = sqlite3.connect(tmp_path / "store.sqlite3", isolation_level=None)
    other.execute("UPDATE threads SET activity_ts = 99999 WHERE thread_id = 't3'")
    other.close()
    assert _read_snapshot(store, {"north"}) is None
    order = store.thread_order(("north", "harbor", "élan"))
    assert order == Store.thread_order(store, ("north", "harbor", "élan"))
    assert order[0][0] == -99999


def test_a_snapshot_is_not_trusted_without_its_triggers_or_when_broken(tmp_path: Path) -> None:
    import sqlite3

    store, _ = _snapshot_store(tmp_path)
    store.close()
    # A threads table rebuilt by some later migration loses its triggers...
    other = sqlite3.connect(tmp_path / "store.sqlite3", isolation_level=None)
    other.execute("DROP TRIGGER thread_order_on_insert")
    other.execute(
        "INSERT INTO threads (account_id, thread_id, data, activity_ts)"
        " SELECT account_id, 'extra', data, 1 FROM threads LIMIT 1"
    )
    other.close()
    store = SnapshotStore(tmp_path / "store.sqlite3")
    assert _read_snapshot(store, {"north"}) is None
    assert store.thread_order(("north",)) == Store.thread_order(store, ("north",))
    store.close()  # puts the trigger back and takes a new snapshot
    store = SnapshotStore(tmp_path / "store.sqlite3")
    assert _read_snapshot(store, {"north"}) is not None
    # ...and a snapshot that does not decode is read past, not trusted.
    store._db.execute(f'UPDATE {SNAPSHOT_TABLE} SET snapshot = \'[["north"], [1], [5], ["x"]]\'')
    assert store.thread_order(("north",)) == Store.thread_order(store, ("north",))
