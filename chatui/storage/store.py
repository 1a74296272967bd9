"""The local store: one SQLite file per profile that the app draws from first.

Why SQLite: it is in the standard library, one file, transactional, and fast
enough that the calls here (a few rows each) can run on the UI loop. The store
keeps what the Session knows — each account's threads, the messages it has
seen, the live stream's cursor, the outbox and the composer drafts — so the app
shows everything at once on start, even with every server down, and resumes
each stream where it stopped.

The cursor of an event and what the event changed are written in one
transaction (:meth:`Store.transaction`): after a crash the stream resumes at
the last event whose effects are on disk, never past one that is not.

Schema changes go through :data:`MIGRATIONS` (``PRAGMA user_version`` counts
how many ran): append a step, never edit one that shipped.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from chatui.core.models import VANISH_OFF, Message, Thread, ThreadKey, VanishSetting, parse_vanish
from chatui.storage.checkpoint import Checkpointer

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema. Rows keep the model as JSON (``data``): the store only
    # needs to find and order rows, not to query inside them, and JSON lets the
    # model grow an optional field without a migration.
    """
    CREATE TABLE threads (
        account_id TEXT NOT NULL,
        thread_id  TEXT NOT NULL,
        data       TEXT NOT NULL,
        PRIMARY KEY (account_id, thread_id)
    );
    CREATE TABLE messages (
        account_id TEXT NOT NULL,
        thread_id  TEXT NOT NULL,
        message_id TEXT NOT NULL,
        ts         INTEGER NOT NULL,
        data       TEXT NOT NULL,
        expire_at  INTEGER,            -- room for vanish deadlines (UTC epoch ms)
        PRIMARY KEY (account_id, thread_id, message_id)
    );
    CREATE INDEX messages_by_time ON messages (account_id, thread_id, ts, message_id);
    CREATE TABLE cursors (
        account_id TEXT PRIMARY KEY,
        cursor     TEXT NOT NULL
    );
    CREATE TABLE outbox (
        txn_id          TEXT PRIMARY KEY,
        seq             INTEGER NOT NULL,  -- send order
        account_id      TEXT NOT NULL,
        thread_id       TEXT NOT NULL,
        body            TEXT NOT NULL,
        reply_to        TEXT,
        created         INTEGER NOT NULL,  -- UTC epoch ms
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        state           TEXT NOT NULL DEFAULT 'pending',  -- pending | failed
        last_error      TEXT
    );
    CREATE INDEX outbox_by_account ON outbox (account_id, seq);
    CREATE TABLE drafts (
        account_id TEXT NOT NULL,
        thread_id  TEXT NOT NULL,
        body       TEXT NOT NULL,
        PRIMARY KEY (account_id, thread_id)
    );
    """,
    # 2: each thread's activity time (what the merged list sorts by) as a column,
    # so that the cached list comes out of SQLite already in display order and the
    # app can draw its first frame without decoding 10,000 rows of JSON.
    """
    ALTER TABLE threads ADD COLUMN activity_ts INTEGER NOT NULL DEFAULT 0;
    UPDATE threads SET activity_ts = max(
        coalesce(json_extract(data, '$.last_message.ts'), 0),
        coalesce(json_extract(data, '$.created_ts'), 0)
    );
    CREATE INDEX threads_by_activity ON threads (activity_ts DESC, account_id, thread_id);
    """,
    # 3: vanish mode (docs/vanish.md). Deadlines live in messages.expire_at (from the
    # first schema); these keep what must survive a restart besides: small facts
    # (the highest wall-clock time seen), the other members' read positions (a
    # "vanish" message of ours goes once everyone has read it), and what we still
    # owe a server (deleting our expired messages, a deferred read marker).
    """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE read_positions (
        account_id TEXT NOT NULL,
        thread_id  TEXT NOT NULL,
        user       TEXT NOT NULL,
        ts         INTEGER NOT NULL,  -- the ts of the newest message they have read
        PRIMARY KEY (account_id, thread_id, user)
    );
    CREATE TABLE vanish_owed (
        account_id TEXT NOT NULL,
        thread_id  TEXT NOT NULL,
        message_id TEXT NOT NULL,
        -- 'expire': delete ours on the server | 'read': move our read marker here |
        -- 'gone': a tombstone, so a server that still has it cannot bring it back
        action     TEXT NOT NULL,
        PRIMARY KEY (account_id, thread_id, message_id, action)
    );
    CREATE INDEX messages_by_expiry ON messages (expire_at) WHERE expire_at IS NOT NULL;
    """,
)

VANISH_ON_CLOSE = 0
"""``expire_at`` of a "vanish" message seen here: it goes when the chat is closed.

