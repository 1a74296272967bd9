"""Linking an account: what ``chatui account add`` and the app's account form both do.

One order, so that a failure leaves nothing half-done (the CLI's module docstring,
:mod:`chatui.profile.command`, says why):

1. :func:`resolve_server` and :func:`describe_account` — the account asked for,
   checked, with its defaults (id, label, color); only Matrix's ``.well-known``
   lookup touches the network;
2. :func:`check_can_keep` — the token store can take a token now and
   ``config.toml`` can be written;
3. :func:`sign_in` — log in, or create the account (``register``);
4. :func:`keep` — store the token, then write ``config.toml`` (the token is
   removed again if that write fails).

The CLI runs the steps one by one, because it asks for the password between 2 and 3
and prints between 3 and 4; the form runs them all at once through
:func:`add_account`, off the UI's thread. :func:`log_in_again` gives an account
already linked a new token after the server refused the old one.

Every refusal is a :class:`LinkError` in one line for the user. The two callers
name what the user gave differently (the CLI by its options, the form by its
fields), so the messages take those names from a :class:`Words`.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from chatui.backends.base import BackendError, NoSuchUserError
from chatui.backends.registry import backend_class, make_backend
from chatui.core.models import AccountConfig, Credentials
from chatui.profile import labels, registration
from chatui.profile.config import ConfigError, is_valid_account_id, load_accounts, save_accounts
from chatui.profile.folders import Profile
from chatui.profile.tokens import (
    SecretServiceUnavailable,
    TokenStoreError,
    check_token_store,
    delete_token,
    store_token,
)


@dataclass(frozen=True)
class Words:
    """How a caller names what the user gave, so that one check reads right in each.

    The defaults are the CLI's options; the account form passes its field labels.
    """

    server: str = "--server"
    username: str = "--username"
    matrix_user: str = "--user"
    user_example: str = "--user @alice:example.org"
    homeserver_example: str = "--homeserver https://matrix.example.org"
    add_register: str = "add --register"
    """Advice for a name the server does not know: how to create it instead."""
    without_register: str = "leave out --register"
    """Advice for a taken name that may be the user's own: how to log in instead."""
    register_only_local: str = "then link without --register"
    """After "sign up with the server's own client or website": how to link it."""
    link_created: str = "link it without --register"
    """After a created account could not be kept here: how to link it."""


CLI_WORDS = Words()


class LinkError(Exception):
    """Why the account was not linked (or not logged in again), in one line.

    ``usage``: what was asked cannot be done as asked (the CLI exits with 2), rather
    than tried and failed (exit 1). Nothing was changed unless the message says so.
    """

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


