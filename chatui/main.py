"""Start-up wiring: what ``chatui`` and ``chatui demo`` run, and where the app meets
everything below it.

``chatui`` with no command opens the app on the profile's linked accounts. An
account whose token cannot be read (or whose backend is not installed) does not
stop the others: it is shown in the status bar in an error state with the reason,
so the user sees what to fix while still chatting on the rest.

The window comes first: only the config is read before the app's first frame.
Finding each account's adapter and reading its token happen when the app starts
the session, right after that frame (see :class:`~chatui.session.launch.LaunchSession`).

This module sits above the UI and the demo, so neither imports the other.
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from chatui.core.models import AccountConfig
from chatui.session.launch import LaunchSession

if TYPE_CHECKING:
    import argparse
    from types import SimpleNamespace

    from chatui.profile.folders import Profile

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
        gc.enable()
        # The demo's own flags were not given on this path: use its defaults.
        vars(args).setdefault("reset", False)
        return int(run_demo(args) or 0)
    return app.return_code or 0


def run_demo(args: argparse.Namespace | SimpleNamespace) -> int:
    """``chatui demo``: the demo's servers and contacts, then the app on them."""
    from chatui.demo.command import open_demo
    from chatui.profile.lock import ProfileInUse

    try:
        profile, world = open_demo(args)
    except ProfileInUse as err:
        print(f"chatui demo: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        # The folder itself (not the demo's data in it) cannot be used: starting the
        # demo afresh would fail the same way, so --reset is not offered.
        where = f" ({err.filename})" if err.filename else ""
        print(
            f"chatui demo: cannot use the demo's folder{where}: {err.strerror or err}",
            file=sys.stderr,
        )
        return 1
    except Exception as err:
        print(f"chatui demo: could not start the demo: {err}", file=sys.stderr)
        print("chatui demo: 'chatui demo --reset' starts it afresh", file=sys.stderr)
        return 1
    try:
        from chatui.session.launch import open_store
        from chatui.session.session import Session
        from chatui.ui.app import ChatApp

        store = open_store(world.home.root / "store.sqlite3")
        session = Session(world.linked_accounts(), store=store)
        # The demo's accounts are its own: none is added to the profile from here.
        app = ChatApp(session, profile, title="chatui demo", links_accounts=False)
        app.run()
        return app.return_code or 0
    finally:
        world.stop()