Zero is in the past for every clock, so a start after a crash (the chat was
closed by it) purges such messages with the expired ones, before the first frame.
"""


OUTBOX_COLUMNS = (
    "txn_id, seq, account_id, thread_id, body, reply_to, created,"
    " attempts, next_attempt_at, state, last_error"
)


class Store:
    """A profile's local cache; open with ``Store(path)``, close with :meth:`close`.

    Calls are synchronous and short. One connection, guarded by a lock, so a bulk
    write may run in a worker thread (``asyncio.to_thread``) without racing the loop.

    Whatever removes message text (an erasure, a deleted or edited message, a replaced page)
    folds the WAL into the file afterwards (:meth:`checkpoint`): at once, or when
    the outermost transaction commits, retried until it completes.
    """

    busy_timeout_ms = 10_000

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path) if str(path) != ":memory:" else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are opened explicitly (see transaction()).
        self._db = sqlite3.connect(
            str(path),
            isolation_level=None,
            check_same_thread=False,
            timeout=self.busy_timeout_ms / 1000,
        )
        self._lock = threading.RLock()
        self._depth = 0
        # A checkpoint asked for inside a transaction: run when the outermost commits.
        self._checkpoint_owed = False
        self._checkpointer = (
            Checkpointer(self._db, self._lock, self.path, busy_timeout_ms=self.busy_timeout_ms)
            if self.path is not None
            else None
        )
        # secure_delete from the start: vanish mode must leave no deleted text in
        # the file's free pages (docs/vanish.md).
        self._db.execute("PRAGMA secure_delete=ON")
        if self.path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._migrate()

    # --- schema ---------------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        with self._lock:
            version = self.schema_version
            if version > len(MIGRATIONS):
                raise RuntimeError(
                    f"{self.path}: the store was written by a newer chatui "
                    f"(schema {version}, this one knows {len(MIGRATIONS)})"
                )
            for number in range(version, len(MIGRATIONS)):
                # executescript commits first; each step runs in its own transaction
                # with the version bump, so a crash mid-way never half-applies one.
                self._db.executescript(
                    f"BEGIN; {MIGRATIONS[number]}; PRAGMA user_version = {number + 1}; COMMIT;"
                )

    def close(self) -> None:
        if self._checkpointer is not None:
            with contextlib.suppress(sqlite3.Error):
                self._checkpointer.close()  # a last try at what is owed, logged if in vain
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside commits together or not at all (nests: outermost wins)."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outer:
                    self._db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._db.execute("COMMIT")
                if self._checkpoint_owed:
                    self.checkpoint()

    def _exec(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, tuple(params))

    # --- threads --------------------------------------------------------------------

    def threads(self, account_id: str | None = None) -> list[Thread]:
        if account_id is None:
            rows = self._exec("SELECT data FROM threads").fetchall()
        else:
            rows = self._exec(
                "SELECT data FROM threads WHERE account_id = ?", (account_id,)
            ).fetchall()
        return [thread_from_dict(json.loads(data)) for (data,) in rows]

    def thread_order(self, account_ids: Iterable[str]) -> list[tuple[int, str, str]]:
        """The accounts' threads as ``(-activity_ts, account_id, thread_id)``, in the
        merged list's order (newest first) — the Inbox's sort keys, without the rows.

        Read straight off the ``threads_by_activity`` index (a few ms for 10,000),
        so the app can lay out its list before its first frame and decode only the
        rows it shows (:meth:`threads_by_key`). SQLite's BINARY collation orders
        text as Python orders str (UTF-8 byte order is code point order), so the
        two orders agree.
        """
        wanted = set(account_ids)
        rows = self._exec(
            "SELECT -activity_ts, account_id, thread_id FROM threads"
            " ORDER BY activity_ts DESC, account_id, thread_id"
        ).fetchall()
        return [row for row in rows if row[1] in wanted]

    def threads_by_key(self, keys: Iterable[ThreadKey]) -> dict[ThreadKey, Thread]:
        """The stored threads among ``keys`` (missing ones are left out)."""
        wanted = set(keys)
        if len(wanted) > 2000:  # most of them: one pass beats thousands of lookups
            threads = [t for t in self.threads() if t.key in wanted]
        else:
            by_account: dict[str, list[str]] = {}
            for account_id, thread_id in wanted:
                by_account.setdefault(account_id, []).append(thread_id)
            found: list[tuple[str]] = []
            for account_id, ids in by_account.items():
                for start in range(0, len(ids), 500):  # under SQLite's parameter limit
                    chunk = ids[start : start + 500]
                    marks = ", ".join("?" * len(chunk))
                    found += self._exec(
                        f"SELECT data FROM threads WHERE account_id = ? AND thread_id IN ({marks})",
                        (account_id, *chunk),
                    ).fetchall()
            threads = [thread_from_json(data) for (data,) in found]
        return {t.key: t for t in threads}

    def put_thread(self, thread: Thread) -> None:
        data = thread_to_dict(thread)
        self._exec(
            "INSERT OR REPLACE INTO threads (account_id, thread_id, data, activity_ts)"
            " VALUES (?, ?, ?, ?)",
            (thread.account_id, thread.thread_id, json.dumps(data), _activity_ts(data)),
        )

    def delete_thread(self, key: ThreadKey) -> None:
        with self.transaction():
            self._exec("DELETE FROM threads WHERE account_id = ? AND thread_id = ?", key)
            self._exec("DELETE FROM messages WHERE account_id = ? AND thread_id = ?", key)
            self.checkpoint()

    def replace_threads(self, account_id: str, threads: Iterable[Thread]) -> None:
        """The account's whole thread list, as the server just said it is."""
        with self.transaction():
            self._exec("DELETE FROM threads WHERE account_id = ?", (account_id,))
            for thread in threads:
                self.put_thread(thread)

    # --- messages -------------------------------------------------------------------

    def messages(self, key: ThreadKey, limit: int = 200) -> list[Message]:
        """The newest ``limit`` stored messages of a thread, oldest first."""
        rows = self._exec(
            "SELECT data FROM messages WHERE account_id = ? AND thread_id = ?"
            " ORDER BY ts DESC, message_id DESC LIMIT ?",
            (*key, limit),
        ).fetchall()
        return [message_from_dict(json.loads(data)) for (data,) in reversed(rows)]

    def put_messages(self, messages: Iterable[Message]) -> None:
        """Keep accepted messages; local echoes (pending) belong to the outbox."""
        rows = [
            (m.account_id, m.thread_id, m.message_id, m.ts, json.dumps(message_to_dict(m)))
            for m in messages
            if not m.pending
        ]
        if rows:
            with self._lock:
                # An upsert, not INSERT OR REPLACE: a message stored again (its
                # reactions changed) keeps its vanish deadline.
                self._db.executemany(
                    "INSERT INTO messages (account_id, thread_id, message_id, ts, data)"
                    " VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (account_id, thread_id, message_id)"
                    " DO UPDATE SET ts = excluded.ts, data = excluded.data",
                    rows,
                )

    def rewrite_message(self, message: Message) -> None:
        """Store ``message`` over the copy kept of it, whose text must not stay on disk:
        an edit's old text, or the text of a message its sender unsent (its tombstone
        replaces it). The WAL is folded after (at the outermost commit inside a
        transaction), as for an erasure; the vanish deadline stays as it was."""
        with self.transaction():
            self.put_messages([message])
            self.checkpoint()

    def delete_messages(self, key: ThreadKey, *, checkpoint: bool = True) -> None:
        """Forget every cached message of a thread (before a fresh page replaces them).

        What the server no longer has must leave the disk too (a message that
        vanished while our stream could not hear of it): the WAL is folded after —
        unless ``checkpoint=False``, for a caller replacing many threads that
        checkpoints once when done (one per thread would be thousands of syncs).
        """
        with self.transaction():
            self._exec("DELETE FROM messages WHERE account_id = ? AND thread_id = ?", key)
            if checkpoint:
                self.checkpoint()

    def message_threads(self, account_id: str) -> list[ThreadKey]:
        """The threads of an account that have cached messages."""
        rows = self._exec(
            "SELECT DISTINCT thread_id FROM messages WHERE account_id = ?", (account_id,)
        ).fetchall()
        return [(account_id, thread_id) for (thread_id,) in rows]

    def delete_message(self, key: ThreadKey, message_id: str) -> None:
        """Forget one message (deleted by its sender, or expired on another device):
        its text leaves the WAL too."""
        with self.transaction():
            self._exec(
                "DELETE FROM messages WHERE account_id = ? AND thread_id = ? AND message_id = ?",
                (*key, message_id),
            )
            self.checkpoint()

    # --- vanish mode ----------------------------------------------------------------

    def set_expiry(self, key: ThreadKey, message_id: str, expire_at: int) -> None:
        """Persist a message's vanish deadline (UTC epoch ms; VANISH_ON_CLOSE)."""
        self._exec(
            "UPDATE messages SET expire_at = ?"
            " WHERE account_id = ? AND thread_id = ? AND message_id = ?",
            (expire_at, *key, message_id),
        )

    def expiries(self) -> list[tuple[str, str, str, int]]:
        """Every armed deadline: ``(account_id, thread_id, message_id, expire_at)``."""
        return self._exec(
            "SELECT account_id, thread_id, message_id, expire_at FROM messages"
            " WHERE expire_at IS NOT NULL ORDER BY expire_at"
        ).fetchall()

    def expired(self, now_ms: int) -> list[tuple[str, str, str, str]]:
        """``(account_id, thread_id, message_id, sender)`` of every message due by now."""
        rows = self._exec(
            "SELECT account_id, thread_id, message_id, data FROM messages"
            " WHERE expire_at IS NOT NULL AND expire_at <= ?",
            (now_ms,),
        ).fetchall()
        return [(a, t, m, json.loads(data).get("sender", "")) for a, t, m, data in rows]

    def erase_messages(self, items: Iterable[tuple[str, str, str]]) -> None:
        """Delete messages so that their text is gone from the disk, not just unlisted.

        ``secure_delete`` (on since open) zeroes the freed cells; the checkpoint
        copies the WAL into the database and truncates it, since the WAL would
        otherwise hold the old pages — text included — until its next reuse.

        Inside an outer transaction (the Session rewrites the thread's preview in
        the same one) the checkpoint runs when that transaction commits: the old
        preview is in the WAL too, and a checkpoint can only run outside one.
        """
        rows = list(items)
        if not rows:
            return
        with self.transaction():
            self._db.executemany(
                "DELETE FROM messages WHERE account_id = ? AND thread_id = ? AND message_id = ?",
                rows,
            )
            self.checkpoint()

    def checkpoint(self) -> bool:
        """Fold the WAL into the database file and truncate it; True once done.

        Inside a transaction it is owed to the outermost commit. A checkpoint that
        another connection keeps from finishing is retried in the background until
        it completes (chatui.storage.checkpoint), never dropped.
        """
        with self._lock:
            if self._checkpointer is None:
                return True  # in memory: no file to clean
            if self._depth > 0:
                self._checkpoint_owed = True
                return False
            self._checkpoint_owed = False
            return self._checkpointer.run()

    @property
    def checkpoint_pending(self) -> bool:
        """A checkpoint is owed or being retried: erased text may still be in the WAL."""
        owed = self._checkpointer is not None and self._checkpointer.owed
        return self._checkpoint_owed or owed

    def newest_message(self, key: ThreadKey) -> Message | None:
        """The newest stored message of a thread (a thread preview after an erasure)."""
        found = self.messages(key, limit=1)
        return found[-1] if found else None

    def message(self, key: ThreadKey, message_id: str) -> Message | None:
        row = self._exec(
            "SELECT data FROM messages WHERE account_id = ? AND thread_id = ? AND message_id = ?",
            (*key, message_id),
        ).fetchone()
        return message_from_dict(json.loads(row[0])) if row else None

    def meta(self, name: str) -> str | None:
        row = self._exec("SELECT value FROM meta WHERE key = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_meta(self, name: str, value: str) -> None:
        self._exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (name, value))

    def read_positions(self, key: ThreadKey) -> dict[str, int]:
        """Other members' read positions in a thread: user -> ts of what they read."""
        rows = self._exec(
            "SELECT user, ts FROM read_positions WHERE account_id = ? AND thread_id = ?", key
        ).fetchall()
        return dict(rows)

    def set_read_position(self, key: ThreadKey, user: str, ts: int) -> None:
        self._exec(
            "INSERT INTO read_positions (account_id, thread_id, user, ts) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (account_id, thread_id, user) DO UPDATE SET ts = max(ts, excluded.ts)",
            (*key, user, ts),
        )

    def owe(self, key: ThreadKey, message_id: str, action: str) -> None:
        """Remember a call we owe the server (see the ``vanish_owed`` table)."""
        self._exec(
            "INSERT OR IGNORE INTO vanish_owed (account_id, thread_id, message_id, action)"
            " VALUES (?, ?, ?, ?)",
            (*key, message_id, action),
        )

    def owed(self, account_id: str) -> list[tuple[str, str, str]]:
        """``(thread_id, message_id, action)`` still owed to this account's server."""
        return self._exec(
            "SELECT thread_id, message_id, action FROM vanish_owed WHERE account_id = ?",
            (account_id,),
        ).fetchall()

    def tombstones(self) -> set[tuple[str, str, str]]:
        """Every message erased by vanish mode here, as (account, thread, message)."""
        rows = self._exec(
            "SELECT account_id, thread_id, message_id FROM vanish_owed WHERE action = 'gone'"
        ).fetchall()
        return {(a, t, m) for a, t, m in rows}

    def paid(self, key: ThreadKey, message_id: str, action: str) -> None:
        self._exec(
            "DELETE FROM vanish_owed"
            " WHERE account_id = ? AND thread_id = ? AND message_id = ? AND action = ?",
            (*key, message_id, action),
        )

    # --- cursors --------------------------------------------------------------------

    def cursor(self, account_id: str) -> str | None:
        row = self._exec("SELECT cursor FROM cursors WHERE account_id = ?", (account_id,))
        found = row.fetchone()
        return found[0] if found else None

    def set_cursor(self, account_id: str, cursor: str) -> None:
        self._exec(
            "INSERT OR REPLACE INTO cursors (account_id, cursor) VALUES (?, ?)",
            (account_id, cursor),
        )

    # --- outbox ---------------------------------------------------------------------
    #
    # Rows are plain tuples in the column order of OUTBOX_COLUMNS; chatui.session.outbox owns
    # their meaning.

    def outbox_rows(self) -> list[tuple[Any, ...]]:
        return self._exec(f"SELECT {OUTBOX_COLUMNS} FROM outbox ORDER BY seq").fetchall()

    def outbox_put(self, row: tuple[Any, ...]) -> None:
        marks = ", ".join("?" * len(row))
        self._exec(f"INSERT OR REPLACE INTO outbox ({OUTBOX_COLUMNS}) VALUES ({marks})", row)

    def outbox_delete(self, txn_id: str) -> None:
        self._exec("DELETE FROM outbox WHERE txn_id = ?", (txn_id,))

    # --- drafts ---------------------------------------------------------------------

    def drafts(self) -> dict[ThreadKey, str]:
        rows = self._exec("SELECT account_id, thread_id, body FROM drafts").fetchall()
        return {(a, t): body for a, t, body in rows}

    def set_draft(self, key: ThreadKey, body: str) -> None:
        if body.strip():
            self._exec(
                "INSERT OR REPLACE INTO drafts (account_id, thread_id, body) VALUES (?, ?, ?)",
                (*key, body),
            )
        else:
            self._exec("DELETE FROM drafts WHERE account_id = ? AND thread_id = ?", key)

    def save_drafts(self, drafts: Mapping[ThreadKey, str]) -> None:
        """Replace every stored draft with ``drafts`` (the app's view on exit)."""
        with self.transaction():
            self._exec("DELETE FROM drafts")
            for key, body in drafts.items():
                self.set_draft(key, body)


