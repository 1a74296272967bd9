"""The local adapter against the real reference server over loopback HTTP."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import pytest

from chatui.backends.base import (
    AuthError,
    BadRequestError,
    NoSuchUserError,
    NotFoundError,
    PermissionDeniedError,
)
from chatui.backends.local import LocalBackend, register
from chatui.core.models import (
    AccountConfig,
    ConnectionChanged,
    ConnectionState,
    Event,
    MessageReceived,
    MessageRedacted,
    ReadMarkerMoved,
    ThreadUpdated,
)
from chatui.server.db import Database
from chatui.server.runner import ServerThread
from tests.conftest import make_user

pytestmark = pytest.mark.timeout(90)


def config(server: ServerThread, username: str) -> AccountConfig:
    return AccountConfig(f"acct-{username}", "local", server.url, username, "L", "#87d75f")


@contextlib.asynccontextmanager
async def account(server: ServerThread, username: str) -> AsyncIterator[LocalBackend]:
    """A registered user's backend, restored from its token like a stored account."""
    credentials = make_user(server, username)
    backend = LocalBackend(config(server, username))
    await backend.restore(credentials.token)
    try:
        yield backend
    finally:
        await backend.close()


class Recorder:
    """Consumes ``backend.events()`` in a task; tests wait for what they expect."""

    def __init__(self, backend: LocalBackend, since: str | None = None) -> None:
        self.events: list[Event] = []
        self._changed = asyncio.Condition()
        self._task = asyncio.create_task(self._run(backend.events(since)))

    async def _run(self, stream: AsyncIterator[Event]) -> None:
        async for event in stream:
            async with self._changed:
                self.events.append(event)
                self._changed.notify_all()

    async def wait_for(self, done: Callable[[list[Event]], bool], timeout: float = 30) -> None:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: done(self.events))

    async def connected(self, times: int = 1) -> None:
        await self.wait_for(lambda events: self.states().count(ConnectionState.CONNECTED) >= times)

    def states(self) -> list[ConnectionState]:
        return [e.state for e in self.events if isinstance(e, ConnectionChanged)]

    def bodies(self) -> list[str]:
        return [e.message.body for e in self.events if isinstance(e, MessageReceived)]

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


# --- session -------------------------------------------------------------------------


async def test_login_restore_and_whoami(server: ServerThread) -> None:
    made = make_user(server, "alice")
    backend = LocalBackend(config(server, "alice"))
    try:
        credentials = await backend.login("alice", "pw-alice")
        assert (credentials.user_id, credentials.username) == (made.user_id, "alice")
        assert credentials.token and credentials.token != made.token
        identity = await backend.whoami()
        assert (identity.user_id, identity.username) == (made.user_id, "alice")
        with pytest.raises(AuthError):
            await backend.login("alice", "wrong password")
    finally:
        await backend.close()

    restored = LocalBackend(config(server, "alice"))
    try:
        identity = await restored.restore(credentials.token)
        assert identity.username == "alice"
        with pytest.raises(AuthError):
            await restored.restore("not-a-token")
    finally:
        await restored.close()


async def test_register(server: ServerThread) -> None:
    credentials = await register(server.url, "carol", "pw-carol-123")
    assert credentials.username == "carol" and credentials.token
    with pytest.raises(BadRequestError, match="taken"):
        await register(server.url, "carol", "another-pw")
    with pytest.raises(BadRequestError):
        await register(server.url, "Not Valid!", "pw-whatever")


async def test_register_is_refused_when_closed(tmp_path) -> None:
    with ServerThread(tmp_path / "closed.db") as closed, pytest.raises(PermissionDeniedError):
        await register(closed.url, "dave", "pw-dave-123")


async def test_a_login_for_an_unknown_name_is_its_own_error_only_with_open_registration(
    server: ServerThread, tmp_path
) -> None:
    """The CLI words "no such user — add --register" from this error alone, so a
    server with closed registration must not produce it."""
    backend = LocalBackend(config(server, "zed"))
    try:
        with pytest.raises(NoSuchUserError, match="no user named 'zed'") as unknown:
            await backend.login("zed", "pw-zed")
        assert isinstance(unknown.value, AuthError)  # still a refused login everywhere
        assert unknown.value.code == "no_such_user"
    finally:
        await backend.close()

    with ServerThread(tmp_path / "closed.db") as closed:
        backend = LocalBackend(config(closed, "zed"))
        try:
            with pytest.raises(AuthError, match="wrong username or password") as generic:
                await backend.login("zed", "pw-zed")
            assert not isinstance(generic.value, NoSuchUserError)
        finally:
            await backend.close()


