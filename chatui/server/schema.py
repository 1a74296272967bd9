"""The reference server's database schema, and how an older file is brought up to it.

The schema is ``CREATE ... IF NOT EXISTS`` (opening a database twice, or from two
processes, is safe) plus :func:`migrate`, which adds the columns an older file
lacks, inside the caller's write transaction. Migrations are additive only.
"""

from __future__ import annotations

import logging
import sqlite3

from chatui.server.search import FOLD_FUNCTION

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password TEXT NOT NULL,          -- auth.hash_password(): scrypt$n$r$p$salt$hash
    created_ts INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    hash TEXT PRIMARY KEY,           -- sha256 of the bearer token, never the token
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_ts INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS threads (
    id INTEGER PRIMARY KEY,
    title TEXT,
    created_ts INTEGER NOT NULL,
    theme TEXT,                      -- JSON object or NULL
    vanish TEXT NOT NULL DEFAULT '{"mode": "off"}',
    last_message_id INTEGER          -- newest live message: the thread list's preview
);
CREATE TABLE IF NOT EXISTS members (
    thread_id INTEGER NOT NULL REFERENCES threads(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    position INTEGER NOT NULL,
    read_ts INTEGER NOT NULL DEFAULT -1,   -- the read marker as the (ts, id) of the
    read_id INTEGER NOT NULL DEFAULT 0,    -- last message read: unread = what sorts after
    PRIMARY KEY (thread_id, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS members_by_user ON members(user_id, thread_id);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    thread_id INTEGER NOT NULL REFERENCES threads(id),
    sender_id INTEGER NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,              -- emptied when the message is unsent or expires
    ts INTEGER NOT NULL,             -- epoch ms
    txn_id TEXT,
    reply_to INTEGER,
    vanish TEXT NOT NULL,            -- the thread's vanish setting when it was sent
    -- 0 shown (an unsent message stays as kind 'deleted', body ''), 1 removed (unsent
    -- before tombstones existed: hidden), 2 expired (vanish timer: gone for good)
    deleted INTEGER NOT NULL DEFAULT 0,
    kind TEXT NOT NULL DEFAULT 'text',     -- text | setting | deleted (see migrate)
    change TEXT,                     -- kind = setting: what changed, a JSON object
    edited_ts INTEGER,               -- when the sender last edited the body (NULL: never)
    -- the body folded for search (chatui.core.fold): text messages not sent to vanish
    -- only, NULL otherwise; emptied with the body (chatui/server/search.py)
    folded TEXT
);
CREATE TABLE IF NOT EXISTS mentions (  -- the members a text message calls by @name
    user_id INTEGER NOT NULL REFERENCES users(id),
    thread_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL REFERENCES messages(id),
    PRIMARY KEY (user_id, thread_id, message_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reactions (
    id INTEGER PRIMARY KEY,          -- the order of reacting
    message_id INTEGER NOT NULL REFERENCES messages(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    emoji TEXT NOT NULL,
    UNIQUE (message_id, emoji, user_id)
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- the stream cursor; never reused
    kind TEXT NOT NULL,              -- thread | message | redaction | read
    thread_id INTEGER NOT NULL,
    message_id INTEGER,
    user_id INTEGER,                 -- who moved their read marker (kind = read)
    recipient_id INTEGER             -- NULL: every member; else only this user
);
"""

# Indexes come after _migrate: on an older file they name columns it adds.
INDEXES = """
CREATE UNIQUE INDEX IF NOT EXISTS messages_txn
    ON messages(thread_id, sender_id, txn_id) WHERE txn_id IS NOT NULL;
DROP INDEX IF EXISTS messages_live;  -- before kind: unread counts need kind too
CREATE INDEX IF NOT EXISTS messages_visible
    ON messages(thread_id, ts, id, sender_id, kind) WHERE deleted = 0;
CREATE INDEX IF NOT EXISTS mentions_by_message ON mentions(message_id);
"""

# Columns added after the first release, as (table, column, definition).
ADDED_COLUMNS = (
    ("messages", "kind", "TEXT NOT NULL DEFAULT 'text'"),
    ("messages", "change", "TEXT"),
    ("messages", "edited_ts", "INTEGER"),
    ("messages", "folded", "TEXT"),
)


def migrate(conn: sqlite3.Connection) -> None:
    """Bring an older database file up to this schema (inside a write transaction).

    ``conn`` must have the search functions (chatui.server.search.register): a file
    from before search gets its messages' folded text here, once.
    """
    for table, column, definition in ADDED_COLUMNS:
        have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if column not in have:
            log.info("upgrading the database: adding %s.%s", table, column)
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
            if (table, column) == ("messages", "folded"):
                conn.execute(
                    f"UPDATE messages SET folded = {FOLD_FUNCTION}(body) WHERE deleted = 0"
                    " AND kind = 'text' AND json_extract(vanish, '$.mode') = 'off'"
                )
