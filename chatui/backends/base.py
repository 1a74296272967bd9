"""The Backend protocol: the pluggable server API (docs/architecture.md).

One Backend instance per linked account. Adapters subclass :class:`Backend` and
register under the ``chatui.backends`` entry-point group (see
:mod:`chatui.backends.registry`). Nothing here imports Textual: a test enforces it,
so that backends stay usable from scripts, bots and the demo's contacts.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Sequence
from typing import ClassVar

from chatui.backends.retry import RetryWait
from chatui.core.models import (
    AccountConfig,
    Credentials,
    Event,
    HistoryWindow,
    Identity,
    Message,
    SearchPage,
    Thread,
    VanishSetting,
)


class BackendError(Exception):
    """Any failure talking to a server. ``str(err)`` is fit to show a user."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code


class AuthError(BackendError):
    """Bad credentials, or a token the server no longer accepts."""


class NoSuchUserError(AuthError):
    """A login for a name the server has no account for. Servers say so only where
    anyone may register (elsewhere it is a plain AuthError), so the way on is to
    create the account."""


class NotFoundError(BackendError):
    """No such thread or message (or we are not a member: existence is not leaked)."""


class PermissionDeniedError(BackendError):
    """The server understood and refuses, e.g. deleting another user's message."""


class BadRequestError(BackendError):
    """The server rejected what we sent (400, 409, 413...). Retrying will not help."""


