"""``chatui`` with no command: open the app on the profile's linked accounts.

This is the only place where config, token store, backends and the app meet.
An account whose token cannot be read (or whose backend is not installed) does
not stop the others: it is shown in the status bar in an error state with the
reason, so the user sees what to fix while still chatting on the rest.

The window comes first: only the config is read before the app's first frame.
Finding each account's adapter and reading its token happen when the app starts
the session, right after that frame (see :class:`LaunchSession`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sqlite3
import sys
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
    import argparse
    from types import SimpleNamespace

    from chatui.profile.folders import Profile
    from chatui.storage.store import Store

log = logging.getLogger(__name__)


def run_linked_accounts(args: argparse.Namespace | SimpleNamespace) -> int:
    """Run the app; returns the process exit code (2: unusable config).

    ``args.gc_paused`` (set by ``chatui.cli``): the garbage collector was turned off
    for the start; it is turned back on after the app's first frame (when the
    session starts), or at the latest when this returns.
    """
    gc_paused = bool(getattr(args, "gc_paused", False))
    try:
        return _run_linked_accounts(args, gc_paused)
    finally:
        if gc_paused:
            gc.enable()


def _run_linked_accounts(args: argparse.Namespace | SimpleNamespace, gc_paused: bool) -> int:
    from chatui.profile.config import ConfigError, load_accounts
    from chatui.profile.folders import Profile

    profile = Profile.resolve(getattr(args, "config_dir", None))
    try:
        accounts = load_accounts(profile)
    except ConfigError as err:
        print(f"chatui: {err}", file=sys.stderr)
        return 2

    from chatui.profile.lock import LOCK_NAME, ProfileInUse, ProfileLock

    # Before the store is opened: one running app per profile (chatui.profile.lock).
    lock = ProfileLock(profile.data_dir / LOCK_NAME)
    try:
        lock.acquire()
    except ProfileInUse as err:
        print(f"chatui: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        # An unwritable data folder: the store cannot open either, so this run keeps
        # nothing on disk that a second app could fight over (see open_store).
        log.warning("no profile lock at %s (%s)", lock.path, err)
    try:
        return _run_app(args, profile, accounts, gc_paused)
    finally:
        lock.release()


def _run_app(
    args: argparse.Namespace | SimpleNamespace,
    profile: Profile,
    accounts: Sequence[AccountConfig],
    gc_paused: bool,
) -> int:
    from chatui.ui.app import ChatApp

    if not accounts and gc_paused:
        gc.enable()  # the first-run screen: no list to hurry
    session = LaunchSession(profile, accounts, resume_gc=gc_paused) if accounts else None
    app = ChatApp(session, profile)
    result = app.run()

    from chatui.ui.screens.first_run import DEMO

    if result == DEMO:
        from chatui.demo.command import run_demo

        gc.enable()
        # The demo's own flags were not given on this path: use its defaults.
        vars(args).setdefault("reset", False)
        return int(run_demo(args) or 0)
    return app.return_code or 0


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

    async def start(self) -> None:
        if self._resume_gc:
            # The first frame is drawn (the app starts the session after it): the
            # garbage collector, paused for the start by chatui.cli, runs again.
            gc.enable()
        configs = [linked.config for linked in self.linked.values()]
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
    from chatui.backends.registry import make_backend
    from chatui.profile.tokens import TokenStoreError, load_token

    try:
        backend = make_backend(account)
    except BackendError as err:
        return LinkedAccount(account, UnusableBackend(account, str(err)), "")
    try:
        token = load_token(profile, account)
    except TokenStoreError as err:
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