# --- the model as JSON ------------------------------------------------------------------


def message_to_dict(m: Message) -> dict[str, Any]:
    data: dict[str, Any] = {
        "account_id": m.account_id,
        "thread_id": m.thread_id,
        "message_id": m.message_id,
        "sender": m.sender,
        "body": m.body,
        "ts": m.ts,
    }
    optional = {
        "txn_id": m.txn_id,
        "reply_to": m.reply_to,
        "sender_name": m.sender_name,
    }
    data.update({k: v for k, v in optional.items() if v is not None})
    if m.reactions:
        data["reactions"] = {emoji: list(users) for emoji, users in m.reactions.items()}
    if m.vanish.mode != "off":
        data["vanish"] = m.vanish.to_json()
    if m.kind != "text":
        data["kind"] = m.kind
    if m.change is not None:
        data["change"] = dict(m.change)
    # Optional keys (a row an older chatui wrote has neither: not edited, no mention).
    if m.edited_ts is not None:
        data["edited_ts"] = m.edited_ts
    if m.mentions_me:
        data["mentions_me"] = True
    return data


_NO_REACTIONS: Mapping[str, tuple[str, ...]] = MappingProxyType({})


def _vanish(data: Any) -> VanishSetting:
    """A stored setting (absent: off), read by the one parser; this store wrote it
    from a VanishSetting, so a refusal means a damaged row and is raised."""
    return parse_vanish(data) if data else VANISH_OFF


