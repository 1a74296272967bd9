"""Shared pieces of the fault tests: a thread between alice and bob on a real server,
and bob's ``local`` backend pointed at a fault proxy in front of it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from chatui.backends.local import LocalBackend
from chatui.core.models import AccountConfig, Credentials
from chatui.server.runner import ServerThread
from tests.conftest import make_user
from tests.faults.proxy import FaultProxy, Plan, passthrough


@dataclass
class World:
    server: ServerThread
    alice: Credentials
    bob: Credentials
    thread_id: str

    def say(self, body: str) -> str:
        """alice sends ``body`` straight to the server (no proxy); returns its id."""
        return self.server.database.add_message(self.thread_id, "alice", body)["message_id"]

    def history_ids(self) -> list[str]:
        db = self.server.database
        return [m["message_id"] for m in db.history(db.caller("bob"), self.thread_id, None, 1000)]


@pytest.fixture
def world(server: ServerThread) -> World:
    alice, bob = make_user(server, "alice"), make_user(server, "bob")
    thread = server.database.create_thread("alice", ["bob"], title="Faults")
    return World(server, alice, bob, thread["thread_id"])


@pytest.fixture
def proxy_for(world: World) -> Iterator:
    """``proxy_for(plan)`` starts a fault proxy to the world's server."""
    started: list[FaultProxy] = []

    def start(plan: Plan = passthrough) -> FaultProxy:
        proxy = FaultProxy(world.server.url, plan).start()
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.stop()


def backend_through(proxy: FaultProxy, username: str, token: str) -> LocalBackend:
    """``username``'s backend through ``proxy``, with reconnects kept quick for tests."""
    config = AccountConfig(
        f"local-{username}", "local", proxy.url, username, username[0].upper(), "#5fafff", "file"
    )
    backend = LocalBackend(config)
    backend.token = token
    backend.backoff_base = 0.01  # the same backoff logic, at test speed
    backend.backoff_cap = 0.05
    return backend


def bob_backend(world: World, proxy: FaultProxy) -> LocalBackend:
    return backend_through(proxy, "bob", world.bob.token)
