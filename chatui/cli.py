"""The ``chatui`` command line.

Each subcommand lives with the code it drives (server/, accounts/, demo/); this
module only wires them together, so ``chatui --help`` stays the one map of them.
Heavy imports (Textual, Starlette) happen inside the handlers, so that
``chatui account list`` answers fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from chatui import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chatui",
        description=(
            "A terminal chat client: one merged thread list across every linked account. "
            "Run without a command to open the app on your linked accounts."
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

    from chatui.accounts.commands import add_account_parser
    from chatui.demo.command import add_demo_parser
    from chatui.server.command import add_serve_parser

    add_demo_parser(commands)
    add_serve_parser(commands)
    add_account_parser(commands)
    return parser


def _run_app(args: argparse.Namespace) -> int:
    from chatui.ui.launch import run_linked_accounts

    return run_linked_accounts(args)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
