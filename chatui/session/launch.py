"""The launcher's Session: accounts linked after the first frame.

:class:`LaunchSession` is the Session ``chatui`` runs: it opens the profile's
store at once (the list is drawn from it) and links each account — its adapter
through the entry points, its token from the keyring or token file — only when
the app starts it, after the first frame. An account that cannot be linked gets
an :class:`UnusableBackend` that says why.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sqlite3
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from chatui.backends.base import Backend, BackendError
from chatui.core.models import (
    AccountConfig,
    Credentials,
    Event,
    Identity,
    Message,
    Thread,
)
from chatui.session.session import LinkedAccount, Session

if TYPE_CHECKING:
    from chatui.profile.folders import Profile
    from chatui.storage.store import Store

log = logging.getLogger(__name__)


class LaunchSession(Session):
    """The launcher's Session: its accounts are linked when it starts.

    Linking an account — finding its adapter through the ``chatui.backends`` entry
    points, reading its token from the keyring or the token file — is not needed
    to draw the window, and it is not free: the entry-point scan imports
    ``importlib.metadata`` and reads every installed package's metadata (~20 ms),
    and a keyring read is a D-Bus round trip that may even wait for an unlock. The
    app starts the session after its first frame, so that is when this links them;
    until then each account holds a stand-in that only says it is not started.
    Linking runs in a thread, so that a slow keyring does not freeze the window.
    """

    def __init__(
        self, profile: Profile, accounts: Sequence[AccountConfig], *, resume_gc: bool = False
    ) -> None:
        super().__init__(
            [LinkedAccount(a, UnusableBackend(a, "not started yet"), "") for a in accounts],
            store=open_store(profile.data_dir / "store.sqlite3"),
        )
        self.profile = profile
        self._resume_gc = resume_gc
        # The accounts to link at start; one linked later (the account form) comes
        # with its backend and token already (see ready_account).
        self._to_link = [a.account_id for a in accounts]

    async def start(self) -> None:
        if self._resume_gc:
            # The first frame is drawn (the app starts the session after it): the
            # garbage collector, paused for the start by chatui.cli, runs again.
            gc.enable()
        configs = [self.linked[account_id].config for account_id in self._to_link]
        ready = await asyncio.to_thread(
            lambda: [link_account(self.profile, config) for config in configs]
        )
        for linked in ready:
            # Same LinkedAccount objects the Session holds: swap in what was found.
            held = self.linked[linked.config.account_id]
            held.backend, held.token = linked.backend, linked.token
        await super().start()


def open_store(path: Path) -> Store | None:
    """The profile's store; without one (unwritable, corrupt) the app runs from memory.

    It keeps a snapshot of the list's order for the next start (chatui.storage.order_snapshot):
    with 10,000 cached threads that makes the first frame ~5 ms sooner.
    """
    from chatui.storage.order_snapshot import SnapshotStore

    try:
        return SnapshotStore(path)
    except (OSError, sqlite3.Error, RuntimeError) as err:
        log.warning("no local store at %s (%s): nothing is cached this run", path, err)
        return None


def link_account(profile: Profile, account: AccountConfig) -> LinkedAccount:
    """The account ready for the Session, or a stand-in that reports why it is not."""
    from chatui.profile.tokens import TokenStoreError, load_token

    linked = ready_account(account, "")
    if isinstance(linked.backend, UnusableBackend):
        return linked  # no adapter for its kind: that is said first
    try:
        linked.token = load_token(profile, account)
    except TokenStoreError as err:
        return LinkedAccount(account, UnusableBackend(account, str(err)), "")
    return linked


def ready_account(account: AccountConfig, token: str) -> LinkedAccount:
    """``account`` with the token just issued for it (the account form's login), for
    :meth:`Session.link <chatui.session.session.Session.link>`."""
    from chatui.backends.registry import make_backend

    try:
        backend = make_backend(account)
    except BackendError as err:
        return LinkedAccount(account, UnusableBackend(account, str(err)), "")
    return LinkedAccount(account, backend, token)


class UnusableBackend(Backend):
    """An account that cannot start (no token, no adapter): every call says why.

    The Session treats it like a server that refuses us — the account shows
    ``error (reason)`` in the status bar — instead of the whole app refusing to
    start over one broken account.
    """

    kind = "unusable"

    def __init__(self, account: AccountConfig, reason: str) -> None:
        super().__init__(account)
        self.reason = reason

    def _fail(self) -> BackendError:
        return BackendError(self.reason)

    async def login(self, username: str, password: str) -> Credentials:
        raise self._fail()

    async def restore(self, token: str) -> Identity:
        raise self._fail()

    async def close(self) -> None:
        return None

    async def events(self, since: str | None = None) -> AsyncIterator[Event]:
        raise self._fail()
        yield  # pragma: no cover - makes this an async generator

    async def threads(self) -> list[Thread]:
        raise self._fail()

    async def history(
        self, thread_id: str, before: str | None = None, limit: int = 50
    ) -> list[Message]:
        raise self._fail()

    async def send(
        self, thread_id: str, body: str, txn_id: str, reply_to: str | None = None
    ) -> Message:
        raise self._fail()

    async def redact(self, thread_id: str, message_id: str) -> None:
        raise self._fail()

    async def mark_read(self, thread_id: str, message_id: str) -> None:
        raise self._fail()

    async def create_thread(self, members: Sequence[str], title: str | None = None) -> Thread:
        raise self._fail()
