"""``chatui demo [--reset]``: the embedded default, for trying chatui with no account.

Two in-process reference servers (two "networks"), an account for the user on
each, a few contacts who answer live, and history to scroll through. The demo's
data stays in ``<data dir>/demo`` between runs; ``--reset`` starts it afresh.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chatui.demo.servers import DemoWorld
    from chatui.profile.folders import Profile


def add_demo_parser(
    commands: argparse._SubParsersAction, run: Callable[[argparse.Namespace], int]
) -> None:
    """The ``demo`` subcommand; ``run`` starts it (chatui.main.run_demo: the demo
    itself imports no UI)."""
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
    parser.set_defaults(func=run)


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
