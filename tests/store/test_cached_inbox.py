"""CachedInbox (the merged list read lazily from the store) behaves exactly as a
plain Inbox holding the same threads, whatever order things are asked in."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

from chatui.cached_inbox import CachedInbox
from chatui.core.inbox import Inbox
from chatui.core.models import Message, Thread
from chatui.store import Store


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

    from chatui.store import MIGRATIONS, thread_to_dict

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
