"""A Matrix account with the local store: the sync token is persisted, so a restart
resumes where the last run stopped and a gap is filled in order, each message once;
a stored token the homeserver refuses makes the Session refetch instead."""

from __future__ import annotations

from pathlib import Path

from chatui.backends.matrix import MatrixBackend
from chatui.core.models import ConnectionState
from chatui.session.session import HistoryRefetched, LinkedAccount, Session
from chatui.storage.store import Store
from tests.backends.matrix.helpers_matrix import account_for, fast, in_thread
from tests.session.helpers import until


async def test_restart_resumes_from_the_stored_sync_token(
    synapse, matrix_user, tmp_path: Path
) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = bob.create_room(invite=[alice.user_id], name="Book club")
    alice.join(room)
    bob.send_text(room, "before the first run")
    config = account_for(synapse, alice)
    login = fast(MatrixBackend(config))
    token = (await login.login(alice.user_id, alice.password or "")).token
    await login.close()
    key = ("mx", room)
    store_path = tmp_path / "store.sqlite3"

    def session() -> Session:
        linked = LinkedAccount(config, fast(MatrixBackend(config)), token)
        return Session([linked], store=Store(store_path))

    first = session()
    await first.start()
    await until(lambda: first.states["mx"][0] is ConnectionState.CONNECTED, "live")
    await in_thread(bob.send_text, room, "while running")
    await until(lambda: any(m.body == "while running" for m in first.store.messages(key)), "stored")
    stored_token = first.store.cursor("mx")
    assert stored_token  # the sync token is in the store, not only in memory
    await first.stop()

    # Written while chatui is closed: only resuming from the stored token (and filling
    # the limited timeline) brings all of them, in order.
    missed = [f"missed {n}" for n in range(60)]
    for body in missed:
        await in_thread(bob.send_text, room, body)

    second = session()
    second.load_cached()
    assert second.inbox.get(key) is not None  # drawn from the store before any network
    await second.start()

    def bodies() -> list[str]:
        return [m.body for m in second.store.messages(key, limit=500)]

    await until(lambda: bodies()[-len(missed) :] == missed, "the gap filled in order", 60)
    assert bodies().count("while running") == 1
    assert all(bodies().count(body) == 1 for body in missed)
    assert second.store.cursor("mx") != stored_token
    await second.stop()


async def test_a_refused_stored_token_refetches_and_drops_what_was_deleted(
    synapse, matrix_user, tmp_path: Path
) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = bob.create_room(invite=[alice.user_id], name="Refetch")
    alice.join(room)
    doomed = bob.send_text(room, "deleted while we were away")
    bob.send_text(room, "still here")
    config = account_for(synapse, alice)
    login = fast(MatrixBackend(config))
    token = (await login.login(alice.user_id, alice.password or "")).token
    await login.close()
    key = ("mx", room)
    store_path = tmp_path / "store.sqlite3"

    def session() -> Session:
        linked = LinkedAccount(config, fast(MatrixBackend(config)), token)
        return Session([linked], store=Store(store_path))

    first = session()
    await first.start()
    await first.open_thread(key)
    await until(lambda: len(first.store.messages(key)) == 2, "cached messages")
    await first.stop()

    # While chatui is closed the message is deleted, and the stored token becomes one
    # the homeserver cannot use (its database was replaced, say).
    await in_thread(bob.redact, room, doomed)
    stale = Store(store_path)
    stale.set_cursor("mx", "m42~7.s9_not_a_sync_token")
    stale.close()

    second = session()
    changes: list[object] = []
    second.add_listener(changes.append)
    second.load_cached()
    assert [m.body for m in second.store.messages(key)] == [
        "deleted while we were away",
        "still here",
    ]
    await second.start()
    await until(lambda: any(isinstance(c, HistoryRefetched) for c in changes), "the refetch")
    # The text is gone; what stays is its tombstone ("message deleted").
    assert [(m.kind, m.body) for m in second.store.messages(key)] == [
        ("deleted", ""),
        ("text", "still here"),
    ]
    cursor = second.store.cursor("mx")
    assert cursor and cursor != "m42~7.s9_not_a_sync_token"
    await in_thread(bob.send_text, room, "live again")
    await until(
        lambda: second.inbox.get(key).last_message.body == "live again", "live after the refetch"
    )
    await second.stop()
