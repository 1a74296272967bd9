"""``Session.link``: an account added while the Session runs starts as ``start``
starts each account (threads, live stream, sends), and an account whose token was
refused is linked anew with a new token, its old backend ended. Real servers."""

from __future__ import annotations

from pathlib import Path

import httpx

from chatui.core.models import ConnectionState, Credentials
from chatui.server.runner import ServerThread
from chatui.session.session import AccountsChanged, Change, Session
from chatui.storage.store import Store
from tests.conftest import make_user
from tests.session.helpers import Restartable, linked, until


async def test_an_account_linked_while_running_joins_the_inbox_and_sends(
    server: ServerThread, tmp_path: Path
) -> None:
    alice = make_user(server, "alice")
    bob = make_user(server, "bob")
    lunch = server.database.create_thread("bob", ["alice"], "Lunch plans")
    session = Session([linked(server.url, alice, "alice")], store=Store(tmp_path / "s.sqlite3"))
    changes: list[Change] = []
    session.add_listener(changes.append)
    await session.start()
    try:
        assert session.linked.keys() == {"alice"}
        await session.link(linked(server.url, bob, "bob"))
        assert AccountsChanged() in changes
        assert session.states["bob"][0] is not ConnectionState.ERROR
        # Its threads are in the merged list (alice's copy and bob's, one per account).
        assert ("bob", lunch["thread_id"]) in session.inbox
        assert ("alice", lunch["thread_id"]) in session.inbox
        await until(lambda: session.states["bob"][0] is ConnectionState.CONNECTED, "bob's stream")
        # Its outbox sender runs: a message from the new account reaches the server.
        await session.send(("bob", lunch["thread_id"]), "hello from the new account")
        await until(
            lambda: any(
                m.body == "hello from the new account" and not m.pending
                for m in session.messages(("alice", lunch["thread_id"]))
            ),
            "the message, delivered and heard by alice's account",
        )
    finally:
        await session.stop()


async def test_a_refused_token_is_replaced_and_the_account_reconnects(tmp_path: Path) -> None:
    srv = Restartable(tmp_path / "server.db")
    server = srv.start()
    try:
        bob = make_user(server, "bob")
        old = linked(srv.url, bob)
        session = Session([old])
        await session.start()
        try:
            await until(lambda: session.states["home"][0] is ConnectionState.CONNECTED, "up")
            assert session.signed_out() == []
            httpx.post(
                f"{srv.url}/v1/logout",
                headers={"Authorization": f"Bearer {bob.token}"},
                timeout=10,
            ).raise_for_status()
            srv.stop()
            srv.start()
            await until(lambda: session.signed_out() == ["home"], "the token refused")
            assert session.states["home"][0] is ConnectionState.ERROR

            again = log_in(srv.url, "bob", "pw-bob")
            await session.link(linked(srv.url, again))
            await until(
                lambda: session.states["home"][0] is ConnectionState.CONNECTED, "reconnected"
            )
            assert session.signed_out() == []
            assert session.linked["home"].token == again.token
        finally:
            await session.stop()
    finally:
        srv.stop()


def log_in(url: str, username: str, password: str) -> Credentials:
    """A new token for an existing user, from POST /v1/login."""
    data = httpx.post(
        f"{url}/v1/login", json={"username": username, "password": password}, timeout=10
    ).json()
    return Credentials(user_id=data["user_id"], username=data["username"], token=data["token"])
