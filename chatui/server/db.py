"""The reference server's storage: SQLite in WAL mode behind a synchronous, thread-safe API.

Why this shape:

* **Synchronous and thread-safe.** The HTTP routes call it from a thread pool (so the
  event loop never waits on disk), the demo and the benchmarks call it directly to
  seed data, possibly from other threads. Each thread gets its own connection (WAL
  lets readers run beside the writer); writes are serialised by one lock plus
  ``BEGIN IMMEDIATE``, which makes check-then-insert (idempotent sends) atomic.
* **Events are rows.** Every change a client must hear about appends a row to
  ``events``; the row id is the stream cursor. A resumed stream is then just "rows
  after N that this user may see", so resuming can have neither gaps nor duplicates.
  Event payloads are rendered when sent, from the current state, so a deleted
  message's text is never replayed.
* **Listeners.** After each commit that added events, the registered listeners are
  called (in the writing thread) with the ids of the users who may see them; the app
  uses this to wake exactly those users' live streams, also when the demo seeds a
  message from another thread.
* **Indexed for scale.** History pages walk a partial covering index on
  ``(thread_id, ts, id, sender_id, kind)`` of live messages; the thread list is one query
  (plus one for all members) with the newest message denormalised into ``threads``.
* **Shared settings are messages too.** Changing a thread's vanish setting or theme
  adds a ``kind = 'setting'`` message (never vanishing, never unread) whose body is
  the sentence from :func:`chatui.core.notices.describe_change`, so every client —
  also one that knows nothing of settings — shows who changed what, in order.
* **Removed text is forgotten.** Unsending a message leaves a tombstone (kind
  ``deleted``: who and when, no body, no reactions), so everyone sees "message
  deleted" in its place; an expiry (``?expired=true``, a vanish timer) removes it
  entirely. An edit overwrites the body in place. With ``PRAGMA secure_delete`` the
  old bytes are zeroed in the page, and each of these then checkpoints the WAL with
  ``TRUNCATE``, so the old text is in neither the database file nor its WAL
  afterwards (docs/vanish.md).
* **Search reads a folded copy of the text** (``messages.folded``, chatui/server/search.py),
  kept in the message's own row so that whatever empties the body empties it too;
  no full-text index, which would keep removed text in its segments.
* **Mentions are rows.** Which members a message calls by ``@username`` is worked
  out once, when it is sent or edited (chatui.core.mentions), so that the thread
  list can count each user's unread mentions in the same query as the unread ones.
* **Migrations are additive and idempotent** (:mod:`chatui.server.schema`), and the
  JSON a row becomes is rendered in one place (:mod:`chatui.server.wire`); this
  module holds the queries.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatui.core import notices
from chatui.core.clock import now_ms
from chatui.core.fold import fold
from chatui.core.mentions import mentioned
from chatui.server import auth, ids, schema, search, validate, wire
from chatui.server.refusals import (
    BadCredentials,
    Forbidden,
    InvalidCursor,
    NoSuchUser,
    NotFound,
    TooManyReactions,
    UnknownMessage,
    UnknownUser,
    UsernameTaken,
)
from chatui.server.wire import Reactions

log = logging.getLogger(__name__)

Listener = Callable[[frozenset[int]], None]
"""Called after a commit with the user ids (internal ints) that have new events."""


_EXPIRED = 2  # messages.deleted: 0 shown (tombstones too), 1 removed (old files), 2 expired

_SETTING_VANISH = '{"mode": "off"}'  # setting notices never vanish

# A thread as one user sees it. :uid is the viewer; the caller adds the WHERE clause.
_THREAD_SELECT = """
SELECT t.id, t.title, t.created_ts, t.theme, t.vanish,
       lm.id, lm.thread_id, lm.sender_id, lu.username, lm.body, lm.ts, lm.txn_id,
       lm.reply_to, lm.vanish, lm.kind, lm.change, lm.edited_ts,
       (SELECT group_concat(xu.username, ' ') FROM mentions x
         JOIN users xu ON xu.id = x.user_id WHERE x.message_id = lm.id),
       (SELECT count(*) FROM messages m
         WHERE m.thread_id = t.id AND m.deleted = 0 AND m.sender_id != :uid
           AND m.kind = 'text'
           AND (m.ts, m.id) > (mb.read_ts, mb.read_id)) AS unread,
       (SELECT count(*) FROM mentions x JOIN messages m ON m.id = x.message_id
         WHERE x.user_id = :uid AND x.thread_id = t.id AND m.deleted = 0
           AND m.kind = 'text' AND (m.ts, m.id) > (mb.read_ts, mb.read_id)) AS mentioned
FROM members mb
JOIN threads t ON t.id = mb.thread_id
LEFT JOIN messages lm ON lm.id = t.last_message_id
LEFT JOIN users lu ON lu.id = lm.sender_id
"""

_MESSAGE_SELECT = """
SELECT m.id, m.thread_id, m.sender_id, u.username, m.body, m.ts, m.txn_id, m.reply_to,
       m.vanish, m.kind, m.change, m.edited_ts,
       (SELECT group_concat(xu.username, ' ') FROM mentions x
         JOIN users xu ON xu.id = x.user_id WHERE x.message_id = m.id)
FROM messages m JOIN users u ON u.id = m.sender_id
"""


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated user, as the routes pass it to the database."""

    user_id: int
    username: str


def _reactions_of(conn: sqlite3.Connection, message_ids: Iterable[int]) -> Reactions:
    """The reactions to the given messages, in one query per 500 of them."""
    wanted = sorted(set(message_ids))
    out: Reactions = {}
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        rows = conn.execute(
            "SELECT r.message_id, r.emoji, u.username FROM reactions r"
            " JOIN users u ON u.id = r.user_id"
            f" WHERE r.message_id IN ({','.join('?' * len(part))}) ORDER BY r.id",
            part,
        )
        _collect(out, rows)
    return out