# --- threads and messages ------------------------------------------------------------


async def test_create_thread_and_list_threads(server: ServerThread) -> None:
    async with account(server, "alice") as alice, account(server, "bob") as bob:
        thread = await alice.create_thread(["bob"], title="Plans")
        assert thread.account_id == "acct-alice"
        assert thread.title == "Plans"
        assert set(thread.members) == {"alice", "bob"}
        assert thread.created_ts > 0

        assert [t.thread_id for t in await alice.threads()] == [thread.thread_id]
        seen_by_bob = await bob.threads()
        assert [t.thread_id for t in seen_by_bob] == [thread.thread_id]
        assert seen_by_bob[0].account_id == "acct-bob"

        with pytest.raises(BadRequestError, match="nobody"):
            await alice.create_thread(["nobody"])


async def test_send_is_idempotent_by_txn_id(server: ServerThread) -> None:
    async with account(server, "alice") as alice, account(server, "bob"):
        thread = await alice.create_thread(["bob"])
        first = await alice.send(thread.thread_id, "hello bob", "txn-1")
        again = await alice.send(thread.thread_id, "hello bob", "txn-1")
        assert again.message_id == first.message_id
        assert first.sender == "alice" and first.txn_id == "txn-1" and first.body == "hello bob"
        history = await alice.history(thread.thread_id)
        assert [m.message_id for m in history] == [first.message_id]
        listed = (await alice.threads())[0]
        assert listed.last_message is not None
        assert listed.last_message.message_id == first.message_id


async def test_history_pages_backwards_oldest_first(server: ServerThread) -> None:
    async with account(server, "alice") as alice, account(server, "bob"):
        thread = await alice.create_thread(["bob"])
        server.database.add_messages_bulk(
            (thread.thread_id, "bob" if i % 2 else "alice", f"message {i}", 1_000_000 + i)
            for i in range(120)
        )
        pages: list[list[str]] = []
        before = None
        while True:
            page = await alice.history(thread.thread_id, before=before, limit=50)
            if not page:
                break
            pages.append([m.body for m in page])
            before = page[0].message_id
        assert [len(p) for p in pages] == [50, 50, 20]
        assert pages[0] == [f"message {i}" for i in range(70, 120)]
        assert pages[2] == [f"message {i}" for i in range(20)]
        with pytest.raises(NotFoundError):
            await alice.history("t999999")


async def test_redact_own_message_but_not_anothers(server: ServerThread) -> None:
    async with account(server, "alice") as alice, account(server, "bob") as bob:
        thread = await alice.create_thread(["bob"])
        mine = await alice.send(thread.thread_id, "oops", "txn-a")
        theirs = await bob.send(thread.thread_id, "keep me", "txn-b")
        await alice.redact(thread.thread_id, mine.message_id)
        with pytest.raises(PermissionDeniedError):
            await alice.redact(thread.thread_id, theirs.message_id)
        # Unsent, it stays in its place as a tombstone without its text.
        history = await bob.history(thread.thread_id)
        assert [(m.message_id, m.kind, m.body) for m in history] == [
            (mine.message_id, "deleted", ""),
            (theirs.message_id, "text", "keep me"),
        ]
        assert history[0].deleted and not history[1].deleted


async def test_mark_read_resets_unread(server: ServerThread) -> None:
    async with account(server, "alice") as alice, account(server, "bob") as bob:
        thread = await alice.create_thread(["bob"])
        sent = [await bob.send(thread.thread_id, f"ping {i}", f"txn-{i}") for i in range(3)]
        assert (await alice.threads())[0].unread == 3
        await alice.mark_read(thread.thread_id, sent[1].message_id)
        assert (await alice.threads())[0].unread == 1
        await alice.mark_read(thread.thread_id, sent[2].message_id)
        assert (await alice.threads())[0].unread == 0


# --- the live stream -----------------------------------------------------------------


