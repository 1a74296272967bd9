"""Fill a fresh demo server with its people and their history.

Written straight into the server's :class:`Database` with explicit timestamps
(the HTTP API rightly offers no way to backdate a message), once, on the first
run; later runs reuse the database as it was left, including what the user wrote.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from chatui.core import clock
from chatui.demo.networks import Network
from chatui.demo.script import ME, SCRIPTS, Conversation
from chatui.server.db import Database

MINUTE_MS = 60_000


@dataclass(frozen=True, slots=True)
class SeededNetwork:
    """The tokens seeding handed out: the user's and each contact's."""

    user_token: str
    contact_tokens: dict[str, str]
    thread_ids: tuple[str, ...]  # in script order


def seed_network(
    db: Database, network: Network, username: str, *, now_ms: int | None = None
) -> SeededNetwork:
    """Create the user and ``network``'s contacts, then play its script into ``db``.

    Passwords are random and thrown away: everyone here signs in with the token
    made now, kept in the demo folder.
    """
    now = now_ms if now_ms is not None else clock.now_ms()
    user = db.create_user(username, secrets.token_urlsafe(18))
    contacts = {c: db.create_user(c, secrets.token_urlsafe(18))["token"] for c in network.contacts}
    me = db.caller(username)
    thread_ids = [
        _play(db, me, conversation, username, now) for conversation in SCRIPTS[network.key]
    ]
    return SeededNetwork(user["token"], contacts, tuple(thread_ids))


def _play(db: Database, me, conversation: Conversation, username: str, now: int) -> str:
    first = conversation.lines[0].ago if conversation.lines else 0
    # The thread was started a little before its first message, as in real life.
    thread = db.new_thread(
        me, list(conversation.members), conversation.title, ts=now - (first + 1) * MINUTE_MS
    )
    thread_id = thread["thread_id"]
    message_ids = []
    for line in conversation.lines:
        sender = username if line.sender == ME else line.sender
        message = db.add_message(thread_id, sender, line.body, ts=now - line.ago * MINUTE_MS)
        message_ids.append(message["message_id"])
    # Everything but the last ``unread`` lines has been read by the user.
    read_upto = len(message_ids) - conversation.unread - 1
    if read_upto >= 0:
        db.mark_read(me, thread_id, message_ids[read_upto])
    return thread_id
