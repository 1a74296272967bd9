"""The erasure paths that do not start on this client's own clock: an
expiry that arrives from another device, and a HistoryReset that replaces what was
cached. Real Sessions with their own stores, a live reference server; the raw
bytes of the store's files are read while the Session still runs."""

from __future__ import annotations

import httpx
import pytest

from chatui.core.models import ConnectionState, VanishSetting
from chatui.server.runner import ServerThread
from chatui.session.session import HistoryRefetched, Session
from chatui.storage.store import Store
from tests.conftest import make_user
from tests.session.helpers import Restartable, linked, until
from tests.vanish.helpers import bodies, on_disk, pair


async def test_an_expiry_from_another_device_leaves_no_byte_behind(
    server: ServerThread, tmp_path
) -> None:
    async with pair(server, tmp_path) as p:
        # An hour: this device's own timer plays no part here.
        await p.alice.set_vanish(p.key, VanishSetting("timer", 3600))
        await p.alice.open_thread(p.key)
        await p.alice.send(p.key, "other-device-token-4e2f")
        await until(
            lambda: any(
                m.body == "other-device-token-4e2f" and not m.pending
                for m in p.alice.messages(p.key)
            ),
            "the server to accept it",
        )
        message_id = next(
            m.message_id for m in p.alice.messages(p.key) if m.body == "other-device-token-4e2f"
        )
        store_path = tmp_path / "alice.sqlite3"
        assert on_disk(store_path, "other-device-token-4e2f") != []  # the check can fail

        # alice's other device: its timer ran out, it deleted the message as expired.
        response = httpx.delete(
            f"{p.server.url}/v1/threads/{p.thread_id}/messages/{message_id}",
            params={"expired": "true"},
            headers={"Authorization": f"Bearer {p.alice_creds.token}"},
            timeout=10,
        )
        assert response.status_code == 204

        await until(
            lambda: "other-device-token-4e2f" not in bodies(p.alice.messages(p.key)),
            "the expiry to reach this device",
        )
        thread = p.alice.inbox.get(p.key)
        assert thread.last_message is None or thread.last_message.message_id != message_id
        assert not p.alice.stopped
        await until(
            lambda: on_disk(store_path, "other-device-token-4e2f") == [],
            "no byte of it on disk while the Session runs",
        )


@pytest.mark.parametrize("opened", [True, False], ids=["cached-page", "preview-only"])
async def test_a_history_reset_leaves_no_byte_of_what_the_server_lost(
    tmp_path, opened: bool
) -> None:
    """The server lost our place and the messages (its database was replaced): the
    cached page and the list's preview are replaced, and their text leaves the disk
    — also when the preview was all we had of it (no page to replace)."""
    token = "reset-token-8d0c"
    srv = Restartable(tmp_path / "server.db")
    store_path = tmp_path / "store.sqlite3"
    try:
        server = srv.start()
        make_user(server, "alice")
        bob = make_user(server, "bob")
        old = server.database.create_thread("alice", ["bob"], "Old thread")["thread_id"]
        server.database.add_message(old, "alice", token)
        session = Session([linked(srv.url, bob)], store=Store(store_path))
        await session.start()
        await until(lambda: session.states["home"][0] is ConnectionState.CONNECTED, "live")
        if opened:
            await session.open_thread(("home", old))
            await until(lambda: session.store.messages(("home", old)), "the cached page")
        # Something in another thread, so that the stream's place is stored.
        other = server.database.create_thread("alice", ["bob"], "Other")["thread_id"]
        server.database.add_message(other, "alice", "elsewhere")
        await until(lambda: session.store.cursor("home") is not None, "a stored cursor")
        await session.stop()
        srv.stop()
        assert on_disk(store_path, token) != []  # the check can fail

        srv.db_path = tmp_path / "wiped.db"
        server = srv.start()
        make_user(server, "alice")
        bob = make_user(server, "bob")
        fresh = server.database.create_thread("alice", ["bob"], "New thread")["thread_id"]
        server.database.add_message(fresh, "alice", "hello again")

        session = Session([linked(srv.url, bob)], store=Store(store_path))
        changes: list[object] = []
        session.add_listener(changes.append)
        session.load_cached()
        await session.start()
        await until(
            lambda: any(isinstance(c, HistoryRefetched) for c in changes), "the history refetch"
        )
        assert on_disk(store_path, token) == []  # while the Session runs
        assert not session.stopped
        await session.stop()
        assert on_disk(store_path, token) == []
    finally:
        srv.stop()