class UnavailableError(BackendError):
    """The server is unreachable, timed out, or answered 5xx/429. Retrying may help.

    ``retry_after`` is the server's own hint in seconds, when it gave one.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class UnsupportedError(BackendError):
    """This backend (or this server version) does not offer the operation yet."""


class Backend(abc.ABC):
    """One linked account on one server.

    Life cycle: construct with the account's config, then either ``login`` (first
    link) or ``restore`` (every later start), then use, then ``close``.
    """

    kind: ClassVar[str]
    """The entry-point name this adapter is registered under."""

    def __init__(self, account: AccountConfig) -> None:
        self.account = account
        self.reconnect_wait = RetryWait()
        """What ``events()`` waits on between reconnects (see :meth:`retry_now`)."""

    @property
    def account_id(self) -> str:
        return self.account.account_id

    # --- session -------------------------------------------------------------------

    @abc.abstractmethod
    async def login(self, username: str, password: str) -> Credentials:
        """Log in with a password; the backend keeps the token for later calls."""

    @abc.abstractmethod
    async def restore(self, token: str) -> Identity:
        """Use a stored token; checks it with the server (AuthError if refused)."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release connections. Safe to call twice; ends a running ``events()``."""

    # --- reading ---------------------------------------------------------------------

    @abc.abstractmethod
    def events(self, since: str | None = None) -> AsyncIterator[Event]:
        """The live event stream from ``since`` (None: from now).

        Runs until ``close()``. It never raises for network trouble: it reconnects
        with backoff, resumes from the last cursor it yielded, and reports its state
        as :class:`ConnectionChanged` events. AuthError ends it (state ERROR).
        """

    def retry_now(self) -> None:
        """Cut the wait before the next reconnect short (the user asked): adapters
        wait on :attr:`reconnect_wait` between tries."""
        self.reconnect_wait.wake()

    @abc.abstractmethod
    async def threads(self) -> list[Thread]:
        """Every thread this account is a member of."""

    @abc.abstractmethod
    async def history(
        self, thread_id: str, before: str | None = None, limit: int = 50
    ) -> list[Message]:
        """Up to ``limit`` messages older than ``before`` (None: the newest), oldest first."""

    async def history_after(self, thread_id: str, after: str, limit: int = 50) -> list[Message]:
        """Up to ``limit`` messages newer than ``after`` (a message id), oldest first;
        empty when nothing newer is shown. Paging forward from a
        :meth:`history_around` window (its ``newer``)."""
        raise UnsupportedError(f"{self.kind}: reading history forward is not supported yet")

    async def history_around(
        self, thread_id: str, message_id: str, limit: int = 50
    ) -> HistoryWindow:
        """About ``limit`` messages around ``message_id``: the message with its
        neighbours on both sides, and where to page on from there (a thread opened
        at a search result). A message that is not in the thread is a BackendError."""
        raise UnsupportedError(f"{self.kind}: opening a thread at a message is not supported yet")

    async def search(
        self, query_text: str, limit: int = 20, cursor: str | None = None
    ) -> SearchPage:
        """Messages whose text matches ``query_text``, newest first, from every thread
        of this account the server can search; ``cursor``: a page's ``next_cursor``.

        ``query_text`` is plain words (the query language's filters are the local
        index's business). Never a message of a vanishing thread or one sent to
        vanish, nor an unsent one. Servers match in their own way: the reference
        server every word as a substring, Matrix by its full-text index (and not
        in end-to-end encrypted rooms).
        """
        raise UnsupportedError(f"{self.kind}: searching on the server is not supported")

    # --- writing ---------------------------------------------------------------------

    @abc.abstractmethod
    async def send(
        self, thread_id: str, body: str, txn_id: str, reply_to: str | None = None
    ) -> Message:
        """Send ``body``; idempotent by ``txn_id`` (a retry never duplicates)."""

    @abc.abstractmethod
    async def redact(self, thread_id: str, message_id: str) -> None:
        """Unsend one of our own messages: everyone sees "message deleted" in its place
        (its tombstone, ``Message.kind == "deleted"``). PermissionDeniedError for
        someone else's."""

    @abc.abstractmethod
    async def mark_read(self, thread_id: str, message_id: str) -> None:
        """Move our read marker to ``message_id``."""

    @abc.abstractmethod
    async def create_thread(self, members: Sequence[str], title: str | None = None) -> Thread:
        """Start a conversation with ``members`` (usernames, without ourselves)."""

    async def expire(self, thread_id: str, message_id: str) -> None:
        """Delete one of our own messages because its vanish timer ran out here.

        Like :meth:`redact`, but the deletion is marked as an expiry, so that the
        other participants' clients keep their own copy until *their* timer ends
        (``MessageRedacted.expired``). The server forgets the body either way.
        """
        await self.redact(thread_id, message_id)

    async def edit(self, thread_id: str, message_id: str, body: str) -> Message:
        """Replace the text of one of our own messages; returns it as it is now (new
        ``body``, ``edited_ts`` set). Everyone gets the new text; the message keeps its
        ``ts``, so a vanish deadline never moves. PermissionDeniedError for someone
        else's message, NotFoundError for one that is gone."""
        raise UnsupportedError(f"{self.kind}: editing messages is not supported yet")

    async def set_typing(self, thread_id: str, typing: bool, timeout_ms: int) -> None:
        """Tell the thread we are typing (for ``timeout_ms`` unless renewed), or stopped.

        Best effort: what others see of it arrives as ``TypingChanged``.
        """
        raise UnsupportedError(f"{self.kind}: typing notifications are not supported yet")

    async def react(self, thread_id: str, message_id: str, emoji: str) -> None:
        """Add our ``emoji`` reaction to ``message_id`` (once per emoji; repeats are no-ops)."""
        raise UnsupportedError(f"{self.kind}: reactions are not supported yet")

    async def unreact(self, thread_id: str, message_id: str, emoji: str) -> None:
        """Take back our own ``emoji`` reaction to ``message_id``."""
        raise UnsupportedError(f"{self.kind}: removing reactions is not supported yet")

    async def accept_invite(self, thread_id: str) -> Thread:
        """Join a thread we were invited to (``Thread.membership == "invite"``)."""
        raise UnsupportedError(f"{self.kind}: invitations are not supported")

    async def decline_invite(self, thread_id: str) -> None:
        """Refuse an invitation; the thread goes away."""
        raise UnsupportedError(f"{self.kind}: invitations are not supported")

    async def logout(self) -> None:
        """Revoke the current token on the server, where the protocol can; best effort.

        The default does nothing: a backend whose tokens cannot be revoked simply
        forgets them when the account is unlinked.
        """
        return None

    async def set_theme(self, thread_id: str, theme: dict) -> Thread:
        """Share ``theme`` (a theme's wire form, ``{"name": ..., ...}``; ``{}`` resets
        to the default) with everyone in the thread; they get a notice message."""
        raise UnsupportedError(f"{self.kind}: chat themes are not supported yet")

    async def set_vanish(self, thread_id: str, setting: VanishSetting) -> Thread:
        """Share the thread's vanish setting; everyone gets a notice message."""
        raise UnsupportedError(f"{self.kind}: vanish mode is not supported yet")