async def test_live_events_from_another_user(server: ServerThread) -> None:
    async with account(server, "alice") as alice, account(server, "bob") as bob:
        recorder = Recorder(alice)
        try:
            await recorder.connected()
            assert recorder.states()[:2] == [ConnectionState.CONNECTING, ConnectionState.CONNECTED]

            thread = await bob.create_thread(["alice"], title="Lunch?")
            message = await bob.send(thread.thread_id, "noon at the usual place?", "txn-1")
            await recorder.wait_for(lambda _: "noon at the usual place?" in recorder.bodies())

            created = next(e for e in recorder.events if isinstance(e, ThreadUpdated))
            assert created.thread.title == "Lunch?"
            assert created.thread.account_id == "acct-alice"
            received = next(e for e in recorder.events if isinstance(e, MessageReceived))
            assert received.message.message_id == message.message_id
            assert received.message.sender == "bob"
            assert received.message.account_id == "acct-alice"
            assert received.cursor

            await alice.mark_read(thread.thread_id, message.message_id)
            await bob.redact(thread.thread_id, message.message_id)
            await recorder.wait_for(
                lambda events: any(isinstance(e, MessageRedacted) for e in events)
            )
            read = next(e for e in recorder.events if isinstance(e, ReadMarkerMoved))
            assert (read.user, read.message_id) == ("alice", message.message_id)
            redacted = next(e for e in recorder.events if isinstance(e, MessageRedacted))
            assert redacted.message_id == message.message_id
        finally:
            await recorder.stop()


async def test_the_stream_resumes_after_a_server_restart_without_gaps_or_duplicates(
    server: ServerThread,
) -> None:
    db_path, port = server.db_path, server.port
    async with account(server, "alice") as alice, account(server, "bob") as bob:
        alice.backoff_cap = 1.0  # keep the test quick; the backoff logic is the same
        thread = await bob.create_thread(["alice"])
        recorder = Recorder(alice)
        restarted: ServerThread | None = None
        try:
            await recorder.connected()
            await bob.send(thread.thread_id, "before 1", "b1")
            await bob.send(thread.thread_id, "before 2", "b2")
            await recorder.wait_for(lambda _: len(recorder.bodies()) == 2)

            server.stop()
            await recorder.wait_for(lambda _: ConnectionState.RECONNECTING in recorder.states())
            # While the server is down: written straight into its database.
            offline = Database(db_path)
            try:
                for i in (1, 2, 3):
                    offline.add_message(thread.thread_id, "bob", f"while down {i}")
            finally:
                offline.close()

            restarted = ServerThread(db_path, port=port, open_registration=True).start()
            await recorder.connected(times=2)
            await bob.send(thread.thread_id, "after 1", "a1")
            await recorder.wait_for(lambda _: "after 1" in recorder.bodies())
        finally:
            await recorder.stop()
            if restarted is not None:
                restarted.stop()

    assert recorder.bodies() == [
        "before 1",
        "before 2",
        "while down 1",
        "while down 2",
        "while down 3",
        "after 1",
    ]
    states = recorder.states()
    assert states[:2] == [ConnectionState.CONNECTING, ConnectionState.CONNECTED]
    assert ConnectionState.RECONNECTING in states and states[-1] is ConnectionState.CONNECTED
    waits = [
        e
        for e in recorder.events
        if isinstance(e, ConnectionChanged) and e.state is ConnectionState.RECONNECTING
    ]
    # Each says why, and when the next try is due (the status bar counts it down).
    assert all(e.detail and e.retry_at is not None for e in waits), waits
    cursors = [e.cursor for e in recorder.events if isinstance(e, MessageReceived)]
    assert len(set(cursors)) == len(cursors)


async def test_an_unknown_cursor_falls_back_to_now(server: ServerThread) -> None:
    # E.g. the server's database was reset: the old cursor can never work again.
    async with account(server, "alice") as alice, account(server, "bob") as bob:
        alice.backoff_base = 0.05
        thread = await bob.create_thread(["alice"])
        recorder = Recorder(alice, since="0000-12345")
        try:
            await recorder.connected()
            await bob.send(thread.thread_id, "still reachable", "t1")
            await recorder.wait_for(lambda _: "still reachable" in recorder.bodies())
        finally:
            await recorder.stop()
    assert recorder.states()[:3] == [
        ConnectionState.CONNECTING,
        ConnectionState.RECONNECTING,
        ConnectionState.CONNECTED,
    ]
