"""A reference server that can be stopped and started again on the same port and
database — a server going down and coming back, as the store's tests need."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from chatui.backends.local import LocalBackend
from chatui.core.models import AccountConfig, Credentials
from chatui.server.runner import ServerThread
from chatui.session.session import LinkedAccount
from tests.conftest import TEST_SCRYPT_N, make_user

TIMEOUT = 30.0
"""Seconds a session test waits for a condition: the suite's one generous deadline
(tests/ui and tests/demo wait as long). 15 s ran out once in 15 stress runs, with two
CPU burners beside the whole end-to-end suite on two cores, for a message that the
outbox sends and the other side's open_thread fetches; the same test alone with
the burners passed 40 of 40 times, so the deadline, not a lost event, was short."""


class Restartable:
    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.port = 0
        self.server: ServerThread | None = None
        self.url = ""

    def start(self) -> ServerThread:
        self.server = ServerThread(
            self.db_path, port=self.port, open_registration=True, scrypt_n=TEST_SCRYPT_N
        ).start()
        self.url = self.server.url
        self.port = int(self.url.rsplit(":", 1)[1])
        return self.server

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def bodies(self, thread_id: str, reader: str = "bob") -> list[str]:
        """The thread's message bodies as the running server has them, oldest first."""
        assert self.server is not None, "the server is not running"
        db = self.server.database
        return [m["body"] for m in db.history(db.caller(reader), thread_id, None, 1000)]


def linked(url: str, creds: Credentials, account_id: str = "home") -> LinkedAccount:
    config = AccountConfig(
        account_id=account_id,
        kind="local",
        server=url,
        username=creds.username,
        label="H",
        color="#5fafff",
        token_store="file",
    )
    return LinkedAccount(config, LocalBackend(config), creds.token)


async def until(predicate: Callable[[], object], what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def lunch_for_bob(server: ServerThread) -> tuple[Credentials, str]:
    """Alice and Bob on ``server`` and Alice's "Lunch" thread with Bob: Bob's
    credentials and the thread's id (the outbox, crash and quit tests' world)."""
    make_user(server, "alice")
    bob = make_user(server, "bob")
    thread_id = server.database.create_thread("alice", ["bob"], "Lunch")["thread_id"]
    return bob, thread_id
