"""``chatui account add local --register``: create the account on the server first.

What registering needs beyond a login, kept out of the account command itself: the
username rule checked before any password is typed, the new password asked twice
(a typo in a password nobody has used yet would lock the new account out at once),
and each way a server refuses a new account said in one line with what to do.
Registering goes through the local adapter's :func:`chatui.backends.local.register`;
the token it answers with is the new session, so no separate login follows.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from chatui.backends.base import BackendError, PermissionDeniedError
from chatui.core.models import AccountConfig, Credentials

PASSWORD_TRIES = 3
"""How often two differing passwords are forgiven before the command gives up."""

USERNAME_RULE = "use 1 to 32 characters from a-z, 0-9, '.', '_' and '-'"
"""API v1's username rule (chatui.core.wire.USERNAME_PATTERN) in words."""

CLOSED = (
    "this server does not take new accounts — ask its operator, "
    "or start it with --open-registration"
)


class RegistrationRefused(Exception):
    """Why no account was created, in one line; nothing was changed here."""


def username_problem(username: str, field: str = "--username") -> str:
    """Why ``username`` cannot be registered ("" when it can), asked before the
    password so that nobody types a new password twice for a name that cannot be.
    ``field``: what the caller calls the username (an option, a form's field)."""
    from chatui.core.wire import USERNAME_PATTERN

    if re.fullmatch(USERNAME_PATTERN[1:-1], username):
        return ""
    return f"{field} {username!r} cannot be registered: {USERNAME_RULE}"


def ask_new_password(
    ask: Callable[[str], str], say: Callable[[str], None], prompt: str
) -> str | None:
    """A new password, typed the same twice; None when none was typed.

    ``ask`` reads one answer without echo (``getpass.getpass`` on a terminal) and
    ``say`` tells the person something. Two differing answers are said and asked for
    again, up to :data:`PASSWORD_TRIES` times; then RegistrationRefused.
    """
    for attempt in range(1, PASSWORD_TRIES + 1):
        first = ask(prompt)
        if not first:
            return None
        if ask("Type it again: ") == first:
            return first
        if attempt < PASSWORD_TRIES:
            say("The two passwords differ; type them again.")
    raise RegistrationRefused(
        f"the two passwords differed {PASSWORD_TRIES} times; nothing was changed"
    )


async def register(
    account: AccountConfig, password: str, log_in_instead: str = "leave out --register"
) -> Credentials:
    """Create ``account`` on its server; its first session's credentials.

    RegistrationRefused, in the user's words, for every way it can fail;
    ``log_in_instead`` says how to log in to a taken name that is the user's own.
    """
    from chatui.backends.local import register as register_on_server

    try:
        return await register_on_server(account.server, account.username, password)
    except BackendError as err:
        raise RegistrationRefused(
            f"cannot create {account.username} on {account.server}: "
            f"{_reason(account, err, log_in_instead)}"
        ) from err


def _reason(account: AccountConfig, err: BackendError, log_in_instead: str) -> str:
    if err.code == "registration_closed" or isinstance(err, PermissionDeniedError):
        return CLOSED
    if err.code == "username_taken":
        return (
            f"the username {account.username} is taken — pick another, or "
            f"{log_in_instead} if it is yours"
        )
    # Unreachable, timed out, or the server's own words (its username rule, say).
    return str(err)
