"""``chatui serve``: run the reference server in the foreground.

Kept free of heavy imports (Starlette, uvicorn load only when the command runs), so
that building the ``chatui`` parser stays fast for every other command.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

DEFAULT_PORT = 8765


def default_db_path(config_dir: str | None = None) -> Path:
    """Where ``serve`` keeps its database unless ``--db`` is given.

    With a profile override (``--config-dir`` or ``CHATUI_CONFIG_DIR``) the data dir
    is ``CONFIG_DIR/data``, as for every other piece of chatui data, so separate
    profiles never share a server database; otherwise the platform's data dir.
    """
    override = config_dir or os.environ.get("CHATUI_CONFIG_DIR")
    if override:
        return Path(override).expanduser() / "data" / "server.db"
    from platformdirs import user_data_dir

    return Path(user_data_dir("chatui")) / "server.db"


def add_serve_parser(commands: Any) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "serve",
        help="run the chatui reference server",
        description=(
            "Run the chatui reference server (HTTP API v1, see /openapi.json) in the "
            "foreground until Ctrl+C."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (%(default)s)")
    parser.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help="port to listen on; 0 picks a free one"
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        type=Path,
        help="the SQLite database file (default: server.db in the chatui data dir)",
    )
    parser.add_argument(
        "--open-registration",
        action="store_true",
        help="let anyone create an account with POST /v1/register (closed by default)",
    )
    parser.set_defaults(func=_run)
    return parser


def _port(text: str) -> int:
    """A TCP port, 0-65535: refused by argparse in one line, before anything starts."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a port number (0-65535; 0 picks a free one)"
        )
    return port


def _run(args: argparse.Namespace) -> int:
    from chatui.server.runner import ServeError, serve

    db_path = args.db or default_db_path(getattr(args, "config_dir", None))
    try:
        serve(args.host, args.port, db_path, args.open_registration)
    except ServeError as err:
        print(f"chatui serve: {err}", file=sys.stderr)
        return 1
    return 0
