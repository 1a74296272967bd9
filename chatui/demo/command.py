"""``chatui demo [--reset]``: the embedded default, for trying chatui with no account.

Two in-process reference servers (two "networks"), an account for the user on
each, a few contacts who answer live, and history to scroll through. The demo's
data stays in ``<data dir>/demo`` between runs; ``--reset`` starts it afresh.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chatui.demo.servers import DemoWorld
    from chatui.profile.folders import Profile


def add_demo_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "demo",
        help="try chatui on two built-in demo networks with live contacts",
        description=(
            "Start two reference servers in-process on loopback, standing for two "
            "networks, with an account for you on each, a few contacts who answer "
            "live, and some history. Nothing is added to your own config or keyring; "
            "the demo keeps its data in its own folder in the chatui data folder."
        ),
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="forget the demo's data (its accounts, contacts and messages) and start afresh",
    )
    parser.set_defaults(func=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    """Run the demo until the user quits; returns the process exit code."""
    from chatui.profile.lock import ProfileInUse
    from chatui.session.session import Session

    try:
        profile, world = open_demo(args)
    except ProfileInUse as err:
        print(f"chatui demo: {err}", file=sys.stderr)
        return 1
    except Exception as err:
        print(f"chatui demo: could not start the demo: {err}", file=sys.stderr)
        print("chatui demo: 'chatui demo --reset' starts it afresh", file=sys.stderr)
        return 1
    try:
        from chatui.ui.app import ChatApp
        from chatui.ui.launch import open_store

        store = open_store(world.home.root / "store.sqlite3")
        session = Session(world.linked_accounts(), store=store)
        app = ChatApp(session, profile, title="chatui demo")
        app.run()
        return app.return_code or 0
    finally:
        world.stop()


def open_demo(args: argparse.Namespace) -> tuple[Profile, DemoWorld]:
    """Everything ``chatui demo`` starts before the app: ``--reset``, servers, bots.

    Returns the user's profile (for the app) and the started demo; stop it with
    ``world.stop()``, which also lets go of the demo's lock. Raises
    :class:`~chatui.profile.lock.ProfileInUse` if another demo runs on this profile.
    """
    from chatui.demo.home import DemoHome
    from chatui.demo.servers import DemoWorld
    from chatui.profile.folders import Profile
    from chatui.profile.lock import DEMO_LOCK_NAME, ProfileLock

    profile = Profile.resolve(getattr(args, "config_dir", None))
    home = DemoHome.for_profile(profile)
    # Taken before --reset: a second demo must not delete the running one's data.
    lock = ProfileLock(profile.data_dir / DEMO_LOCK_NAME, "The demo").acquire()
    try:
        if getattr(args, "reset", False):
            home.reset()
        home.prepare()
        _log_to_file(home.root / "demo.log")
        world = DemoWorld(home.root).start()
    except BaseException:
        lock.release()
        raise
    world.on_stop(lock.release)
    return profile, world


def _log_to_file(path) -> None:
    """Send warnings from the servers and bots to ``path``, not over the app's screen.

    Only when the program has no logging set up of its own (the ``chatui`` command);
    under pytest or an embedding program, their configuration wins.
    """
    root = logging.getLogger()
    if root.handlers:
        return
    try:
        handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
