"""``chatui account add|list|remove``: linking accounts from the command line.

``add`` never leaves anything half-done. Its order is: check the token store can
take a token (for the keyring: that a Secret Service really answers), ask for the
password, log in, store the token, and only then write ``config.toml`` — removing
the token again if that last write fails. So a box without a Secret Service gets a
clear choice before any password is typed, and a failed login leaves no trace.
``add --register`` creates the account instead of logging in (the password asked
twice, see :mod:`.registration`) and then links it the same way. The steps
themselves are :mod:`.linking`'s, which the app's account form runs too; this
command reads the options and the password and prints what happened.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from dataclasses import replace

from chatui.backends.base import Backend, BackendError
from chatui.backends.registry import backend_class, make_backend
from chatui.core.models import AccountConfig
from chatui.profile import linking, registration
from chatui.profile.config import TOKEN_STORES, ConfigError, load_accounts, save_accounts
from chatui.profile.folders import Profile
from chatui.profile.tokens import (
    KEYRING_SERVICE,
    TokenStoreError,
    delete_token,
    load_token,
    token_path,
)

EXIT_FAILED = 1  # the operation was tried and failed (login refused, server down...)
EXIT_USAGE = 2  # cannot start: bad arguments, or a missing part such as a keyring

_ADD_EPILOG = f"""\
The password is used once to log in and is never stored. The access token goes to
the system keyring (service "{KEYRING_SERVICE}", user = the account id), or with
--token-store file to DATA_DIR/tokens/ACCOUNT_ID.token, unencrypted, mode 0600.
Account settings (never secrets) are kept in config.toml in the config folder.

--register creates the account first, on a chatui server started with
--open-registration; the new password is asked twice (or read once with
--password-stdin).

Examples:
  chatui account add local --server http://127.0.0.1:8765 --username alice --register
  chatui account add local --server http://127.0.0.1:8765 --username alice
  chatui account add matrix --user @alice:example.org
  chatui account add matrix --user @alice:example.org --homeserver https://matrix.example.org