class NoKeyring(LinkError):
    """The system keyring cannot take the token (no Secret Service answers);
    ``reason`` says why. Choosing the 0600 file store instead is the way on."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"cannot keep the access token in the system keyring: {reason}", usage=True
        )
        self.reason = reason


@dataclass(frozen=True)
class AccountRequest:
    """What the user asked to link. ``server`` may be empty for Matrix (found from
    the user id's server); ``label``, ``color`` and ``account_id`` default when None."""

    kind: str
    server: str
    username: str
    register: bool = False
    token_store: str = "keyring"
    label: str | None = None
    color: str | None = None
    account_id: str | None = None


@dataclass(frozen=True)
class SignedIn:
    """A login (or a new account) that worked: the account as the server spells its
    user, and the token to keep."""

    account: AccountConfig
    token: str = field(repr=False)


def default_token_store(existing: Sequence[AccountConfig]) -> str:
    """Where a new account's token goes by default: the keyring, as ``account add``
    does, unless every account of the profile keeps its token in a file (a machine
    without a Secret Service, where the user chose the file store already)."""
    if existing and all(a.token_store == "file" for a in existing):
        return "file"
    return "keyring"


def names_account(request: AccountRequest, account: AccountConfig) -> bool:
    """Whether ``request`` asks for ``account``, already linked: the same kind, server
    and user once written as :func:`describe_account` writes them (a Matrix server
    left to discovery is not found here)."""
    server = request.server.strip().rstrip("/")
    username = request.username.strip()
    if request.kind == "local":
        username = username.lower()
    return (request.kind, server, username) == (account.kind, account.server, account.username)


# --- 1. the account asked for ----------------------------------------------------------


async def resolve_server(request: AccountRequest, words: Words = CLI_WORDS) -> str:
    """The server's base URL; for Matrix found by ``.well-known`` discovery when needed."""
    if request.register and request.kind != "local":
        # Before any discovery: nothing goes over the network for a request that
        # cannot be done.
        raise LinkError(
            f"{_flag(words.add_register)} creates accounts on chatui servers (local) only; "
            f"for {request.kind}, sign up with the server's own client or website, "
            f"{words.register_only_local}",
            usage=True,
        )
    server = request.server.strip()
    if request.kind != "matrix":
        if not server:
            raise LinkError(f"{words.server} URL is required", usage=True)
        return server
    from chatui.backends.matrix.discovery import discover, looks_like_url
    from chatui.backends.matrix.rooms import server_name

    user = request.username.strip()
    if user.startswith("@") and server_name(user) is None:
        raise LinkError(
            f"{words.matrix_user} {user!r} is not a Matrix user id (like @alice:example.org)",
            usage=True,
        )
    if looks_like_url(server):
        return server  # used as given; the login that follows checks it
    name = server or server_name(user)
    if not name:
        raise LinkError(
            f"give the full user id ({words.user_example}) or the "
            f"homeserver ({words.homeserver_example})",
            usage=True,
        )
    try:
        return await discover(name)
    except BackendError as err:
        raise LinkError(str(err)) from err


def describe_account(
    request: AccountRequest, existing: Sequence[AccountConfig], words: Words = CLI_WORDS
) -> AccountConfig:
    """The account ``request`` asks for (its server resolved already), with defaults
    filled in; LinkError when it cannot be linked as asked.

    A local username is lower-cased (the reference server's names are lower case,
    docs/server.md): a caller compares ``username`` to say which one is linked.
    """
    server = request.server.strip().rstrip("/")
    parts = urlsplit(server)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LinkError(
            f"{words.server} must be an http:// or https:// URL, not {request.server!r}",
            usage=True,
        )
    username = request.username.strip()
    if not username:
        raise LinkError(f"{words.username} must not be empty", usage=True)
    kind = request.kind
    if kind == "local":
        username = username.lower()
    try:
        backend_class(kind)
    except BackendError as err:
        raise LinkError(str(err), usage=True) from err

    for account in existing:
        if (account.kind, account.server, account.username) == (kind, server, username):
            raise LinkError(
                f"{username} on {server} is already linked as {account.account_id!r} "
                f"(remove it first with 'chatui account remove {account.account_id}')",
                usage=True,
            )
    taken_ids = [a.account_id for a in existing]
    if request.account_id is None:
        account_id = labels.default_account_id(kind, server, _id_name(kind, username), taken_ids)
    elif not is_valid_account_id(request.account_id):
        raise LinkError(
            f"--id {request.account_id!r}: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
            usage=True,
        )
    elif request.account_id.lower() in {t.lower() for t in taken_ids}:
        raise LinkError(
            f"an account with id {request.account_id!r} is already linked; pick another --id",
            usage=True,
        )
    else:
        account_id = request.account_id
    label = request.label or labels.default_label(
        _id_name(kind, username), [a.label for a in existing]
    )
    if not label.strip() or not label.isprintable():
        raise LinkError("--label must be printable text", usage=True)
    color = request.color or labels.default_color([a.color for a in existing])
    if not _is_color(color):
        raise LinkError(
            f"--color {color!r} is not a color (try #5fafff or a name like magenta)", usage=True
        )
    account = AccountConfig(
        account_id=account_id,
        kind=kind,
        server=server,
        username=username,
        label=label,
        color=color,
        token_store=request.token_store,
    )
    if request.register and (problem := registration.username_problem(username, words.username)):
        raise LinkError(problem, usage=True)
    return account


def _flag(add_register: str) -> str:
    """ "--register" out of "add --register"; the form's words stand as they are."""
    return add_register.removeprefix("add ")


def _id_name(kind: str, username: str) -> str:
    """The part of the user name that goes into default ids and labels."""
    if kind == "matrix" and username.startswith("@"):
        return username[1:].split(":", 1)[0] or username
    return username


def _is_color(text: str) -> bool:
    from rich.color import Color, ColorParseError

    try:
        Color.parse(text)
    except ColorParseError:
        return False
    return True


# --- 2. can it be kept? -----------------------------------------------------------------


def check_can_keep(profile: Profile, token_store: str) -> None:
    """Raise unless a token can be kept in ``token_store`` and ``config.toml``
    written: decided before any password is sent. Talks to the keyring (D-Bus):
    call it off the UI's thread."""
    try:
        check_token_store(profile, token_store)
    except SecretServiceUnavailable as err:
        raise NoKeyring(str(err)) from err
    except TokenStoreError as err:
        raise LinkError(f"cannot store tokens: {err}", usage=True) from err
    # A token kept for an account no config names is of no use, and the server would
    # have issued it for nothing.
    unwritable = _unwritable_config(profile)
    if unwritable:
        raise LinkError(unwritable, usage=True)


def _unwritable_config(profile: Profile) -> str:
    """Why config.toml cannot be written in ``profile`` ("" when it can).

    Tried for real (permissions say little to root, or on a read-only or special
    file system): the missing folders are made, a file is written in the last one,
    and everything made is removed again, so that a refused login leaves nothing.
    """
    folder = profile.config_dir
    missing: list[Path] = []
    existing = folder
    while not existing.exists() and existing != existing.parent:
        missing.append(existing)
        existing = existing.parent
    try:
        for path in reversed(missing):
            path.mkdir()
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        return f"cannot use the config folder {folder}: {err.strerror or err}"
    finally:
        for path in missing:
            with contextlib.suppress(OSError):
                path.rmdir()
    return ""


# --- 3. log in, or create the account ----------------------------------------------------


async def sign_in(
    account: AccountConfig, password: str, *, register: bool, words: Words = CLI_WORDS
) -> SignedIn:
    """Log in as ``account`` (or create it, ``register``); LinkError in the user's
    words for a wrong password, an unknown name, a closed server, a taken name or a
    server that cannot be reached. Nothing is kept here yet."""
    try:
        if register:
            credentials = await registration.register(account, password, words.without_register)
        else:
            credentials = await _login(account, password)
    except registration.RegistrationRefused as err:  # closed, taken, unreachable
        raise LinkError(str(err)) from err
    except BackendError as err:  # wrong password, server down
        # Only a server where anyone may register says so; there registering is the way.
        reason = (
            f"no such user — {words.add_register} to create it"
            if isinstance(err, NoSuchUserError)
            else err
        )
        raise LinkError(
            f"login to {account.server} as {shown(account.username)} failed: {reason}"
        ) from err
    if credentials.username and credentials.username != account.username:
        account = replace(account, username=credentials.username)
    return SignedIn(account, credentials.token)


async def _login(account: AccountConfig, password: str) -> Credentials:
    backend = make_backend(account)
    try:
        return await backend.login(account.username, password)
    finally:
        await backend.close()


# --- 4. keep it --------------------------------------------------------------------------


def keep(
    profile: Profile, signed_in: SignedIn, *, created: bool = False, words: Words = CLI_WORDS
) -> AccountConfig:
    """Store the token, then add the account to ``config.toml``; the token is removed
    again if that write fails. ``created``: the account was just made on the server
    (a failure here then says how to link it). Talks to the keyring: call it off the
    UI's thread. Returns the account as written."""
    account = signed_in.account
    left = (
        f" (the account {account.username} exists on the server now: {words.link_created})"
        if created
        else ""
    )
    try:
        store_token(profile, account, signed_in.token)
    except TokenStoreError as err:
        raise LinkError(f"logged in, but could not store the token: {err}{left}") from err
    try:
        current = load_accounts(profile)  # re-read: another command may have run meanwhile
        if any(a.account_id == account.account_id for a in current):
            # Linked by a concurrent 'account add': the token is now theirs, keep it.
            raise LinkError(
                f"{account.account_id!r} was linked meanwhile by another chatui", usage=True
            )
        save_accounts(profile, [*current, account])
    except (ConfigError, OSError) as err:
        undo = ""
        try:
            delete_token(profile, account)
        except TokenStoreError as failed:
            undo = f"; the stored token could not be removed either: {failed}"
        reason = err.strerror if isinstance(err, OSError) and err.strerror else err
        raise LinkError(f"could not save {profile.config_file}: {reason}{left}{undo}") from err
    return account


# --- all at once, for the app ----------------------------------------------------------


async def add_account(
    profile: Profile, request: AccountRequest, password: str, words: Words
) -> SignedIn:
    """Steps 1 to 4 in order, the blocking ones (keyring, files) in a thread so that
    the caller's event loop goes on. Returns the account as linked and its token."""
    server = await resolve_server(request, words)
    request = replace(request, server=server)
    try:
        existing = await asyncio.to_thread(load_accounts, profile)
    except ConfigError as err:
        raise LinkError(str(err)) from err
    account = describe_account(request, existing, words)
    await asyncio.to_thread(check_can_keep, profile, account.token_store)
    signed_in = await sign_in(account, password, register=request.register, words=words)
    account = await asyncio.to_thread(
        keep, profile, signed_in, created=request.register, words=words
    )
    return SignedIn(account, signed_in.token)


async def log_in_again(
    profile: Profile, account: AccountConfig, password: str, words: Words
) -> str:
    """A new token for ``account``, already linked, whose token the server refused:
    log in and keep the new token where the old one was (``config.toml`` is left as
    it is). Returns the token."""
    try:
        await asyncio.to_thread(check_token_store, profile, account.token_store)
    except SecretServiceUnavailable as err:
        raise NoKeyring(str(err)) from err
    except TokenStoreError as err:
        raise LinkError(f"cannot store tokens: {err}") from err
    signed_in = await sign_in(account, password, register=False, words=words)
    try:
        await asyncio.to_thread(store_token, profile, account, signed_in.token)
    except TokenStoreError as err:
        raise LinkError(f"logged in, but could not store the token: {err}") from err
    return signed_in.token


def shown(text: str) -> str:
    """``text`` safe to print: control and format characters become '?'."""
    return "".join(
        "?" if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text
    )