def message_from_dict(d: Mapping[str, Any]) -> Message:
    reactions = d.get("reactions")
    return Message(
        account_id=d["account_id"],
        thread_id=d["thread_id"],
        message_id=d["message_id"],
        sender=d["sender"],
        body=d["body"],
        ts=int(d["ts"]),
        txn_id=d.get("txn_id"),
        reply_to=d.get("reply_to"),
        reactions=MappingProxyType({e: tuple(u) for e, u in reactions.items()})
        if reactions
        else _NO_REACTIONS,
        vanish=_vanish(d.get("vanish")),
        kind=d.get("kind", "text"),
        sender_name=d.get("sender_name"),
        change=d.get("change"),
        edited_ts=d.get("edited_ts"),
        mentions_me=bool(d.get("mentions_me", False)),
    )


def thread_to_dict(t: Thread) -> dict[str, Any]:
    data: dict[str, Any] = {
        "account_id": t.account_id,
        "thread_id": t.thread_id,
        "title": t.title,
        "members": list(t.members),
        "last_message": message_to_dict(t.last_message)
        if t.last_message is not None and not t.last_message.pending
        else None,
        "unread": t.unread,
        "theme": dict(t.theme) if t.theme is not None else None,
        "vanish": t.vanish.to_json(),
        "created_ts": t.created_ts,
        "membership": t.membership,
        "inviter": t.inviter,
    }
    if t.member_names:  # optional: a row without it (an older chatui's) reads as none
        data["member_names"] = dict(t.member_names)
    if t.mentions:  # optional as well
        data["mentions"] = t.mentions
    return data