"""


def add_account_parser(commands: argparse._SubParsersAction) -> None:
    """Register ``chatui account`` and its subcommands on the top-level parser."""
    account = commands.add_parser(
        "account",
        help="link, list and unlink chat accounts",
        description="Link, list and unlink the chat accounts chatui shows in one inbox.",
    )
    account.set_defaults(func=lambda args: _missing_subcommand(account))
    sub = account.add_subparsers(title="account commands", metavar="ACTION")

    add = sub.add_parser(
        "add",
        help="log in to an account and link it",
        description="Log in to an account and link it to this profile.",
        epilog=_ADD_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add.add_argument(
        "kind", help='the kind of server: "local" for a chatui server, "matrix" for Matrix'
    )
    add.add_argument(
        "--server",
        "--homeserver",
        dest="server",
        metavar="URL",
        help="the server's base URL (required for local; for matrix it may be a bare "
        "server name, or left out to find the homeserver from the user id's server "
        "through .well-known)",
    )
    add.add_argument(
        "--username",
        "--user",
        dest="username",
        required=True,
        metavar="NAME",
        help="the user name (for matrix the full user id, e.g. @alice:example.org)",
    )
    add.add_argument(
        "--register",
        action="store_true",
        help="create the account on the server, then link it (local only, on a server "
        "started with --open-registration); asks for the new password twice",
    )
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password as one line from standard input instead of prompting",
    )
    add.add_argument(
        "--token-store",
        choices=TOKEN_STORES,
        default="keyring",
        help="where the access token is kept (default: keyring; file: a 0600 file, "
        "unencrypted, for machines without a Secret Service)",
    )
    add.add_argument("--label", help="the short tag shown on this account's threads")
    add.add_argument("--color", help="the label's color, e.g. #5fafff or magenta")
    add.add_argument(
        "--id", dest="account_id", metavar="ID", help="the account id (default: KIND-NAME)"
    )
    add.set_defaults(func=cmd_add)

    show = sub.add_parser("list", help="list linked accounts", description="List linked accounts.")
    show.set_defaults(func=cmd_list)

    remove = sub.add_parser(
        "remove",
        help="unlink an account and delete its token",
        description="Unlink an account: delete its stored token and its config entry.",
    )
    remove.add_argument("account_id", metavar="ID", help="the account id shown by 'account list'")
    remove.set_defaults(func=cmd_remove)


def _missing_subcommand(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


# --- add -------------------------------------------------------------------------------


class _Refused(Exception):
    """A reason not to go on, found before anything was changed (exit status 2)."""


def cmd_add(args: argparse.Namespace) -> int:
    profile = Profile.resolve(args.config_dir)
    request = linking.AccountRequest(
        kind=args.kind,
        server=args.server or "",
        username=args.username,
        register=args.register,
        token_store=args.token_store,
        label=args.label,
        color=args.color,
        account_id=args.account_id,
    )
    try:
        # 0. Where is the server? For Matrix this may ask the network (.well-known),
        # so it comes before anything is written and before the password is asked for.
        server = asyncio.run(linking.resolve_server(request))
        request = replace(request, server=server)
        try:
            existing = load_accounts(profile)
        except ConfigError as err:
            raise linking.LinkError(str(err)) from err
        account = linking.describe_account(request, existing)
        if account.username != request.username.strip():
            print(
                f"chatui account add: usernames on the reference server are lower case:"
                f" linking {linking.shown(account.username)}",
                file=sys.stderr,
            )
        # 1. Can the token be kept, and the config written? Decided before any
        # password is typed or sent.
        linking.check_can_keep(profile, account.token_store)
    except linking.NoKeyring as err:
        return _fail(_no_keyring_message(profile, err), EXIT_USAGE)
    except linking.LinkError as err:
        return _fail(str(err), EXIT_USAGE if err.usage else EXIT_FAILED)

    # 2. Log in, or create the account.
    try:
        password = _read_password(args, account)
    except _Refused as err:
        return _fail(str(err), EXIT_USAGE)
    except registration.RegistrationRefused as err:
        return _fail(str(err), EXIT_FAILED)
    if password is None:
        return _fail("no password given; nothing was changed")
    try:
        signed_in = asyncio.run(linking.sign_in(account, password, register=args.register))
    except linking.LinkError as err:  # wrong password, server down: nothing was written
        return _fail(str(err), EXIT_FAILED)
    account = signed_in.account
    if args.register:
        print(f"Created the account {account.username} on {account.server}.")

    # 3. Keep the token, 4. then the config (3 is undone if 4 fails).
    try:
        account = linking.keep(profile, signed_in, created=args.register)
    except linking.LinkError as err:
        return _fail(str(err), EXIT_USAGE if err.usage else EXIT_FAILED)

    print(
        f"Linked {account.account_id}: {linking.shown(account.username)} on {account.server} "
        f"(label {linking.shown(account.label)}, color {account.color})."
    )
    if account.token_store == "file":
        print(
            f"chatui: warning: the access token is stored UNENCRYPTED in "
            f"{token_path(profile, account)} (mode 0600, readable only by you and root). "
            "Anyone who can read that file can use this account.",
            file=sys.stderr,
        )
    else:
        print(
            f"The access token is in the system keyring "
            f'(service "{KEYRING_SERVICE}", user "{account.account_id}").'
        )
    return 0


def _read_password(args: argparse.Namespace, account: AccountConfig) -> str | None:
    """The password: one line of stdin, or asked on the terminal (twice for a new
    account). None when none was given; _Refused with no terminal to ask on."""
    if args.password_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
    elif not sys.stdin.isatty():
        # getpass would warn and read the password with echo on: refuse instead.
        raise _Refused(
            "no terminal to ask the password on; give it on standard input with"
            " --password-stdin (e.g. from a password manager)"
        )
    else:
        where = f"{account.username} on {account.server}"
        try:
            if args.register:
                password = registration.ask_new_password(
                    getpass.getpass,
                    lambda text: print(text, file=sys.stderr),
                    f"New password for {where}: ",
                )
            else:
                password = getpass.getpass(f"Password for {where}: ")
        except EOFError:
            return None
    return password or None


def _no_keyring_message(profile: Profile, err: linking.NoKeyring) -> str:
    return (
        f"{err}.\n"
        "Nothing was changed. Choose one:\n"
        "  1. install and start a Secret Service, e.g. gnome-keyring\n"
        "     (Debian/Ubuntu: apt install gnome-keyring; then in your session:\n"
        "      gnome-keyring-daemon --start --components=secrets) or KeePassXC with its\n"
        "     Secret Service integration, and run this command again; or\n"
        "  2. add --token-store file to keep the token UNENCRYPTED in a file that only you\n"
        f"     can read (mode 0600) in {profile.tokens_dir}"
    )


# --- list ------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    profile = Profile.resolve(args.config_dir)
    try:
        accounts = load_accounts(profile)
    except ConfigError as err:
        return _fail(str(err), EXIT_FAILED)
    if not accounts:
        print(
            "No linked accounts. Link one with:\n"
            "  chatui account add local --server URL --username NAME [--register]\n"
            "  chatui account add matrix --user @NAME:SERVER\n"
            "or try chatui on two demo servers with: chatui demo"
        )
        return 0
    header = ("ID", "KIND", "SERVER", "USER", "LABEL", "COLOR", "TOKEN STORE")
    rows = [
        tuple(
            linking.shown(value)
            for value in (
                a.account_id,
                a.kind,
                a.server,
                a.username,
                a.label,
                a.color,
                a.token_store,
            )
        )
        for a in accounts
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())
    return 0


# --- remove ----------------------------------------------------------------------------


def cmd_remove(args: argparse.Namespace) -> int:
    profile = Profile.resolve(args.config_dir)
    try:
        accounts = load_accounts(profile)
    except ConfigError as err:
        return _fail(str(err), EXIT_FAILED)
    found = [a for a in accounts if a.account_id == args.account_id]
    if not found:
        linked = ", ".join(a.account_id for a in accounts) or "none"
        return _fail(f"no linked account {args.account_id!r} (linked: {linked})", EXIT_FAILED)
    account = found[0]
    # Config first: if the write fails nothing changed; if the token deletion then
    # fails, the user is told exactly which secret is left and where.
    try:
        save_accounts(profile, [a for a in accounts if a is not account])
    except (ConfigError, OSError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else err
        return _fail(f"could not save {profile.config_file}: {reason}", EXIT_FAILED)
    _sign_out(profile, account)
    try:
        delete_token(profile, account)
    except TokenStoreError as err:
        where = (
            str(token_path(profile, account))
            if account.token_store == "file"
            else f'the keyring (service "{KEYRING_SERVICE}", user "{account.account_id}")'
        )
        return _fail(
            f"unlinked {account.account_id}, but its token could not be deleted: {err}\n"
            f"Delete it by hand from {where}.",
            EXIT_FAILED,
        )
    print(f"Removed {account.account_id} and its stored token.")
    return 0


def _sign_out(profile: Profile, account: AccountConfig) -> None:
    """Revoke the token on the server where the backend can (Matrix: the device
    goes away); best effort, because unlinking must work with the server down."""
    try:
        cls = backend_class(account.kind)
    except BackendError:
        return
    if cls.logout is Backend.logout:
        return  # nothing to revoke for this kind: no network call at all
    try:
        token = load_token(profile, account)
    except TokenStoreError:
        return

    async def sign_out() -> None:
        backend = make_backend(account)
        try:
            async with asyncio.timeout(15):
                await backend.restore(token)
                await backend.logout()
        finally:
            await backend.close()

    try:
        asyncio.run(sign_out())
    except (BackendError, TimeoutError) as err:
        print(
            f"chatui: warning: could not sign out on {account.server} ({err or 'timed out'}); "
            "the token is deleted here anyway",
            file=sys.stderr,
        )


# --- helpers ---------------------------------------------------------------------------


def _fail(message: str, status: int = EXIT_USAGE) -> int:
    print(f"chatui: {message}", file=sys.stderr)
    return status
