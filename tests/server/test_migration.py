"""Opening a database written by an older server upgrades it in place, safely.

The first release had no message kinds, no setting changes and no reactions. Its
schema is kept here (comments dropped), so the upgrade path stays tested after the
current schema moves on.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from chatui.server.db import Caller, Database

FIRST_RELEASE_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password TEXT NOT NULL,
    created_ts INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_ts INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS threads (
    id INTEGER PRIMARY KEY,
    title TEXT,
    created_ts INTEGER NOT NULL,
    theme TEXT,
    vanish TEXT NOT NULL DEFAULT '{"mode": "off"}',
    last_message_id INTEGER
);
CREATE TABLE IF NOT EXISTS members (
    thread_id INTEGER NOT NULL REFERENCES threads(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    position INTEGER NOT NULL,
    read_ts INTEGER NOT NULL DEFAULT -1,
    read_id INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (thread_id, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS members_by_user ON members(user_id, thread_id);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    thread_id INTEGER NOT NULL REFERENCES threads(id),
    sender_id INTEGER NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    ts INTEGER NOT NULL,
    txn_id TEXT,
    reply_to INTEGER,
    vanish TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS messages_txn
    ON messages(thread_id, sender_id, txn_id) WHERE txn_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS messages_live
    ON messages(thread_id, ts, id, sender_id) WHERE deleted = 0;
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    thread_id INTEGER NOT NULL,
    message_id INTEGER,
    user_id INTEGER,
    recipient_id INTEGER
);
"""


def _old_database(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(FIRST_RELEASE_SCHEMA)
        conn.execute("INSERT INTO meta VALUES ('epoch', 'abcd1234')")
        conn.executemany(
            "INSERT INTO users (id, username, password, created_ts) VALUES (?, ?, 'x', 0)",
            [(1, "alice"), (2, "bob")],
        )
        conn.execute("INSERT INTO threads (id, title, created_ts) VALUES (1, 'old', 0)")
        conn.executemany(
            "INSERT INTO members (thread_id, user_id, position) VALUES (1, ?, ?)",
            [(1, 0), (2, 1)],
        )
        conn.execute(
            "INSERT INTO messages (id, thread_id, sender_id, body, ts, vanish)"
            " VALUES (1, 1, 2, 'from before the upgrade', 5, '{\"mode\": \"off\"}')"
        )
        conn.execute("UPDATE threads SET last_message_id = 1")
        conn.execute("INSERT INTO events (kind, thread_id, message_id) VALUES ('message', 1, 1)")
    conn.close()


def test_an_old_database_is_upgraded_and_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _old_database(path)
    alice, bob = Caller(1, "alice"), Caller(2, "bob")
    for _ in range(2):  # opening an upgraded file again changes nothing
        db = Database(path)
        try:
            assert db.epoch == "abcd1234"  # old cursors stay valid
            [old] = db.history(alice, "t1")
            assert (old["body"], old["kind"], old["change"]) == (
                "from before the upgrade",
                "text",
                None,
            )
            assert db.get_thread(alice, "t1")["unread"] == 1
            events, _, _ = db.events_after(alice, 0)
            assert [kind for _, kind, _ in events] == ["message"]
            # Its text gets its folded copy, so that search finds it too.
            [found] = db.search(alice, "BEFORE the UPGRADE")["messages"]
            assert found["message_id"] == old["message_id"]
        finally:
            db.close()

    db = Database(path)
    try:
        db.set_vanish(bob, "t1", {"mode": "vanish"})
        db.react(alice, "t1", "m1", "👍")
        history = db.history(alice, "t1")
        assert [m["kind"] for m in history] == ["text", "setting"]
        assert history[0]["reactions"] == {"👍": ["alice"]}
        assert db.get_thread(alice, "t1")["unread"] == 1  # the notice does not count
    finally:
        db.close()
    with sqlite3.connect(path) as conn:
        indexes = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert "messages_live" not in indexes and "messages_visible" in indexes


def test_two_servers_opening_one_old_file_both_work(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _old_database(path)
    first, second = Database(path), Database(path)
    try:
        assert first.history(Caller(1, "alice"), "t1") == second.history(Caller(1, "alice"), "t1")
    finally:
        first.close()
        second.close()
