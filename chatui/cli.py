"""The ``chatui`` command line.

Each subcommand lives with the code it drives (server/, accounts/, demo/); this
module only wires them together, so ``chatui --help`` stays the one map of them.
Heavy imports (Textual, Starlette) happen inside the handlers, so that
``chatui account list`` answers fast.

The common case, ``chatui`` alone (or with ``--config-dir DIR``), opens the app
without building the parser at all: argparse, gettext and every subcommand's
module (the account commands pull in tomli_w, getpass, hashlib, the backend
registry) cost ~7-12 ms before the window's first frame (bench/startup.py), for
arguments that need no parsing. Anything else — ``--help``, a command, a typo —
goes through the full parser, so its answers and errors are unchanged. On that
path the garbage collector also rests until the app's first frame (see main).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

from chatui import __version__


def build_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="chatui",
        description=(
            "A terminal chat client: one merged thread list across every linked account, "
            "shared chat themes, emoji, and vanish mode. "
            "Run without a command to open the app on your linked accounts "
            "(F1 in the app lists its keys)."
        ),
        epilog=(
            'Settings beside config.toml: [display] emoji = "glyph" | "shortcode" | "exact", '
            "[display] theme = NAME (a chat theme for conversations without one), "
            "[display] app_theme = NAME (the app's own colors; kept when chosen with "
            "Ctrl+P), [display] send_typing = false (never tell others you are typing), "
            '[keys] ACTION = "KEYS" (e.g. react = "ctrl+e"; the ids are in '
            "the README); your own chat themes go in the themes/ folder there."
        ),
    )
    parser.add_argument("--version", action="version", version=f"chatui {__version__}")
    parser.add_argument(
        "--config-dir",
        metavar="DIR",
        help=(
            "use DIR for config.toml and DIR/data for local data instead of the platform "
            "folders (also: CHATUI_CONFIG_DIR); keeps profiles and tests isolated"
        ),
    )
    parser.set_defaults(func=_run_app)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    from chatui.demo.command import add_demo_parser
    from chatui.profile.command import add_account_parser
    from chatui.server.command import add_serve_parser

    add_demo_parser(commands, _run_demo)
    add_serve_parser(commands)
    add_account_parser(commands)
    return parser


def _run_app(args: argparse.Namespace | SimpleNamespace) -> int:
    from chatui.main import run_linked_accounts

    return run_linked_accounts(args)


def _run_demo(args: argparse.Namespace) -> int:
    from chatui.main import run_demo

    return run_demo(args)


def app_only_args(argv: Sequence[str]) -> SimpleNamespace | None:
    """``argv`` parsed, if it only opens the app (``[--config-dir DIR]``); else None.

    Accepts exactly what the full parser reads the same way: nothing,
    ``--config-dir DIR`` or ``--config-dir=DIR`` (once, DIR not empty and not
    looking like an option). The result has what ``_run_app`` reads off the
    parser's namespace.
    """
    match list(argv):
        case []:
            return SimpleNamespace(config_dir=None, func=_run_app)
        case ["--config-dir", value] if value and not value.startswith("-"):
            return SimpleNamespace(config_dir=value, func=_run_app)
        case [flag] if flag.startswith("--config-dir=") and len(flag) > len("--config-dir="):
            return SimpleNamespace(config_dir=flag.partition("=")[2], func=_run_app)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args: argparse.Namespace | SimpleNamespace | None
    args = app_only_args(sys.argv[1:] if argv is None else argv)
    if args is None:
        args = build_parser().parse_args(argv)
    elif gc.isenabled():
        # Opening the app: no garbage collection until its first frame is drawn
        # (chatui.main turns it back on). Starting up allocates a great many
        # long-lived objects (modules, classes, styles) and frees almost nothing,
        # so the collector's ~90 passes over them found little and cost ~6-12 ms
        # of the first frame (bench/startup.py). Then ChatApp freezes what exists.
        gc.disable()
        args.gc_paused = True
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
