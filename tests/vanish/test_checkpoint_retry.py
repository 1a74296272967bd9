"""A busy checkpoint is retried until the erased text is out of the WAL.

Another connection holding a read transaction on the store (a backup, ``sqlite3``
in a terminal) keeps ``wal_checkpoint(TRUNCATE)`` from finishing: it answers
busy and leaves the WAL — the erased text in it — as it was. These tests hold
such a reader on a real second connection and watch the raw bytes of the files.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from chatui.core.models import Message, Thread, VanishSetting
from chatui.storage.store import Store
from tests.vanish.helpers import on_disk

TOKEN = "busy-wal-token-6b1d"
DEADLINE = 30.0


def _wait(condition: Callable[[], object], what: str) -> None:
    """Poll ``condition`` (the store retries in its own thread) with a generous deadline."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def _keep_secret(store: Store) -> None:
    secret = Message(
        "home", "t1", "m1", "alice", TOKEN * 8, ts=1_000, vanish=VanishSetting("timer", 30)
    )
    store.put_messages([secret])
    store.put_thread(Thread("home", "t1", "T", ("alice", "bob"), last_message=secret))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "store.sqlite3")
    _keep_secret(opened)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """A second connection that holds a read transaction until the test lets go."""
    conn = sqlite3.connect(tmp_path / "store.sqlite3", isolation_level=None)
    conn.execute("BEGIN")
    conn.execute("SELECT count(*) FROM messages").fetchone()
    try:
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")
        conn.close()


def _erase(store: Store) -> None:
    with store.transaction():
        store.erase_messages([("home", "t1", "m1")])
        store.put_thread(Thread("home", "t1", "T", ("alice", "bob")))


def test_a_checkpoint_held_up_by_a_reader_completes_once_it_lets_go(
    store: Store, reader: sqlite3.Connection, tmp_path: Path
) -> None:
    path = tmp_path / "store.sqlite3"
    assert on_disk(path, TOKEN) == ["store.sqlite3-wal"]  # the check can fail
    _erase(store)
    # The reader kept the checkpoint from finishing: the text is still in the WAL,
    # and the store knows it and keeps trying.
    assert on_disk(path, TOKEN) == ["store.sqlite3-wal"]
    assert store.checkpoint_pending
    tried = store._checkpointer.attempts
    _wait(lambda: store._checkpointer.attempts >= tried + 3, "more attempts")
    assert on_disk(path, TOKEN) == ["store.sqlite3-wal"]

    reader.execute("COMMIT")
    _wait(lambda: not store.checkpoint_pending, "the checkpoint to complete")
    assert on_disk(path, TOKEN) == []
    assert path.with_name("store.sqlite3-wal").stat().st_size == 0
    assert store.messages(("home", "t1")) == []


def test_a_reader_that_never_lets_go_is_logged_and_closing_says_so(
    store: Store, reader: sqlite3.Connection, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="chatui.storage.checkpoint")
    store._checkpointer.warn_after = 0.3
    store._checkpointer.close_wait = 0.3
    _erase(store)
    _wait(
        lambda: any("still in its -wal file" in r.getMessage() for r in caplog.records),
        "the warning",
    )
    warning = next(r for r in caplog.records if "still in its -wal file" in r.getMessage())
    assert warning.levelno == logging.WARNING and "busy=1" in warning.getMessage()
    assert TOKEN not in caplog.text  # the log names the file, never the text

    store.close()
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and "closing with erased text possibly still in its -wal file" in (
        errors[-1].getMessage()
    )
    assert on_disk(tmp_path / "store.sqlite3", TOKEN) == ["store.sqlite3-wal"]


def test_an_erasure_inside_an_outer_transaction_checkpoints_when_it_commits(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "store.sqlite3"
    assert on_disk(path, TOKEN) == ["store.sqlite3-wal"]
    with store.transaction():
        store.erase_messages([("home", "t1", "m1")])
        store.put_thread(Thread("home", "t1", "T", ("alice", "bob")))
        # No checkpoint can run inside a transaction: it is owed to the commit.
        assert store.checkpoint_pending
    assert not store.checkpoint_pending
    assert on_disk(path, TOKEN) == []


def test_a_deleted_message_leaves_the_wal_too(store: Store, tmp_path: Path) -> None:
    """A deletion (the sender's unsend, or an expiry from another device) is no
    vanish erasure of ours, but its text must not stay behind in the WAL either."""
    path = tmp_path / "store.sqlite3"
    assert on_disk(path, TOKEN) == ["store.sqlite3-wal"]
    with store.transaction():
        store.delete_message(("home", "t1"), "m1")
        store.put_thread(Thread("home", "t1", "T", ("alice", "bob")))
    assert on_disk(path, TOKEN) == []