def _collect(out: Reactions, rows: Iterable[tuple[int, str, str]]) -> None:
    # Rows come in reacting order: emoji keys in order of their first reaction.
    for mid, emoji, username in rows:
        out.setdefault(mid, {}).setdefault(emoji, []).append(username)


class Database:
    """The server's state. Synchronous; safe to call from any thread."""

    def __init__(self, path: Path | str, *, scrypt_n: int = auth.SCRYPT_N) -> None:
        """Open (creating if needed) the database at ``path``.

        ``scrypt_n`` is the password hashing work factor for new passwords; leave it
        alone except in test suites that register many users (the factor is stored
        with each hash, so logins work whatever it was).
        """
        self.path = Path(path)
        self.scrypt_n = scrypt_n
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._closed = False
        self._pending: set[int] = set()
        conn = self._conn()
        conn.execute("PRAGMA journal_mode=WAL")
        with self._write_lock:
            conn.executescript(schema.SCHEMA)  # idempotent; executescript commits on its own
        with self._write() as conn:
            schema.migrate(conn)
        with self._write_lock:
            conn.executescript(schema.INDEXES)
        with self._write() as conn:
            # Part of every cursor, so that a cursor from a wiped or another database is
            # refused instead of silently skipping events.
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('epoch', ?)", (secrets.token_hex(4),))
            row = conn.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()
        self.epoch: str = row[0]

    # --- connections and transactions -------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise RuntimeError("the database is closed")
            # isolation_level=None: we issue BEGIN ourselves; check_same_thread=False
            # only so that close() can close every thread's connection.
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            # Deleted content is overwritten with zeros, not merely unlinked: an
            # expired message's text must not linger in free space (docs/vanish.md).
            conn.execute("PRAGMA secure_delete = ON")
            search.register(conn)
            self._local.conn = conn
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; listeners hear about its events after the commit."""
        conn = self._conn()
        with self._write_lock:
            self._pending = set()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            pending = frozenset(self._pending)
            self._pending = set()
        if pending:
            for listener in list(self._listeners):
                try:
                    listener(pending)
                except Exception:  # a listener's bug must not fail the write
                    log.exception("event listener failed")

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot across several SELECTs."""
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    def close(self) -> None:
        self._closed = True
        with self._connections_lock:
            for conn in self._connections:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._connections.clear()

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def _emit(
        self,
        conn: sqlite3.Connection,
        kind: str,
        thread: int,
        *,
        message: int | None = None,
        user: int | None = None,
        recipient: int | None = None,
    ) -> None:
        conn.execute(
            "INSERT INTO events (kind, thread_id, message_id, user_id, recipient_id)"
            " VALUES (?, ?, ?, ?, ?)",
            (kind, thread, message, user, recipient),
        )
        if recipient is not None:
            self._pending.add(recipient)
        else:
            rows = conn.execute("SELECT user_id FROM members WHERE thread_id = ?", (thread,))
            self._pending.update(uid for (uid,) in rows)

    # --- users and tokens -------------------------------------------------------

    def create_user(self, username: str, password: str) -> dict[str, str]:
        """Register a user; returns ``{user_id, username, token}`` (UsernameTaken when taken)."""
        validate.username(username)
        validate.password(password)
        hashed = auth.hash_password(password, self.scrypt_n)  # slow: outside the lock
        token = auth.new_token()
        with self._write() as conn:
            try:
                cur = conn.execute(
                    "INSERT INTO users (username, password, created_ts) VALUES (?, ?, ?)",
                    (username, hashed, now_ms()),
                )
            except sqlite3.IntegrityError:
                raise UsernameTaken(f"{username!r} is taken") from None
            uid = cur.lastrowid
            assert uid is not None
            conn.execute(
                "INSERT INTO tokens VALUES (?, ?, ?)", (auth.token_hash(token), uid, now_ms())
            )
        return {"user_id": ids.user_id(uid), "username": username, "token": token}

    def login(self, username: str, password: str, *, say_unknown: bool = False) -> dict[str, str]:
        """A new token for a correct password; BadCredentials otherwise.

        ``say_unknown``: a name with no account is NoSuchUser rather than the generic
        BadCredentials. Off by default, because it tells a caller which names exist;
        the HTTP layer turns it on only with open registration (refusals.NoSuchUser).
        """
        validate.username(username)
        validate.password(password)
        row = (
            self._conn()
            .execute("SELECT id, password FROM users WHERE username = ?", (username,))
            .fetchone()
        )
        # The hash is checked (against a dummy for an unknown name) before anything is
        # decided, so every refused login costs the same time.
        matches = auth.verify_password(password, row[1] if row else None)
        if row is None and say_unknown:
            raise NoSuchUser(username)
        if not matches or row is None:
            raise BadCredentials()
        token = auth.new_token()
        with self._write() as conn:
            conn.execute(
                "INSERT INTO tokens VALUES (?, ?, ?)", (auth.token_hash(token), row[0], now_ms())
            )
        return {"user_id": ids.user_id(row[0]), "username": username, "token": token}

    def authenticate(self, token: str) -> Caller | None:
        row = (
            self._conn()
            .execute(
                "SELECT u.id, u.username FROM tokens t JOIN users u ON u.id = t.user_id"
                " WHERE t.hash = ?",
                (auth.token_hash(token),),
            )
            .fetchone()
        )
        return Caller(row[0], row[1]) if row else None

    def revoke_token(self, token: str) -> None:
        """Forget ``token`` (logout): it authenticates nothing from now on. Only this
        token goes; the user's other sessions keep theirs."""
        with self._write() as conn:
            conn.execute("DELETE FROM tokens WHERE hash = ?", (auth.token_hash(token),))

    def caller(self, username: str) -> Caller:
        """The user named ``username`` (for seeding); UnknownUser if none."""
        row = (
            self._conn()
            .execute("SELECT id, username FROM users WHERE username = ?", (username,))
            .fetchone()
        )
        if row is None:
            raise UnknownUser(username)
        return Caller(row[0], row[1])

    def me(self, caller: Caller) -> dict[str, str]:
        return {"user_id": ids.user_id(caller.user_id), "username": caller.username}

    # --- threads ----------------------------------------------------------------

    def _thread_rows(
        self, conn: sqlite3.Connection, uid: int, thread: int | None = None
    ) -> list[dict[str, Any]]:
        """Threads as ``uid`` sees them: one query for the threads, one for all members."""
        where = "WHERE mb.user_id = :uid" + (" AND t.id = :tid" if thread is not None else "")
        rows = conn.execute(
            f"{_THREAD_SELECT} {where}"
            " ORDER BY coalesce(max(lm.ts, t.created_ts), t.created_ts) DESC, t.id DESC",
            {"uid": uid, "tid": thread},
        ).fetchall()
        if not rows:
            return []
        members: dict[int, list[str]] = {}
        if thread is not None:
            member_rows = conn.execute(
                "SELECT m.thread_id, u.username FROM members m JOIN users u ON u.id = m.user_id"
                " WHERE m.thread_id = ? ORDER BY m.position",
                (thread,),
            )
        else:
            member_rows = conn.execute(
                "SELECT m.thread_id, u.username FROM members mine"
                " JOIN members m ON m.thread_id = mine.thread_id"
                " JOIN users u ON u.id = m.user_id"
                " WHERE mine.user_id = ? ORDER BY m.thread_id, m.position",
                (uid,),
            )
        for tid, name in member_rows:
            members.setdefault(tid, []).append(name)
        # The previews' reactions: one walk over the viewer's memberships.
        reactions: Reactions = {}
        _collect(
            reactions,
            conn.execute(
                "SELECT r.message_id, r.emoji, u.username FROM members mb"
                " JOIN threads t ON t.id = mb.thread_id"
                " JOIN reactions r ON r.message_id = t.last_message_id"
                " JOIN users u ON u.id = r.user_id"
                f" {where} ORDER BY r.id",
                {"uid": uid, "tid": thread},
            ),
        )
        return [
            {
                "thread_id": ids.thread_id(row[0]),
                "title": row[1],
                "members": members.get(row[0], []),
                "theme": json.loads(row[3]) if row[3] is not None else None,
                "vanish": wire.vanish_setting(row[4]),
                "last_message": wire.message_json(row[5:18], reactions)
                if row[5] is not None
                else None,
                "unread": row[18],
                "mentions": row[19],
                "created_ts": row[2],
            }
            for row in rows
        ]

    def _thread_for(self, conn: sqlite3.Connection, uid: int, thread_id: str) -> int:
        """The row id of ``thread_id`` if ``uid`` is a member; NotFound otherwise (no leak)."""
        tid = ids.parse("t", thread_id)
        if tid is None:
            raise NotFound()
        row = conn.execute(
            "SELECT 1 FROM members WHERE thread_id = ? AND user_id = ?", (tid, uid)
        ).fetchone()
        if row is None:
            raise NotFound()
        return tid

    def new_thread(
        self,
        caller: Caller,
        members: Sequence[str],
        title: str | None = None,
        *,
        ts: int | None = None,
    ) -> dict[str, Any]:
        """Create a thread of ``caller`` plus ``members``; returns it as the caller sees it."""
        names = validate.members(members)
        title = validate.title(title)
        with self._write() as conn:
            tid = self._insert_thread(conn, caller, names, title, ts)
            return self._thread_rows(conn, caller.user_id, tid)[0]

    def _insert_thread(
        self,
        conn: sqlite3.Connection,
        caller: Caller,
        names: list[str],
        title: str | None,
        ts: int | None,
    ) -> int:
        others = [n for n in names if n != caller.username]
        uids = [caller.user_id]
        if others:
            found = dict(
                conn.execute(
                    "SELECT username, id FROM users WHERE username IN"
                    f" ({','.join('?' * len(others))})",
                    others,
                ).fetchall()
            )
            missing = [n for n in others if n not in found]
            if missing:
                raise UnknownUser(*missing)
            uids += [found[n] for n in others]
        cur = conn.execute(
            "INSERT INTO threads (title, created_ts) VALUES (?, ?)",
            (title, ts if ts is not None else now_ms()),
        )
        tid = cur.lastrowid
        assert tid is not None
        conn.executemany(
            "INSERT INTO members (thread_id, user_id, position) VALUES (?, ?, ?)",
            [(tid, uid, pos) for pos, uid in enumerate(uids)],
        )
        self._emit(conn, "thread", tid)
        return tid

    def create_thread(
        self, creator_username: str, member_usernames: Sequence[str], title: str | None = None
    ) -> dict[str, Any]:
        """Seeding form of :meth:`new_thread`, by username."""
        return self.new_thread(self.caller(creator_username), member_usernames, title)

    def create_threads_bulk(
        self,
        creator_username: str,
        threads: Iterable[tuple[Sequence[str], str | None]],
        *,
        created_ts: Callable[[int], int] | None = None,
    ) -> list[str]:
        """Create many threads in one transaction (benchmarks); returns their ids.

        ``threads`` yields ``(member_usernames, title)``; ``created_ts(i)`` may give the
        i-th thread's creation time in epoch ms.
        """
        caller = self.caller(creator_username)
        made: list[str] = []
        with self._write() as conn:
            for i, (members, title) in enumerate(threads):
                names = validate.members(members)
                ts = created_ts(i) if created_ts is not None else None
                tid = self._insert_thread(conn, caller, names, validate.title(title), ts)
                made.append(ids.thread_id(tid))
        return made

    def list_threads(self, caller: Caller) -> list[dict[str, Any]]:
        """The caller's threads, newest activity first."""
        with self._read() as conn:
            return self._thread_rows(conn, caller.user_id)

    def get_thread(self, caller: Caller, thread_id: str) -> dict[str, Any]:
        with self._read() as conn:
            tid = self._thread_for(conn, caller.user_id, thread_id)
            return self._thread_rows(conn, caller.user_id, tid)[0]

    # --- messages ---------------------------------------------------------------

    def send(
        self,
        caller: Caller,
        thread_id: str,
        txn_id: str | None,
        body: str,
        reply_to: str | None = None,
        *,
        ts: int | None = None,
    ) -> dict[str, Any]:
        """Add a message; the same ``txn_id`` again returns the first message unchanged."""
        if txn_id is not None:
            validate.txn_id(txn_id)
        validate.message_body(body)
        with self._write() as conn:
            tid = self._thread_for(conn, caller.user_id, thread_id)
            if txn_id is not None:
                row = conn.execute(
                    f"{_MESSAGE_SELECT} WHERE m.thread_id = ? AND m.sender_id = ? AND m.txn_id = ?",
                    (tid, caller.user_id, txn_id),
                ).fetchone()
                if row is not None:
                    return wire.message_json(row, _reactions_of(conn, [row[0]]))
            reply: int | None = None
            if reply_to is not None:
                reply = ids.parse("m", reply_to)
                if (
                    reply is None
                    or not conn.execute(
                        "SELECT 1 FROM messages WHERE id = ? AND thread_id = ? AND deleted = 0"
                        " AND kind != 'deleted'",
                        (reply, tid),
                    ).fetchone()
                ):
                    raise UnknownMessage("reply_to")
            vanish, last_ts = conn.execute(
                "SELECT t.vanish, lm.ts FROM threads t"
                " LEFT JOIN messages lm ON lm.id = t.last_message_id WHERE t.id = ?",
                (tid,),
            ).fetchone()
            if ts is None:
                ts = _next_ts(last_ts)
            folded = search.folded(body, wire.vanish_setting(vanish)["mode"])
            mid = conn.execute(
                "INSERT INTO messages"
                " (thread_id, sender_id, body, ts, txn_id, reply_to, vanish, folded)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (tid, caller.user_id, body, ts, txn_id, reply, vanish, folded),
            ).lastrowid
            assert mid is not None
            self._record_mentions(conn, tid, mid, caller.user_id, body)
            self._refresh_last_message(conn, [tid])
            self._emit(conn, "message", tid, message=mid)
            row = conn.execute(f"{_MESSAGE_SELECT} WHERE m.id = ?", (mid,)).fetchone()
            return wire.message_json(row)  # new: no reactions yet

    def add_message(
        self,
        thread_id: str,
        sender_username: str,
        body: str,
        *,
        txn_id: str | None = None,
        reply_to: str | None = None,
        ts: int | None = None,
    ) -> dict[str, Any]:
        """Seeding form of :meth:`send`, by username; live streams hear of it too."""
        return self.send(self.caller(sender_username), thread_id, txn_id, body, reply_to, ts=ts)

    def add_messages_bulk(self, messages: Iterable[tuple[str, str, str, int | None]]) -> int:
        """Add many ``(thread_id, sender_username, body, ts)`` in one transaction.

        For benchmarks and demo history; events are written as for single sends.
        Returns how many messages were added.
        """
        callers: dict[str, Caller] = {}
        count = 0
        touched: set[int] = set()
        with self._write() as conn:
            for thread_id, sender, body, ts in messages:
                caller = callers.get(sender) or callers.setdefault(sender, self.caller(sender))
                validate.message_body(body)
                tid = self._thread_for(conn, caller.user_id, thread_id)
                mid = conn.execute(
                    "INSERT INTO messages (thread_id, sender_id, body, ts, vanish, folded)"
                    " SELECT ?, ?, ?, ?, t.vanish, CASE WHEN"
                    " json_extract(t.vanish, '$.mode') = 'off' THEN ? END"
                    " FROM threads t WHERE t.id = ?",
                    (
                        tid,
                        caller.user_id,
                        body,
                        ts if ts is not None else now_ms(),
                        fold(body),
                        tid,
                    ),
                ).lastrowid
                assert mid is not None
                self._record_mentions(conn, tid, mid, caller.user_id, body)
                conn.execute(
                    "INSERT INTO events (kind, thread_id, message_id) VALUES ('message', ?, ?)",
                    (tid, mid),
                )
                touched.add(tid)
                count += 1
            self._refresh_last_message(conn, touched)
            for tid in touched:
                rows = conn.execute("SELECT user_id FROM members WHERE thread_id = ?", (tid,))
                self._pending.update(uid for (uid,) in rows)
        return count

    @staticmethod
    def _record_mentions(
        conn: sqlite3.Connection, tid: int, mid: int, sender: int, body: str
    ) -> None:
        """Note which other members ``body`` calls by ``@username`` (chatui.core.mentions):
        the message's ``mentions`` and the thread's count of unread ones come from here."""
        conn.execute("DELETE FROM mentions WHERE message_id = ?", (mid,))
        if "@" not in body:
            return
        members = {
            name: uid
            for uid, name in conn.execute(
                "SELECT u.id, u.username FROM members mb JOIN users u ON u.id = mb.user_id"
                " WHERE mb.thread_id = ?",
                (tid,),
            )
            if uid != sender
        }
        conn.executemany(
            "INSERT OR IGNORE INTO mentions (user_id, thread_id, message_id) VALUES (?, ?, ?)",
            [(members[name], tid, mid) for name in mentioned(body, members)],
        )

    def _refresh_last_message(self, conn: sqlite3.Connection, threads: Iterable[int]) -> None:
        conn.executemany(
            "UPDATE threads SET last_message_id = (SELECT id FROM messages"
            " WHERE thread_id = ?1 AND deleted = 0 ORDER BY ts DESC, id DESC LIMIT 1)"
            " WHERE id = ?1",
            [(tid,) for tid in threads],
        )

    def history(
        self,
        caller: Caller,
        thread_id: str,
        before: str | None = None,
        limit: int = validate.DEFAULT_LIMIT,
    ) -> list[dict[str, Any]]:
        """Up to ``limit`` messages before ``before`` (default: the newest), oldest first:
        the shown ones, tombstones of unsent messages included (expired ones are gone)."""
        return self.history_page(caller, thread_id, before=before, limit=limit)["messages"]

    def history_page(
        self,
        caller: Caller,
        thread_id: str,
        *,
        before: str | None = None,
        after: str | None = None,
        around: str | None = None,
        limit: int = validate.DEFAULT_LIMIT,
    ) -> dict[str, Any]:
        """A page of shown messages, oldest first, as ``{messages, older, newer}``.

        At most one anchor (a message of the thread, shown or not): ``before`` it, or
        ``after`` it, or ``around`` it (the message itself if it is shown, with its
        neighbours on both sides, as evenly as the thread allows); none: the newest.
        ``older`` / ``newer`` are the first / last message's ids when more is shown
        beyond them (pass them back as ``before`` / ``after``), else None.
        """
        anchored = validate.one_anchor(before=before, after=after, around=around)
        with self._read() as conn:
            tid = self._thread_for(conn, caller.user_id, thread_id)
            if anchored is None:
                rows = self._page(conn, tid, None, older=True, limit=limit)
            else:
                name, message_id = anchored
                anchor = self._position(conn, tid, message_id, name)
                if name == "around":
                    rows = self._around(conn, tid, anchor, limit)
                else:
                    rows = self._page(conn, tid, anchor, older=name == "before", limit=limit)
            older = newer = None
            if rows:
                first, last = rows[0], rows[-1]
                if self._shown_beyond(conn, tid, (first[5], first[0]), older=True):
                    older = ids.message_id(first[0])
                if self._shown_beyond(conn, tid, (last[5], last[0]), older=False):
                    newer = ids.message_id(last[0])
            reactions = _reactions_of(conn, [row[0] for row in rows])
        return {
            "messages": [wire.message_json(row, reactions) for row in rows],
            "older": older,
            "newer": newer,
        }

    @staticmethod
    def _page(
        conn: sqlite3.Connection,
        tid: int,
        anchor: tuple[int, int] | None,
        *,
        older: bool,
        limit: int,
    ) -> list[Any]:
        """Up to ``limit`` shown messages next to ``anchor`` (None: the newest), on
        the ``older`` side or the newer one, oldest first."""
        if anchor is None:
            where, args = "", ()
        else:
            where, args = f" AND (m.ts, m.id) {'<' if older else '>'} (?, ?)", anchor
        order = "DESC" if older else "ASC"
        rows = conn.execute(
            f"{_MESSAGE_SELECT} WHERE m.thread_id = ? AND m.deleted = 0{where}"
            f" ORDER BY m.ts {order}, m.id {order} LIMIT ?",
            (tid, *args, limit),
        ).fetchall()
        return rows[::-1] if older else rows

    def _around(
        self, conn: sqlite3.Connection, tid: int, anchor: tuple[int, int], limit: int
    ) -> list[Any]:
        """The anchor (if shown) and up to ``limit`` messages in all, half on each side;
        a side with fewer leaves its room to the other (the newest message's window
        is still a full page)."""
        row = conn.execute(
            f"{_MESSAGE_SELECT} WHERE m.id = ? AND m.deleted = 0", (anchor[1],)
        ).fetchone()
        room = limit - (row is not None)
        before = self._page(conn, tid, anchor, older=True, limit=room)
        after = self._page(conn, tid, anchor, older=False, limit=room)
        n_before = min(len(before), max(room // 2, room - len(after)))
        n_after = min(len(after), room - n_before)
        return [
            *before[len(before) - n_before :],
            *([row] if row is not None else []),
            *after[:n_after],
        ]

    @staticmethod
    def _shown_beyond(
        conn: sqlite3.Connection, tid: int, position: tuple[int, int], *, older: bool
    ) -> bool:
        """Whether a shown message of the thread sorts before (``older``) or after
        ``position``: one step down the thread's index."""
        return (
            conn.execute(
                "SELECT 1 FROM messages m WHERE m.thread_id = ? AND m.deleted = 0"
                f" AND (m.ts, m.id) {'<' if older else '>'} (?, ?) LIMIT 1",
                (tid, *position),
            ).fetchone()
            is not None
        )

    def search(
        self,
        caller: Caller,
        query: str | None,
        before: str | None = None,
        limit: int = validate.DEFAULT_SEARCH_LIMIT,
    ) -> dict[str, Any]:
        """Text messages that hold every term of ``query``, newest first, from the
        threads ``caller`` is a member of, as ``{messages, next}``.

        Never a setting notice, an unsent or expired message, a message sent with
        vanish mode on, or any message of a thread whose vanish mode is on now: what
        is meant to go must not be found. ``before`` is the ``next`` of the previous
        page (:func:`chatui.server.search.cursor`). Matching: chatui/server/search.py.
        """
        wanted = validate.search_terms(query)
        position = search.parse_cursor(before) if before is not None else None
        page = "" if position is None else " AND (m.ts, m.id) < (?, ?)"
        with self._read() as conn:
            # The matches' places first, then the page's rows: rendering a row costs
            # joins and a subquery, which only the page's rows should pay. A message
            # sent to vanish has no folded text, so instr() leaves it out too.
            found = conn.execute(
                "SELECT m.id, m.ts FROM members mb"
                " JOIN threads t ON t.id = mb.thread_id"
                " JOIN messages m ON m.thread_id = mb.thread_id"
                " WHERE mb.user_id = ? AND json_extract(t.vanish, '$.mode') = 'off'"
                f" AND m.deleted = 0 AND m.kind = 'text'{page}"
                f"{' AND instr(m.folded, ?) > 0' * len(wanted)}"
                " ORDER BY m.ts DESC, m.id DESC LIMIT ?",
                (caller.user_id, *(position or ()), *wanted, limit + 1),
            ).fetchall()
            more = len(found) > limit
            found = found[:limit]
            page_ids = [mid for mid, _ in found]
            rows = conn.execute(
                f"{_MESSAGE_SELECT} WHERE m.id IN ({','.join('?' * len(page_ids))})", page_ids
            ).fetchall()
            reactions = _reactions_of(conn, page_ids)
        order = {mid: i for i, mid in enumerate(page_ids)}
        rows.sort(key=lambda row: order[row[0]])
        last = found[-1] if found else None
        return {
            "messages": [wire.message_json(row, reactions) for row in rows],
            "next": search.cursor(last[1], last[0]) if more and last is not None else None,
        }

    @staticmethod
    def _position(
        conn: sqlite3.Connection, tid: int, message_id: Any, field: str
    ) -> tuple[int, int]:
        """A message's place in its thread's order, ``(ts, id)``; UnknownMessage naming
        ``field`` when the request names a message that is not in this thread."""
        mid = ids.parse("m", message_id)
        row = None
        if mid is not None:
            row = conn.execute(
                "SELECT ts, id FROM messages WHERE id = ? AND thread_id = ?", (mid, tid)
            ).fetchone()
        if row is None:
            raise UnknownMessage(field)
        return row[0], row[1]

    def redact(
        self, caller: Caller, thread_id: str, message_id: str, *, expired: bool = False
    ) -> None:
        """Unsend the caller's own message (Forbidden for anyone else's; repeat is a no-op).

        The body, the change, the quote, the reactions and the mentions are forgotten;
        what stays is a tombstone (kind ``deleted``, empty body: who and when), so that
        everyone sees "message deleted" in its place. ``expired``: the sender's vanish
        timer ran out, which is not unsending: the message goes entirely (a tombstone
        too), and the redaction event says so. Either way the WAL is checkpointed
        afterwards, so that the text leaves the files at once.
        """
        with self._write() as conn:
            tid = self._thread_for(conn, caller.user_id, thread_id)
            mid = ids.parse("m", message_id)
            row = None
            if mid is not None:
                row = conn.execute(
                    "SELECT sender_id, deleted, kind FROM messages WHERE id = ? AND thread_id = ?",
                    (mid, tid),
                ).fetchone()
            if row is None:
                raise NotFound("message")
            if row[0] != caller.user_id:
                raise Forbidden("only the sender may delete a message")
            if row[1] or (row[2] == "deleted" and not expired):
                return
            conn.execute(
                "UPDATE messages SET deleted = ?, kind = 'deleted', body = '', change = NULL,"
                " reply_to = NULL, edited_ts = NULL, folded = NULL WHERE id = ?",
                (_EXPIRED if expired else 0, mid),
            )
            conn.execute("DELETE FROM reactions WHERE message_id = ?", (mid,))
            conn.execute("DELETE FROM mentions WHERE message_id = ?", (mid,))
            self._refresh_last_message(conn, [tid])
            self._emit(conn, "redaction", tid, message=mid)
            # The preview and others' unread counts may have changed with it.
            self._emit(conn, "thread", tid)
        self.checkpoint()

    def edit(self, caller: Caller, thread_id: str, message_id: str, body: str) -> dict[str, Any]:
        """Replace the text of the caller's own message; returns the message as it is now.

        Sender only (Forbidden), text messages only (a setting notice says who changed
        what: it cannot be reworded). The old body is overwritten, not kept: with
        ``secure_delete`` and the checkpoint after, it is in neither the database file
        nor its WAL once this returns. The message keeps its place and its ``ts``, so
        its vanish deadline, which runs from ``ts``, never moves. Every member gets a
        ``message`` event with the new text and ``edited_ts``. The same text again
        changes nothing.
        """
        body = validate.message_body(body)
        with self._write() as conn:
            tid = self._thread_for(conn, caller.user_id, thread_id)
            mid = ids.parse("m", message_id)
            row = None
            if mid is not None:
                row = conn.execute(
                    "SELECT sender_id, kind, body FROM messages"
                    " WHERE id = ? AND thread_id = ? AND deleted = 0 AND kind != 'deleted'",
                    (mid, tid),
                ).fetchone()
            if row is None or mid is None:
                raise NotFound("message")
            sender, kind, old = row
            if sender != caller.user_id:
                raise Forbidden("only the sender may edit a message")
            if kind != "text":
                raise Forbidden("only text messages can be edited")
            changed = old != body
            if changed:
                conn.execute(
                    "UPDATE messages SET body = ?, edited_ts = ?, folded = CASE WHEN"
                    " json_extract(vanish, '$.mode') = 'off' THEN ? END WHERE id = ?",
                    (body, now_ms(), fold(body), mid),
                )
                self._record_mentions(conn, tid, mid, caller.user_id, body)
                self._emit(conn, "message", tid, message=mid)
            row = conn.execute(f"{_MESSAGE_SELECT} WHERE m.id = ?", (mid,)).fetchone()
            answer = wire.message_json(row, _reactions_of(conn, [mid]))
        if changed:
            self.checkpoint()
        return answer

    def typing_audience(self, caller: Caller, thread_id: str) -> tuple[int, frozenset[int]]:
        """The thread's row id and its members' user ids, for a typing notice (NotFound
        unless the caller is a member): who may hear that the caller is typing."""
        with self._read() as conn:
            tid = self._thread_for(conn, caller.user_id, thread_id)
            rows = conn.execute("SELECT user_id FROM members WHERE thread_id = ?", (tid,))
            return tid, frozenset(uid for (uid,) in rows)

    def checkpoint(self) -> bool:
        """Copy the WAL into the database file and empty it; False if readers held it.

        With ``secure_delete`` the file's copy of a deleted body is zeroed; the WAL
        may still hold older images of the page until this runs.
        """
        with self._write_lock:
            busy, _, _ = self._conn().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            log.warning("the WAL checkpoint after removing a text was blocked by readers")
        return not busy

    def mark_read(self, caller: Caller, thread_id: str, message_id: Any) -> None:
        """Move the caller's read marker forward to ``message_id`` (never backward)."""
        with self._write() as conn:
            tid = self._thread_for(conn, caller.user_id, thread_id)
            ts, mid = self._position(conn, tid, message_id, "message_id")
            cur = conn.execute(
                "UPDATE members SET read_ts = ?, read_id = ?"
                " WHERE thread_id = ? AND user_id = ? AND (read_ts, read_id) < (?, ?)",
                (ts, mid, tid, caller.user_id, ts, mid),
            )
            if cur.rowcount:
                self._emit(conn, "read", tid, message=mid, user=caller.user_id)
                # The reader's own unread count changed; only they need the new thread.
                self._emit(conn, "thread", tid, recipient=caller.user_id)

    # --- shared settings and reactions -------------------------------------------

    def set_vanish(self, caller: Caller, thread_id: str, setting: Any) -> dict[str, Any]:
        """Set the thread's vanish setting; a change adds a notice message."""
        wanted = validate.vanish(setting)
        with self._write() as conn:
            tid = self._thread_for(conn, caller.user_id, thread_id)
            (current,) = conn.execute("SELECT vanish FROM threads WHERE id = ?", (tid,)).fetchone()
            if wire.vanish_setting(current) != wanted.to_json():
                conn.execute(
                    "UPDATE threads SET vanish = ? WHERE id = ?",
                    (json.dumps(wanted.to_json()), tid),
                )
                change = notices.vanish_change(wanted)
                self._add_notice(conn, caller, tid, change)
            return self._thread_rows(conn, caller.user_id, tid)[0]

    def set_theme(self, caller: Caller, thread_id: str, theme: Any) -> dict[str, Any]:
        """Set the thread's theme (``{}``: none); a change adds a notice message."""
        wanted = validate.theme(theme)
        with self._write() as conn:
            tid = self._thread_for(conn, caller.user_id, thread_id)
            (current,) = conn.execute("SELECT theme FROM threads WHERE id = ?", (tid,)).fetchone()
            if (json.loads(current) if current is not None else None) != wanted:
                text = None
                if wanted is not None:
                    text = json.dumps(wanted, ensure_ascii=False, separators=(",", ":"))
                conn.execute("UPDATE threads SET theme = ? WHERE id = ?", (text, tid))
                name = wanted["name"] if wanted is not None else None
                self._add_notice(conn, caller, tid, notices.theme_change(name))
            return self._thread_rows(conn, caller.user_id, tid)[0]

    def _add_notice(
        self, conn: sqlite3.Connection, caller: Caller, tid: int, change: dict[str, Any]
    ) -> None:
        """The ``kind = 'setting'`` message announcing ``change``, and the events."""
        (last_ts,) = conn.execute(
            "SELECT lm.ts FROM threads t LEFT JOIN messages lm ON lm.id = t.last_message_id"
            " WHERE t.id = ?",
            (tid,),
        ).fetchone()
        mid = conn.execute(
            "INSERT INTO messages (thread_id, sender_id, body, ts, vanish, kind, change)"
            " VALUES (?, ?, ?, ?, ?, 'setting', ?)",
            (
                tid,
                caller.user_id,
                notices.describe_change(caller.username, change),
                _next_ts(last_ts),
                _SETTING_VANISH,
                json.dumps(change, ensure_ascii=False),
            ),
        ).lastrowid
        self._refresh_last_message(conn, [tid])
        self._emit(conn, "thread", tid)  # the new setting first, then its notice
        self._emit(conn, "message", tid, message=mid)

    def react(
        self, caller: Caller, thread_id: str, message_id: str, emoji: str, *, add: bool = True
    ) -> dict[str, Any]:
        """Add (or with ``add=False`` take back) the caller's ``emoji`` reaction.

        Idempotent; a change is told to every member as a ``message`` event carrying
        the message with its current reactions. Returns that message.
        """
        emoji = validate.emoji(emoji)
        with self._write() as conn:
            tid = self._thread_for(conn, caller.user_id, thread_id)
            mid = ids.parse("m", message_id)
            if (
                mid is None
                or not conn.execute(
                    "SELECT 1 FROM messages WHERE id = ? AND thread_id = ? AND deleted = 0"
                    " AND kind != 'deleted'",
                    (mid, tid),
                ).fetchone()
            ):
                raise NotFound("message")
            if add:
                changed = self._add_reaction(conn, caller, mid, emoji)
            else:
                changed = conn.execute(
                    "DELETE FROM reactions WHERE message_id = ? AND emoji = ? AND user_id = ?",
                    (mid, emoji, caller.user_id),
                ).rowcount
            if changed:
                self._emit(conn, "message", tid, message=mid)
            row = conn.execute(f"{_MESSAGE_SELECT} WHERE m.id = ?", (mid,)).fetchone()
            return wire.message_json(row, _reactions_of(conn, [mid]))

    @staticmethod
    def _add_reaction(conn: sqlite3.Connection, caller: Caller, mid: int, emoji: str) -> bool:
        mine = [
            e
            for (e,) in conn.execute(
                "SELECT emoji FROM reactions WHERE message_id = ? AND user_id = ?",
                (mid, caller.user_id),
            )
        ]
        if emoji in mine:
            return False
        if len(mine) >= validate.MAX_REACTIONS_PER_USER:
            raise TooManyReactions(
                f"one person may add at most {validate.MAX_REACTIONS_PER_USER} different"
                " reactions to a message",
            )
        conn.execute(
            "INSERT INTO reactions (message_id, user_id, emoji) VALUES (?, ?, ?)",
            (mid, caller.user_id, emoji),
        )
        return True

    # --- the event stream -------------------------------------------------------

    def cursor(self, n: int) -> str:
        return f"{self.epoch}-{n}"

    def current_cursor(self) -> str:
        """The cursor of "now": a stream starting here gets only later events."""
        return self.cursor(self.last_event_id())

    def last_event_id(self) -> int:
        return self._conn().execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]

    def parse_cursor(self, text: str) -> int:
        """The event id in ``text``; InvalidCursor unless it is one of ours."""
        epoch, _, number = text.partition("-")
        if epoch != self.epoch or not number.isascii() or not number.isdigit():
            raise InvalidCursor("not a cursor of this server's database")
        if len(number) > 18 or int(number) > self.last_event_id():
            raise InvalidCursor("the cursor is newer than any event")
        return int(number)

    def events_after(
        self, caller: Caller, after: int, limit: int = 200
    ) -> tuple[list[tuple[str, str, dict[str, Any]]], int, bool]:
        """The caller's events after event id ``after``.

        Returns ``(events, next_after, more)``: events as ``(cursor, kind, data)``;
        ``next_after`` is where to continue (past events that were skipped, such as a
        message deleted since); ``more`` says whether another batch is ready now.
        """
        uid = caller.user_id
        with self._read() as conn:
            rows = conn.execute(
                "SELECT e.id, e.kind, e.thread_id, e.message_id, e.user_id FROM events e"
                " WHERE e.id > ? AND (e.recipient_id IS NULL OR e.recipient_id = ?)"
                " AND EXISTS (SELECT 1 FROM members mb"
                "             WHERE mb.thread_id = e.thread_id AND mb.user_id = ?)"
                " ORDER BY e.id LIMIT ?",
                (after, uid, uid, limit),
            ).fetchall()
            if not rows:
                return [], after, False
            message_ids = sorted({r[3] for r in rows if r[1] == "message"})
            reactions = _reactions_of(conn, message_ids)
            messages: dict[int, dict[str, Any]] = {}
            for chunk in range(0, len(message_ids), 500):
                part = message_ids[chunk : chunk + 500]
                for row in conn.execute(
                    f"{_MESSAGE_SELECT} WHERE m.deleted = 0 AND m.id IN"
                    f" ({','.join('?' * len(part))})",
                    part,
                ):
                    messages[row[0]] = wire.message_json(row, reactions)
            redacted = sorted({r[3] for r in rows if r[1] == "redaction"})
            expired: set[int] = set()
            for chunk in range(0, len(redacted), 500):
                part = redacted[chunk : chunk + 500]
                expired.update(
                    mid
                    for (mid,) in conn.execute(
                        f"SELECT id FROM messages WHERE deleted = {_EXPIRED} AND id IN"
                        f" ({','.join('?' * len(part))})",
                        part,
                    )
                )
            readers = sorted({r[4] for r in rows if r[4] is not None})
            usernames: dict[int, str] = {}
            if readers:
                usernames = dict(
                    conn.execute(
                        "SELECT id, username FROM users WHERE id IN"
                        f" ({','.join('?' * len(readers))})",
                        readers,
                    ).fetchall()
                )
            threads: dict[int, dict[str, Any]] = {}
            out: list[tuple[str, str, dict[str, Any]]] = []
            for eid, kind, tid, mid, reader in rows:
                data: dict[str, Any] | None
                if kind == "message":
                    data = messages.get(mid)  # None: deleted since; its redaction follows
                elif kind == "thread":
                    if tid not in threads:
                        threads[tid] = self._thread_rows(conn, uid, tid)[0]
                    data = threads[tid]
                elif kind == "redaction":
                    data = {
                        "thread_id": ids.thread_id(tid),
                        "message_id": ids.message_id(mid),
                        "expired": mid in expired,
                    }
                elif kind == "read":
                    data = {
                        "thread_id": ids.thread_id(tid),
                        "message_id": ids.message_id(mid),
                        "user": usernames.get(reader, ""),
                    }
                else:  # pragma: no cover - a kind from a newer server version
                    data = None
                if data is not None:
                    out.append((self.cursor(eid), kind, data))
            return out, rows[-1][0], len(rows) == limit


def _next_ts(last_ts: int | None) -> int:
    """A new message's time: now, but always after the thread's newest message.

    Strictly after, not merely not before: two messages of one thread never share
    a time, so a client orders them, and tells a replayed one from news (one no
    newer than the preview it was listed with), by time alone. The clock stepping
    back does not reorder them either.
    """
    now = now_ms()
    return now if last_ts is None else max(now, last_ts + 1)