def _activity_ts(data: Mapping[str, Any]) -> int:
    """Thread.activity_ts of the thread as stored (a pending last message is not)."""
    last = data.get("last_message")
    created = int(data.get("created_ts") or 0)
    return max(int(last["ts"]), created) if last else created


def thread_from_json(data: str) -> Thread:
    return thread_from_dict(json.loads(data))


def thread_from_dict(d: Mapping[str, Any]) -> Thread:
    last = d.get("last_message")
    return Thread(
        account_id=d["account_id"],
        thread_id=d["thread_id"],
        title=d.get("title"),
        members=tuple(d.get("members") or ()),
        last_message=message_from_dict(last) if last else None,
        unread=int(d.get("unread") or 0),
        theme=d.get("theme"),
        vanish=_vanish(d.get("vanish")),
        created_ts=int(d.get("created_ts") or 0),
        membership=d.get("membership", "join"),
        inviter=d.get("inviter"),
        member_names=_names(d.get("member_names")),
        mentions=int(d.get("mentions") or 0),
    )


_NO_NAMES: Mapping[str, str] = MappingProxyType({})


def _names(data: Any) -> Mapping[str, str]:
    """Stored display names (absent in rows an older chatui wrote: none)."""
    if not data:
        return _NO_NAMES
    return MappingProxyType({str(user): str(name) for user, name in data.items()})
