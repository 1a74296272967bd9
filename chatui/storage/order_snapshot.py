"""The merged list's order as one stored snapshot, read in one row at start.

Why: the app lays out its whole cached list before its first frame (with
10,000 cached threads the list is in that frame). Reading the order off the
``threads_by_activity`` index (:meth:`Store.thread_order`) is quick in SQLite but
slow in Python: 10,000 result rows become 10,000 row tuples, then are filtered
(~5-8 ms, a fair share of the budget of a first frame). Saved as one JSON value
in column form, the same order decodes in a third of that.

Correctness comes first: a snapshot is used only if nothing in ``threads`` changed
since it was taken. Triggers on ``threads`` delete it on every insert, update and
delete (whoever writes: this chatui, an older one, a script); if it is gone, or
the triggers are missing, or the row count disagrees, the order is read from the
index as before. The snapshot is written when the store is closed, at the app's
exit (:class:`SnapshotStore`; a few ms when something changed), so a crash merely
costs the next start the slower read.

The snapshot holds thread ids and activity times, never message text (vanish
mode's erasing does not concern it). The table and triggers are created here,
idempotently, the first time a snapshot is saved (``SNAPSHOT_SCHEMA``): they are
a cache beside the store's versioned schema, and dropping them (the
``thread_order_snapshot`` table and the three ``thread_order_on_*`` triggers)
loses nothing.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from chatui.storage.store import Store

if TYPE_CHECKING:
    from chatui.core.inbox import SortKey

log = logging.getLogger(__name__)

SNAPSHOT_TABLE = "thread_order_snapshot"
TRIGGERS = ("thread_order_on_insert", "thread_order_on_update", "thread_order_on_delete")

# Any write to threads drops the snapshot. (Not a version counter bumped per row:
# SQLite rewrites a whole row on UPDATE, and once the table is empty, this DELETE
# is a lookup that writes nothing — replacing 5,000 threads stays as fast.)
_DROP = f"DELETE FROM {SNAPSHOT_TABLE};"
SNAPSHOT_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {SNAPSHOT_TABLE} (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    row_count   INTEGER NOT NULL,  -- rows in threads when it was taken
    snapshot    TEXT NOT NULL      -- JSON, see _encode
);
CREATE TRIGGER IF NOT EXISTS {TRIGGERS[0]} AFTER INSERT ON threads BEGIN {_DROP} END;
CREATE TRIGGER IF NOT EXISTS {TRIGGERS[1]} AFTER UPDATE ON threads BEGIN {_DROP} END;
CREATE TRIGGER IF NOT EXISTS {TRIGGERS[2]} AFTER DELETE ON threads BEGIN {_DROP} END;
"""

_ORDER_SQL = (
    "SELECT -activity_ts, account_id, thread_id FROM threads"
    " ORDER BY activity_ts DESC, account_id, thread_id"
)


class SnapshotStore(Store):
    """The profile's :class:`Store`, reading the list order from the snapshot when
    it is current and saving it when closed (the app's exit)."""

    def thread_order(self, account_ids: Iterable[str]) -> list[SortKey]:
        return read_order(self, account_ids)

    def close(self) -> None:
        save_snapshot(self)
        super().close()


def read_order(store: Store, account_ids: Iterable[str]) -> list[SortKey]:
    """The accounts' threads as Inbox sort keys, newest first: exactly what
    :meth:`Store.thread_order` returns, from the snapshot when it is current."""
    wanted = set(account_ids)
    try:
        order = _read_snapshot(store, wanted)
    except (sqlite3.Error, ValueError, TypeError, IndexError, KeyError) as err:
        log.warning("order snapshot unreadable (%s): reading the index", err)
        order = None
    return order if order is not None else Store.thread_order(store, wanted)


def _read_snapshot(store: Store, wanted: set[str]) -> list[SortKey] | None:
    with store._lock:  # one short read under the store's own lock
        db = store._db
        snapshot = _current(db) if _table_exists(db) else None
    return None if snapshot is None else _decode(snapshot, wanted)


def _current(db: sqlite3.Connection) -> str | None:
    """The stored snapshot if it still describes ``threads``, else None."""
    row = db.execute(
        f"SELECT s.row_count, s.snapshot,"
        " (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?, ?)),"
        " (SELECT count(*) FROM threads)"
        f" FROM {SNAPSHOT_TABLE} AS s WHERE s.id = 1",
        TRIGGERS,
    ).fetchone()
    if row is None:  # dropped by a change since it was taken (or never taken)
        return None
    row_count, snapshot, triggers, count = row
    # The triggers and the row count are checked too: after a write made while a
    # trigger was missing (a threads table rebuilt without them), the snapshot
    # may be stale although it is still there.
    if triggers != len(TRIGGERS) or row_count != count:
        return None
    return str(snapshot)


def _table_exists(db: sqlite3.Connection) -> bool:
    found = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (SNAPSHOT_TABLE,)
    ).fetchone()
    return found is not None


def save_snapshot(store: Store) -> bool:
    """Keep the current order for the next start; False if it was current already.

    Call when the app closes (a few ms for 10,000 threads). Never raises for a
    store problem: the snapshot is only a cache.
    """
    try:
        with store.transaction():
            db = store._db
            if _table_exists(db) and _current(db) is not None:
                return False  # no change since it was taken
            # The schema each time it is taken (IF NOT EXISTS), so that triggers
            # lost with a rebuilt threads table come back. One statement at a
            # time: executescript would commit in the middle of the transaction.
            for statement in _statements(SNAPSHOT_SCHEMA):
                db.execute(statement)
            rows = db.execute(_ORDER_SQL).fetchall()
            db.execute(
                f"INSERT OR REPLACE INTO {SNAPSHOT_TABLE} (id, row_count, snapshot)"
                " VALUES (1, ?, ?)",
                (len(rows), _encode(rows)),
            )
            return True
    except sqlite3.ProgrammingError:  # closed already (a second close)
        return False
    except (sqlite3.Error, ValueError) as err:  # (a cache: closing must go on)
        log.warning("could not save the order snapshot: %s", err)
        return False


def _statements(script: str) -> list[str]:
    """``script`` split into statements (triggers keep their inner ``;``)."""
    statements: list[str] = []
    pending = ""
    for line in script.strip().splitlines():
        pending += line + "\n"
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    return statements


def _encode(rows: list[Any]) -> str:
    """Column form: ``[accounts, [-ts...], [account index...], [thread id...]]`` —
    the account ids once each, so that decoding builds one string per thread."""
    accounts: dict[str, int] = {}
    for _, account_id, _ in rows:
        accounts.setdefault(account_id, len(accounts))
    return json.dumps(
        [
            list(accounts),
            [row[0] for row in rows],
            [accounts[row[1]] for row in rows],
            [row[2] for row in rows],
        ],
        separators=(",", ":"),
    )


def _decode(snapshot: str, wanted: set[str]) -> list[SortKey]:
    accounts, times, account_index, thread_ids = json.loads(snapshot)
    if not len(times) == len(account_index) == len(thread_ids):
        raise ValueError("columns of different lengths")
    order: list[SortKey] = list(
        zip(times, map(accounts.__getitem__, account_index), thread_ids, strict=True)
    )
    if not wanted.issuperset(accounts):  # the store holds unlinked accounts' threads too
        order = [key for key in order if key[1] in wanted]
    return order
