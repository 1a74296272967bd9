"""Two linked Sessions (alice and bob, each with a store of their own) on one live
reference server: the setting of every vanish-mode test."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from chatui.core.models import ConnectionState, Credentials, Message, ThreadKey
from chatui.server.runner import ServerThread
from chatui.session.session import Session
from chatui.storage.store import Store
from tests.conftest import make_user
from tests.session.helpers import linked, until


@dataclass
class Pair:
    server: ServerThread
    alice: Session
    bob: Session
    alice_creds: Credentials
    bob_creds: Credentials
    thread_id: str
    tmp: Path

    @property
    def key(self) -> ThreadKey:
        return ("home", self.thread_id)

    def session_for(self, creds: Credentials, name: str) -> Session:
        return Session([linked(self.server.url, creds)], store=Store(self.tmp / f"{name}.sqlite3"))

    def server_history(self) -> list[dict]:
        """What the server itself still serves of the thread (as alice asks for it)."""
        response = httpx.get(
            f"{self.server.url}/v1/threads/{self.thread_id}/messages",
            headers={"Authorization": f"Bearer {self.alice_creds.token}"},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()["messages"]


async def live(session: Session) -> None:
    await session.start()
    await until(lambda: session.states["home"][0] is ConnectionState.CONNECTED, "live")


@contextlib.asynccontextmanager
async def pair(server: ServerThread, tmp: Path) -> AsyncIterator[Pair]:
    alice_creds = make_user(server, "alice")
    bob_creds = make_user(server, "bob")
    thread_id = server.database.create_thread("alice", ["bob"], "Secrets")["thread_id"]
    p = Pair(server, None, None, alice_creds, bob_creds, thread_id, tmp)  # type: ignore[arg-type]
    p.alice = p.session_for(alice_creds, "alice")
    p.bob = p.session_for(bob_creds, "bob")
    try:
        await live(p.alice)
        await live(p.bob)
        yield p
    finally:
        for session in (p.alice, p.bob):
            if not session.stopped:
                await session.stop()


def bodies(messages: list[Message]) -> list[str]:
    return [m.body for m in messages if m.kind == "text"]


def on_disk(path: Path, token: str) -> list[str]:
    """Which of the database file, its WAL and its shared-memory index hold ``token``
    in their raw bytes."""
    needle = token.encode()
    found = []
    wal, shm = (path.with_name(path.name + suffix) for suffix in ("-wal", "-shm"))
    for candidate in (path, wal, shm):
        if candidate.exists() and needle in candidate.read_bytes():
            found.append(candidate.name)
    return found
