"""The Session: every linked account's backend behind one merged inbox.

The UI talks only to a Session; the Session talks only to Backends. It owns the
merged :class:`Inbox`, the per-thread message cache, each account's connection
state, and which thread is open (so it knows what counts as read). It tells its
listeners what changed through small change records; it never imports Textual, so
the same Session drives the app, the demo's tests and benchmarks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from chatui.backends.base import (
    AuthError,
    Backend,
    BackendError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    UnavailableError,
    UnsupportedError,
)
from chatui.backends.retry import RetryPolicy, RetryWait, due_at
from chatui.core.clock import now_ms
from chatui.core.models import (
    AccountConfig,
    ConnectionChanged,
    ConnectionState,
    Event,
    HistoryReset,
    Identity,
    Message,
    MessageReceived,
    MessageRedacted,
    ReadMarkerMoved,
    Thread,
    ThreadKey,
    ThreadUpdated,
    TypingChanged,
    Value,
    VanishSetting,
    tombstone,
)
from chatui.session.cached_inbox import CachedInbox
from chatui.session.typing import TIMEOUT_MS as TYPING_TIMEOUT_MS
from chatui.session.typing import Typing
from chatui.session.vanish_keeper import MessageKey, VanishKeeper

if TYPE_CHECKING:
    from chatui.session.outbox import Outbox, OutboxItem, Stuck
    from chatui.storage.store import Store

log = logging.getLogger(__name__)


# --- what listeners are told -------------------------------------------------------
#
# Frozen records whose equality, hash and repr come from models.Value (see there).


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class InboxChanged(Value):
    """The merged list changed (order, previews, unread counts, new threads)."""


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class MessagesChanged(Value):
    """The loaded messages of one thread changed."""

    key: ThreadKey


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class AccountStateChanged(Value):
    """One account's connection state changed (see ``Session.states``), or whether its
    sends are stuck (see ``Session.stuck_sends``)."""

    account_id: str


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class AccountsChanged(Value):
    """An account was linked while the Session runs, or linked anew (see ``link``):
    whatever shows the accounts (their labels, the status bar) reads them again."""


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class SendFailed(Value):
    """A message typed in thread ``key`` could not be sent; ``reason`` says why."""

    key: ThreadKey
    reason: str


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class HistoryRefetched(Value):
    """The server had lost our place in its stream, so the account's thread list and
    cached history were fetched again (events in the gap may be missing from
    notifications). ``reason`` is the server's answer: untrusted text."""

    account_id: str
    reason: str


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class TypingUpdated(Value):
    """Who is typing in thread ``key`` changed (see ``Session.typing_in``)."""

    key: ThreadKey


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class SeenChanged(Value):
    """The other person of one-to-one thread ``key`` read further (see
    ``Session.seen_up_to``)."""

    key: ThreadKey


Change = (
    InboxChanged
    | MessagesChanged
    | AccountStateChanged
    | AccountsChanged
    | SendFailed
    | HistoryRefetched
    | TypingUpdated
    | SeenChanged
)
Listener = Callable[[Change], None]


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class Quote(Value):
    """What a reply answers, as far as this client knows (``Session.quoted``).

    ``state``: "shown" (``message`` is it), "deleted" (its sender unsent it;
    ``message`` is the tombstone), "vanished" (vanish mode erased it here) or
    "unknown" (not held here: older than what was loaded, say).
    """

    state: str
    message: Message | None = None


@dataclass(slots=True)
class LinkedAccount:
    """An account ready to start: its config, its backend and the token to restore."""

    config: AccountConfig
    backend: Backend
    token: str = field(repr=False)  # never in a log line


class Session:
    """Linked accounts -> one merged inbox, live."""

    history_page = 50
    start_retry = RetryPolicy(base=0.5, cap=30.0)
    """How an account that could not start is tried again (the one shared policy)."""

    def __init__(self, accounts: Sequence[LinkedAccount], store: Store | None = None) -> None:
        self.store = store
        """Where what the Session learns is kept across runs (None: memory only)."""
        self.linked: dict[str, LinkedAccount] = {a.config.account_id: a for a in accounts}
        self.inbox = CachedInbox()
        self.identities: dict[str, Identity] = {}
        self.states: dict[str, tuple[ConnectionState, str]] = {
            account_id: (ConnectionState.CONNECTING, "") for account_id in self.linked
        }
        self.retry_at: dict[str, int] = {}
        """Accounts waiting to reconnect: when the next try is due (UTC epoch ms)."""
        self._start_waits: dict[str, RetryWait] = {}  # accounts down at start
        self._signed_out: set[str] = set()  # accounts whose token the server refused
        # Each account's own background work (its start retries, its stream, its
        # refetches), so that linking it anew can end exactly that.
        self._account_tasks: dict[str, set[asyncio.Task]] = {}
        self._started = False
        self.open_key: ThreadKey | None = None
        self._messages: dict[ThreadKey, list[Message]] = {}
        # Threads whose newest page came from the server in this run (a cached page
        # may miss what arrived while the app was closed).
        self._fresh: set[ThreadKey] = set()
        # Threads whose first page is on its way (open_thread): not loaded yet.
        self._opening: set[ThreadKey] = set()
        self._listeners: list[Listener] = []
        self._tasks: list[asyncio.Task] = []
        self._stopped = False
        # Accounts being refetched after a HistoryReset -> the newest cursor seen
        # meanwhile. Its storing waits for the refetch: a crash before that resumes
        # from the old (refused) cursor, so the refetch runs again.
        self._resetting: dict[str, str | None] = {}
        self._reset_generation: dict[str, int] = {}
        self._outbox: Outbox | None = None
        # Accounts whose sends are held up, as last told to listeners (see stuck_sends).
        self._stuck: dict[str, Stuck] = {}
        if store is not None:
            from chatui.session.outbox import Outbox

            self._outbox = Outbox(
                store, self._deliver, self._delivered, self._send_failed, self._outbox_changed
            )
        self._vanish = VanishKeeper(self, self._erase)
        self._typing = Typing(self._send_typing, lambda key: self._emit(TypingUpdated(key)))
        # Others' read positions (the ts of the newest message they read), by thread:
        # what "seen" is told from. Seeded from the store, where vanish mode keeps them.
        self._read_positions: dict[ThreadKey, dict[str, int]] = {}
        self._typing_locks: dict[str, asyncio.Lock] = {}

    @property
    def send_typing(self) -> bool:
        """Whether others are told when we type (the app sets it from the settings)."""
        return self._typing.enabled

    @send_typing.setter
    def send_typing(self, value: bool) -> None:
        self._typing.enabled = value

    @property
    def stopped(self) -> bool:
        return self._stopped

    def spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        """Run ``work`` in the background until :meth:`stop` (errors are logged)."""
        self._tasks = [task for task in self._tasks if not task.done()]
        self._tasks.append(asyncio.create_task(work))

    @property
    def outbox(self) -> Outbox | None:
        """The durable outbox (with a store; without one, send() waits for the server)."""
        return self._outbox

    # --- listeners -----------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _emit(self, change: Change) -> None:
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception:  # a broken listener must not stop the stream
                log.exception("session listener failed on %r", change)

    # --- accounts ------------------------------------------------------------------

    def account(self, account_id: str) -> AccountConfig:
        return self.linked[account_id].config

    def me(self, account_id: str) -> str:
        identity = self.identities.get(account_id)
        return identity.username if identity else self.linked[account_id].config.username

    def _set_state(
        self,
        account_id: str,
        state: ConnectionState,
        detail: str = "",
        retry_at: int | None = None,
        *,
        signed_out: bool = False,
    ) -> None:
        retry_at = retry_at if state is ConnectionState.RECONNECTING else None
        signed_out = signed_out and state is ConnectionState.ERROR
        if (
            self.states.get(account_id) != (state, detail)
            or self.retry_at.get(account_id) != retry_at
            or (account_id in self._signed_out) != signed_out
        ):
            self.states[account_id] = (state, detail)
            if signed_out:
                self._signed_out.add(account_id)
            else:
                self._signed_out.discard(account_id)
            if retry_at is None:
                self.retry_at.pop(account_id, None)
            else:
                self.retry_at[account_id] = retry_at
            self._emit(AccountStateChanged(account_id))

    def signed_out(self) -> list[str]:
        """Accounts whose token the server refused (in link order): only logging in
        again helps them (a new token through :meth:`link`)."""
        return [account_id for account_id in self.linked if account_id in self._signed_out]

    def retry_now(self) -> None:
        """Try every account that waits to reconnect now, not at its next turn."""
        for account_id in list(self.retry_at):
            linked = self.linked.get(account_id)
            if linked is not None:
                linked.backend.retry_now()
            start_wait = self._start_waits.get(account_id)  # down since the start
            if start_wait is not None:
                start_wait.wake()

    # --- life cycle ----------------------------------------------------------------

    def load_cached(self) -> None:
        """Fill the merged list from the store: call before the first frame.

        Synchronous and quick (one query); messages are read per thread when it is
        first shown (see :meth:`messages`). Accounts stay "connecting" until
        :meth:`start` reaches their servers.
        """
        if self.store is None:
            return
        # Before anything is drawn: what expired while we were not running goes.
        self._vanish.purge_at_start()
        # Only the order is read now; each thread when it is shown (CachedInbox).
        self.inbox.load_sorted(self.store.thread_order(self.linked), self.store.threads_by_key)
        if self._outbox is not None:
            # The store keeps only what a server accepted; a message still waiting to
            # go is the preview of its thread all the same ("◷ sending: ..."). Few
            # threads have one, so reading just those now costs nothing.
            for key in {item.key for item in self._outbox.items.values()}:
                thread = self.inbox.get(key)
                if thread is not None:
                    self.inbox.upsert(self._with_unsent_preview(thread))
        self._emit(InboxChanged())

    async def start(self) -> None:
        """Restore every account and start its live stream, all concurrently.

        Returns once each account has either loaded its threads or failed; a failed
        account shows its error in the status area and the others carry on.
        """
        self._started = True
        self._vanish.start()
        await asyncio.gather(*(self._start_account(a) for a in list(self.linked.values())))

    async def link(self, linked: LinkedAccount) -> None:
        """Add an account to the running Session, or link one anew (same id: a new
        token after the server refused the old one).

        It starts as :meth:`start` starts each account: restored, its threads joining
        the merged list, its live stream and its outbox sender running. An account
        linked anew first loses its old backend and everything it was doing. Before
        :meth:`start`, the account only joins (``start`` starts it with the rest).
        Returns once the account has loaded its threads or failed, as ``start`` does.
        """
        account_id = linked.config.account_id
        old = self.linked.get(account_id)
        if old is not None:
            await self._end_account(account_id, old)
        self.linked[account_id] = linked
        self._set_state(account_id, ConnectionState.CONNECTING)
        self._emit(AccountsChanged())
        if self._started and not self._stopped:
            await self._start_account(linked)

    async def _end_account(self, account_id: str, linked: LinkedAccount) -> None:
        """Stop what one account's backend is doing and close it (see :meth:`link`)."""
        tasks = self._account_tasks.pop(account_id, set())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._start_waits.pop(account_id, None)
        self._resetting.pop(account_id, None)
        with contextlib.suppress(Exception):
            await linked.backend.close()

    def _spawn_for(self, account_id: str, work: Coroutine[Any, Any, Any]) -> None:
        """Run one account's ``work`` in the background (ended by :meth:`stop`, or by
        linking the account anew)."""
        task = asyncio.create_task(work)
        self._tasks.append(task)
        held = self._account_tasks.setdefault(account_id, set())
        held.add(task)
        task.add_done_callback(held.discard)

    async def _start_account(self, linked: LinkedAccount) -> None:
        account_id = linked.config.account_id
        try:
            self.identities[account_id] = await linked.backend.restore(linked.token)
            threads = await linked.backend.threads()
        except AuthError as err:
            self._set_state(account_id, ConnectionState.ERROR, str(err), signed_out=True)
            return
        except BackendError as err:
            self._set_start_failure(account_id, err)
            # Keep trying in the background: the server may simply not be up yet.
            self._spawn_for(account_id, self._retry_start(linked, err))
            return
        self._replace_threads(account_id, threads)
        self._start_sender(account_id)
        self._vanish.pay(account_id)
        self._spawn_for(account_id, self._pump(linked))

    def _set_start_failure(self, account_id: str, err: BackendError) -> None:
        # An unreachable server is a passing state we keep retrying; anything else
        # (a server that answers but refuses) is an error the user should read.
        if isinstance(err, UnavailableError):
            self._set_state(account_id, ConnectionState.RECONNECTING, str(err))
        else:
            self._set_state(account_id, ConnectionState.ERROR, str(err))

    async def _retry_start(self, linked: LinkedAccount, first: BackendError) -> None:
        """Start the account again until it works, at the shared retry policy's pace."""
        account_id = linked.config.account_id
        failures, error = 0, first
        while not self._stopped:
            failures += 1
            retry_after = error.retry_after if isinstance(error, UnavailableError) else None
            delay = self.start_retry.delay(failures, retry_after)
            state, detail = self.states.get(account_id, (None, ""))
            if state is ConnectionState.RECONNECTING:
                self._set_state(account_id, state, detail, due_at(delay))
            await self._start_waits.setdefault(account_id, RetryWait()).wait(delay)
            try:
                self.identities[account_id] = await linked.backend.restore(linked.token)
                threads = await linked.backend.threads()
            except AuthError as err:
                # A refused token will not start working by itself: stop asking.
                self._set_state(account_id, ConnectionState.ERROR, str(err), signed_out=True)
                return
            except BackendError as err:
                self._set_start_failure(account_id, err)
                error = err
                continue
            self._replace_threads(account_id, threads)
            self._start_sender(account_id)
            self._vanish.pay(account_id)
            await self._pump(linked)
            return

    async def _pump(self, linked: LinkedAccount) -> None:
        """Feed one account's live events into the merged state."""
        account_id = linked.config.account_id
        # Resume where the last run's applied events end: the server replays what
        # happened since, so nothing is missed and nothing applied twice.
        since = self.store.cursor(account_id) if self.store is not None else None
        try:
            async for event in linked.backend.events(since=since):
                try:
                    self.apply(event)
                except Exception:  # one odd event must never end the stream
                    log.exception("could not apply event %s", _describe(event))
        except asyncio.CancelledError:
            raise
        except BackendError as err:
            self._set_state(
                linked.config.account_id,
                ConnectionState.ERROR,
                str(err),
                signed_out=isinstance(err, AuthError),
            )

    def _start_sender(self, account_id: str) -> None:
        # Once the account is restored: its backend can send from here on (rows
        # left pending by an earlier run, killed or not, go first).
        if self._outbox is not None and not self._stopped:
            self._outbox.start([account_id])

    async def stop(self) -> None:
        self._stopped = True
        if self._outbox is not None:
            await self._outbox.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for linked in self.linked.values():
            with contextlib.suppress(Exception):
                await linked.backend.close()
        self._typing.close()
        self._vanish.close()
        if self.store is not None:
            self.store.close()

    # --- applying events -----------------------------------------------------------

    def apply(self, event: Event) -> None:
        """Fold one backend event into the inbox and message cache (and the store).

        With a store, what the event changed and its cursor commit in one
        transaction: a restart resumes right after the last event fully applied.
        """
        if isinstance(event, TypingChanged):
            # Ephemeral: nothing to keep but the stream's place, where the adapter
            # put it on this event (the last of a Matrix sync answer carries it).
            key = (event.account_id, event.thread_id)
            self._typing.heard(key, event.users, event.timeout_ms, self.me(event.account_id))
            if self.store is not None and event.cursor is not None:
                self._store_cursor(event)
            return
        if self._keeps_own_copy(event):
            # Only the sender's timer ran out: ours runs on (docs/vanish.md). Nothing
            # changes here but the stream's place.
            if self.store is not None:
                self._store_cursor(event)
            return
        if self.store is None:
            self._fold(event)
        else:
            with self.store.transaction():
                self._fold(event)
                self._persist(event)
        # After the store has the rows: deadlines are kept on them.
        match event:
            case MessageReceived(message=message) if not self._vanish.is_gone(message):
                self._vanish.learn([message])
            case ReadMarkerMoved(account_id=a, thread_id=t, message_id=m, user=user):
                self._vanish.read_by((a, t), user, m)
                self._others_read((a, t), user, m)

    def _keeps_own_copy(self, event: Event) -> bool:
        """An expiry of someone else's vanish message: our copy keeps its own timer."""
        if not isinstance(event, MessageRedacted) or not event.expired:
            return False
        held = self.held((event.account_id, event.thread_id), event.message_id)
        return held is not None and held.sender != self.me(event.account_id)

    def held(self, key: ThreadKey, message_id: str) -> Message | None:
        """Our copy of a message: loaded, else stored, else None (also for
        chatui.session.vanish_keeper, which compares read markers by message time)."""
        for message in self._messages.get(key, ()):
            if message.message_id == message_id:
                return message
        return self.store.message(key, message_id) if self.store is not None else None

    def _persist(self, event: Event) -> None:
        store = self.store
        assert store is not None
        match event:
            case ThreadUpdated(thread=thread):
                self._persist_thread(thread.key, gone_if_missing=True)
            case MessageReceived(message=message) if not self._vanish.is_gone(message):
                if message.edited or message.deleted:
                    # Its text may replace an older one: that must leave the disk.
                    store.rewrite_message(message)
                else:
                    store.put_messages([message])
                self._persist_thread(message.thread_key)
            case MessageRedacted(account_id=a, thread_id=t, message_id=m, expired=True):
                store.delete_message((a, t), m)
                self._persist_thread((a, t))
            case MessageRedacted(account_id=a, thread_id=t, message_id=m):
                # Unsent: the tombstone takes the text's place, in the row and the
                # preview alike, and the text leaves the disk (folded at the commit).
                stored = store.message((a, t), m)
                if stored is not None and not stored.deleted:
                    store.rewrite_message(tombstone(stored))
                self._persist_thread((a, t))
                store.checkpoint()
            case ReadMarkerMoved(account_id=a, thread_id=t):
                self._persist_thread((a, t))
        self._store_cursor(event)

    def _store_cursor(self, event: Event) -> None:
        """Keep the stream's place after ``event`` (held back during a history reset)."""
        assert self.store is not None
        account_id = _account_of(event)
        if event.cursor is not None and account_id is not None:
            if account_id in self._resetting:
                self._resetting[account_id] = event.cursor
            else:
                self.store.set_cursor(account_id, event.cursor)

    def _persist_thread(self, key: ThreadKey, *, gone_if_missing: bool = False) -> None:
        """Store the inbox's copy of ``key``; only a thread event may drop it."""
        assert self.store is not None
        thread = self.inbox.get(key)
        if thread is not None:
            self.store.put_thread(thread)
        elif gone_if_missing:
            self.store.delete_thread(key)

    def _replace_threads(self, account_id: str, threads: list[Thread]) -> None:
        threads = [self._preview_as_held(t) for t in threads]
        self.inbox.replace_account(account_id, threads)
        if self.store is not None:
            self.store.replace_threads(account_id, threads)
        self._emit(InboxChanged())

    def _preview_as_held(self, thread: Thread) -> Thread:
        """A thread a server returned, its preview as this client holds it: never a
        message that vanished here, and our newest unsent message if it is newer."""
        return self._with_unsent_preview(self._without_gone_preview(thread))

    def _with_unsent_preview(self, thread: Thread) -> Thread:
        """``thread`` with our newest unsent message as its preview, if it is newer.

        A server's (or the store's) copy of a thread knows nothing of messages still
        in the outbox; shown as it is, the list would forget what we just wrote
        until it is delivered.
        """
        items = self._outbox.for_thread(thread.key) if self._outbox is not None else []
        if not items:
            return thread
        newest = items[-1]
        last = thread.last_message
        if last is not None and last.ts > newest.created:
            return thread
        return replace(thread, last_message=newest.echo(self.me(thread.account_id)))

    def _without_gone_preview(self, thread: Thread) -> Thread:
        """``thread`` as a server sent it, minus a preview that vanished here.

        A server that has not deleted a message yet (its sender is offline, or
        the sender's copy still runs its timer) still names it as the thread's
        newest: shown, that would put the text back on screen and, stored, back
        on disk. The newest message we still hold stands in for it.
        """
        last = thread.last_message
        if last is None or not self._vanish.is_gone(last):
            return thread
        return replace(thread, last_message=self._newest_kept(thread.key))

    def _newest_kept(self, key: ThreadKey) -> Message | None:
        """The newest message of ``key`` we still hold (loaded, else stored), not
        counting our pending echoes: what stands in as the preview for one that went."""
        held = [m for m in self._messages.get(key, ()) if not m.pending]
        if held:
            return held[-1]
        return self.store.newest_message(key) if self.store is not None else None

    def _fold(self, event: Event) -> None:
        match event:
            case ConnectionChanged(
                account_id=account_id,
                state=state,
                detail=detail,
                retry_at=retry_at,
                signed_out=signed_out,
            ):
                self._set_state(account_id, state, detail, retry_at, signed_out=signed_out)
                if state is not ConnectionState.CONNECTED:
                    self._typing.forget_account(account_id)  # it can no longer tell
                if state is ConnectionState.CONNECTED:
                    if self._outbox is not None:
                        self._outbox.resume(account_id)  # the server is back: send now
                    self._vanish.pay(account_id)
                    # A reconnect may have missed thread changes the stream does not
                    # replay; refetching the list is cheap and keeps it honest.
                    self._spawn_for(account_id, self._refresh_threads(account_id))
            case ThreadUpdated(thread=thread) if thread.membership == "leave":
                # We left, declined or were removed: it is no conversation of ours.
                if thread.key in self.inbox:
                    self.inbox.remove(thread.key)
                    self._emit(InboxChanged())
            case ThreadUpdated(thread=thread):
                old = self.inbox.get(thread.key)
                if old is not None and thread.key == self.open_key:
                    thread = _read(thread)
                if thread.last_message is not None and self._vanish.is_gone(thread.last_message):
                    # The server still has a message that vanished here: no preview.
                    thread = replace(thread, last_message=None)
                if old is not None and thread.last_message is None:
                    thread = replace(thread, last_message=old.last_message)
                self.inbox.upsert(thread)
                self._emit(InboxChanged())
            case MessageReceived(message=message):
                self._add_message(message)
            case MessageRedacted(account_id=a, thread_id=t, message_id=m, expired=True):
                self._remove_message((a, t), m)  # vanished: nothing stays
            case MessageRedacted(account_id=a, thread_id=t, message_id=m):
                self._tombstone((a, t), m)  # unsent: "message deleted" stays
            case ReadMarkerMoved(account_id=a, thread_id=t, user=user):
                thread = self.inbox.get((a, t))
                if thread is not None and user == self.me(a) and (thread.unread or thread.mentions):
                    self.inbox.upsert(_read(thread))
                    self._emit(InboxChanged())
            case HistoryReset(account_id=account_id, reason=reason, cursor=cursor):
                self._resetting[account_id] = cursor
                generation = self._reset_generation.get(account_id, 0) + 1
                self._reset_generation[account_id] = generation
                self._spawn_for(account_id, self._refetch_history(account_id, reason, generation))

    async def _refetch_history(self, account_id: str, reason: str, generation: int) -> None:
        """After a HistoryReset: fetch the account's list and cached pages again.

        The cached copies are replaced, not merged: a message deleted on the server
        while we could not hear about it must not linger.
        """
        backend = self.linked[account_id].backend
        try:
            threads = await backend.threads()
        except BackendError as err:
            # The stream will fail and reset again, or the next start will (the old
            # cursor is still the stored one): nothing is stored half-done.
            log.warning("could not refetch the threads of %s: %s", account_id, err)
            self._resetting.pop(account_id, None)
            return
        if self.open_key is not None and self.open_key[0] == account_id:
            threads = [_read(t) if t.key == self.open_key else t for t in threads]
        self._replace_threads(account_id, threads)
        listed = {t.key for t in threads}
        cached = {k for k in self._messages if k[0] == account_id}
        if self.store is not None:
            cached.update(self.store.message_threads(account_id))
        self._fresh.difference_update(cached)
        limit = asyncio.Semaphore(4)

        async def refetch(key: ThreadKey) -> None:
            page: list[Message] = []
            if key in listed:
                try:
                    async with limit:
                        page = await backend.history(key[1], limit=self.history_page)
                except BackendError as err:
                    log.warning("could not refetch %s: %s", key, err)
            self._replace_cached_page(key, page)

        await asyncio.gather(*(refetch(key) for key in sorted(cached)))
        if self.store is not None:
            # Once for every replaced page and preview (what the server lost is
            # still in the WAL until now), not once per thread.
            self.store.checkpoint()
        if self._reset_generation.get(account_id) != generation:
            return  # a newer reset is under way; it stores the cursor when done
        cursor = self._resetting.pop(account_id, None)
        if self.store is not None and cursor is not None:
            self.store.set_cursor(account_id, cursor)
        self._emit(HistoryRefetched(account_id, reason))

    def _replace_cached_page(self, key: ThreadKey, page: list[Message]) -> None:
        """The thread's cached messages become ``page`` (plus what is newer or ours).

        What is no longer in the page leaves the disk (the refetch folds the WAL
        when every page is replaced); what vanished here stays out, even if the
        server still has it.
        """
        page = [m for m in page if not self._vanish.is_gone(m)]
        if self.store is not None:
            with self.store.transaction():
                self.store.delete_messages(key, checkpoint=False)
                self.store.put_messages(page)
        loaded = self._messages.get(key)
        if loaded is None:
            return
        newest = page[-1].ts if page else None
        merged = list(page)
        for message in loaded:
            # Pending echoes, and live messages that came after the page was cut.
            if message.pending or (newest is not None and message.ts > newest):
                _merge_into(merged, message)
        if page:
            self._fresh.add(key)
        self._messages[key] = merged
        self._emit(MessagesChanged(key))

    async def _refresh_threads(self, account_id: str) -> None:
        try:
            threads = await self.linked[account_id].backend.threads()
        except BackendError as err:
            log.warning("could not refresh threads of %s: %s", account_id, err)
            return
        if self.open_key is not None and self.open_key[0] == account_id:
            threads = [_read(t) if t.key == self.open_key else t for t in threads]
        self._replace_threads(account_id, threads)

    def _add_message(self, message: Message) -> None:
        if self._vanish.is_gone(message):
            return  # erased here by vanish mode; the server may not have caught up
        key = message.thread_key
        loaded = self._messages.get(key)
        if loaded is not None:
            if not _merge_into(loaded, message):
                return  # a duplicate we already have: nothing changed
            self._emit(MessagesChanged(key))
        thread = self.inbox.get(key)
        if thread is None:
            # A message for a thread we have not heard of: fetch the thread itself.
            self._spawn_for(message.account_id, self._refresh_threads(message.account_id))
            return
        newer = thread.last_message is None or message.ts >= thread.last_message.ts
        unread, mentions = thread.unread, thread.mentions
        mine = message.sender == self.me(message.account_id)
        if not mine and not message.pending:
            self._typing.sent_a_message(key, message.sender)
        if key == self.open_key:
            unread = mentions = 0
            if not mine and not message.pending:
                self._read_up_to(key, message.message_id)
        elif (
            not mine
            and not message.pending
            # A notice of a changed setting is no news, nor is a tombstone.
            and message.kind not in ("setting", "deleted")
            and newer
            and not _same(thread.last_message, message)
        ):
            # Only news counts: a resumed stream replays messages the thread list
            # we fetched on start already counted.
            unread += 1
            if message.mentions_me:
                mentions += 1
        self.inbox.upsert(
            replace(
                thread,
                last_message=message if newer else thread.last_message,
                unread=unread,
                mentions=mentions,
            )
        )
        self._emit(InboxChanged())

    def _tombstone(self, key: ThreadKey, message_id: str) -> None:
        """Its sender unsent it: "message deleted" takes its place, here and in the
        list's preview (a vanished message, by contrast, goes entirely)."""
        loaded = self._messages.get(key)
        for index, message in enumerate(loaded or ()):
            if message.message_id == message_id and not message.deleted:
                assert loaded is not None
                loaded[index] = tombstone(message)
                self._emit(MessagesChanged(key))
                break
        thread = self.inbox.get(key)
        last = thread.last_message if thread is not None else None
        if thread is not None and last is not None and last.message_id == message_id:
            if last.deleted:
                return
            self.inbox.upsert(replace(thread, last_message=tombstone(last)))
            self._emit(InboxChanged())

    def _remove_message(self, key: ThreadKey, message_id: str) -> None:
        loaded = self._messages.get(key)
        if loaded is not None:
            kept = [m for m in loaded if m.message_id != message_id]
            if len(kept) != len(loaded):
                self._messages[key] = kept
                self._emit(MessagesChanged(key))
        thread = self.inbox.get(key)
        last = thread.last_message if thread is not None else None
        if thread is not None and last is not None and last.message_id == message_id:
            previous = self._messages.get(key) or []
            self.inbox.upsert(replace(thread, last_message=previous[-1] if previous else None))
            self._emit(InboxChanged())

    # --- the open thread -----------------------------------------------------------

    def messages(self, key: ThreadKey) -> list[Message]:
        """The loaded messages of a thread, oldest first (empty until opened).

        The first call for a thread reads its cached page from the store.
        """
        loaded = self._messages.get(key)
        if loaded is None:
            cached = self.store.messages(key, self.history_page) if self.store else []
            if self._outbox is not None:
                for item in self._outbox.for_thread(key):
                    _merge_into(cached, item.echo(self.me(key[0])))
            if not cached:
                return []
            loaded = self._messages[key] = cached
        return loaded

    def is_loaded(self, key: ThreadKey) -> bool:
        return key in self._messages and key not in self._opening

    async def open_thread(self, key: ThreadKey) -> None:
        """Make ``key`` the open thread: load its newest page and mark it read."""
        self.open_key = key
        thread = self.inbox.get(key)
        if thread is not None and (thread.unread or thread.mentions):
            self.inbox.upsert(_read(thread))
            self._emit(InboxChanged())
        self.messages(key)  # the cached page, if any, shows while the server answers
        if key not in self._fresh:
            backend = self.linked[key[0]].backend
            # With nothing cached, live messages that arrive while the page loads
            # still need a list to join (the page was cut before them): an empty
            # one, "loading" until the page is merged in.
            self._messages.setdefault(key, [])
            self._opening.add(key)
            try:
                page = await backend.history(key[1], limit=self.history_page)
                self._fresh.add(key)
            except BackendError as err:
                log.warning("could not load %s: %s", key, err)
                page = []
            finally:
                self._opening.discard(key)
            page = [m for m in page if not self._vanish.is_gone(m)]
            self._store_page(page)
            self._vanish.learn(page)
            # Live (and cached) messages may be newer than the page.
            merged = list(page)
            for message in self._messages.get(key, []):
                _merge_into(merged, message)
            self._messages[key] = merged
            self._emit(MessagesChanged(key))
        loaded = self._messages[key]
        last = next((m for m in reversed(loaded) if not m.pending), None)
        if last is not None and not self._vanish.defer_read(key, last.message_id):
            await self._mark_read(key, last.message_id)

    async def load_older(self, key: ThreadKey) -> int:
        """Fetch the page before the oldest loaded message; returns how many came."""
        loaded = self._messages.get(key)
        if not loaded:
            return 0
        backend = self.linked[key[0]].backend
        try:
            page = await backend.history(
                key[1], before=loaded[0].message_id, limit=self.history_page
            )
        except BackendError as err:
            log.warning("could not page %s: %s", key, err)
            return 0
        page = [m for m in page if not self._vanish.is_gone(m)]
        self._store_page(page)
        self._vanish.learn(page)
        # What is loaded now, not before the await: messages came, went (vanished,
        # refetched) or were replaced meanwhile.
        loaded = self._messages.get(key, [])
        known = {m.message_id for m in loaded}
        older = [m for m in page if m.message_id not in known]
        if older:
            self._messages[key] = older + loaded
            self._emit(MessagesChanged(key))
        return len(older)

    def _store_page(self, page: list[Message]) -> None:
        """Keep a history page. One that carries an edited or unsent message may
        replace text this store held (it changed while we were away): the WAL is
        folded after, so that the old text leaves the disk."""
        if self.store is None:
            return
        if any(m.edited or m.deleted for m in page):
            with self.store.transaction():
                self.store.put_messages(page)
                self.store.checkpoint()
        else:
            self.store.put_messages(page)

    def close_thread(self) -> None:
        """The open chat is closed (switched away, quitting, suspending)."""
        key, self.open_key = self.open_key, None
        if key is not None:
            self.typing(key, False)  # whatever we were typing there, we left it
            self._vanish.closing(key)

    def _read_up_to(self, key: ThreadKey, message_id: str) -> None:
        if not self._vanish.defer_read(key, message_id):
            self.spawn(self._mark_read(key, message_id))

    async def _mark_read(self, key: ThreadKey, message_id: str) -> None:
        try:
            await self.linked[key[0]].backend.mark_read(key[1], message_id)
        except BackendError as err:
            log.info("could not mark %s read: %s", key, err)

    # --- vanish mode -----------------------------------------------------------------

    def messages_seen(self, key: ThreadKey, message_ids: Iterable[str]) -> None:
        """The UI drew these messages of the open thread: recipients' clocks start."""
        if key != self.open_key:
            return  # only what is on screen in the open chat counts as seen
        wanted = set(message_ids)
        self._vanish.seen(key, [m for m in self._messages.get(key, ()) if m.message_id in wanted])

    def expires_at(self, key: ThreadKey, message_id: str) -> int | None:
        """When the message vanishes here (UTC epoch ms), or None if no timer runs."""
        return self._vanish.deadline((*key, message_id))

    def vanish_pending_close(self, key: ThreadKey, message_id: str) -> bool:
        """A "vanish" message seen here: it goes when the chat is closed."""
        return self._vanish.pending_close(key, message_id)

    def check_vanish(self) -> None:
        """Expire what is due now by either clock (after a suspend or a clock change,
        which the one pending wake-up cannot notice by itself)."""
        self._vanish.check()

    def _erase(self, items: list[MessageKey]) -> None:
        """Vanish mode's erasure: from memory, the list's preview and the disk.

        One transaction for the rows and the thread previews that quoted them;
        its commit folds the WAL into the file (Store.erase_messages), so neither
        copy of the text stays on disk. Our own messages are also owed a deletion
        on the server.
        """
        by_thread: dict[ThreadKey, set[str]] = {}
        for account_id, thread_id, message_id in items:
            by_thread.setdefault((account_id, thread_id), set()).add(message_id)
        ours: list[MessageKey] = []
        changed_threads = False
        with self.store.transaction() if self.store is not None else contextlib.nullcontext():
            for key, ids in by_thread.items():
                me = self.me(key[0]) if key[0] in self.linked else None
                for message_id in sorted(ids):
                    message = self.held(key, message_id)
                    if message is not None and message.sender == me:
                        ours.append((*key, message_id))
                loaded = self._messages.get(key)
                if loaded is not None:
                    self._messages[key] = [m for m in loaded if m.message_id not in ids]
                if self.store is not None:
                    self.store.erase_messages((*key, m) for m in sorted(ids))
                listed = key in self.inbox
                thread = self.inbox.get(key) if listed else None
                if thread is None and self.store is not None:
                    # Not listed yet (the purge before the first frame): the stored row.
                    thread = self.store.threads_by_key([key]).get(key)
                last = thread.last_message if thread is not None else None
                if thread is not None and last is not None and last.message_id in ids:
                    thread = replace(thread, last_message=self._newest_kept(key))
                    if listed:
                        self.inbox.upsert(thread)
                        changed_threads = True
                    if self.store is not None:
                        self.store.put_thread(thread)
            self._vanish.forget(items)
        for key in by_thread:
            self._emit(MessagesChanged(key))
        if changed_threads:
            self._emit(InboxChanged())
        for key in ours:
            self._vanish.owe_expiry(key)

    async def set_vanish(self, key: ThreadKey, setting: VanishSetting) -> None:
        """Share a new vanish setting; raises BackendError on refusal."""
        thread = await self.linked[key[0]].backend.set_vanish(key[1], setting)
        self._thread_changed(thread)

    async def set_theme(self, key: ThreadKey, theme: dict[str, Any] | None) -> None:
        """Share a chat theme (its wire form; None: back to the default)."""
        thread = await self.linked[key[0]].backend.set_theme(key[1], dict(theme or {}))
        self._thread_changed(thread)

    def _thread_changed(self, thread: Thread) -> None:
        old = self.inbox.get(thread.key)
        if old is not None:
            # Keep what the live stream knows better (preview, unread counts).
            thread = replace(
                thread, last_message=old.last_message, unread=old.unread, mentions=old.mentions
            )
        self._keep_thread(thread)

    def _keep_thread(self, thread: Thread) -> None:
        """A thread a call to the server just returned: listed, stored, announced."""
        thread = self._preview_as_held(thread)
        self.inbox.upsert(thread)
        if self.store is not None:
            self.store.put_thread(thread)
        self._emit(InboxChanged())

    async def react(self, key: ThreadKey, message_id: str, emoji: str) -> None:
        await self.linked[key[0]].backend.react(key[1], message_id, emoji)

    async def unreact(self, key: ThreadKey, message_id: str, emoji: str) -> None:
        await self.linked[key[0]].backend.unreact(key[1], message_id, emoji)

    async def toggle_reaction(self, key: ThreadKey, message_id: str, emoji: str) -> bool:
        """Add our ``emoji`` reaction, or take it back if it is there; True if added."""
        held = self.held(key, message_id)
        if held is not None and self.me(key[0]) in held.reactions.get(emoji, ()):
            await self.unreact(key, message_id, emoji)
            return False
        await self.react(key, message_id, emoji)
        return True

    # --- everyday conversation: replies, edits, unsending, typing, "seen" ------------

    def quoted(self, key: ThreadKey, message_id: str) -> Quote:
        """What a reply in ``key`` quotes (its ``reply_to``), as this client holds it:
        loaded, else stored. Says so when the quoted message was unsent ("deleted") or
        erased here by vanish mode ("vanished"); "unknown" when it is not held."""
        held = self.held(key, message_id)
        if held is not None:
            return Quote("deleted", held) if held.deleted else Quote("shown", held)
        if self._vanish.is_gone_id((*key, message_id)):
            return Quote("vanished")
        return Quote("unknown")

    def _own(self, key: ThreadKey, message_id: str, doing: str) -> Message | None:
        """Our copy of a message we are about to change, checked: only our own, sent
        ones (PermissionDeniedError, BadRequestError); None when we do not hold it
        (the server decides)."""
        held = self.held(key, message_id)
        if held is None:
            return None
        if held.sender != self.me(key[0]):
            raise PermissionDeniedError(f"you can only {doing} your own messages")
        if held.pending:
            raise BadRequestError(f"this message has not been sent yet, so you cannot {doing} it")
        return held

    async def edit(self, key: ThreadKey, message_id: str, body: str) -> Message:
        """Replace the text of one of our messages; everyone gets the new text, shown as
        edited. Raises PermissionDeniedError for someone else's message (or a setting
        notice), NotFoundError for one that is gone, BackendError when the server
        refuses. The old text leaves this device's disk too; the message keeps its
        place and time, so a vanish deadline never moves."""
        held = self._own(key, message_id, "edit")
        if held is not None:
            if held.deleted:
                raise NotFoundError("this message was deleted")
            if held.kind != "text":
                raise PermissionDeniedError("only text messages can be edited")
            if held.body == body:
                return held
        edited = await self.linked[key[0]].backend.edit(key[1], message_id, body)
        # Through the same path as the stream's copy (which may come first or after).
        self.apply(MessageReceived(edited))
        return edited

    async def unsend(self, key: ThreadKey, message_id: str) -> None:
        """Take back (delete) one of our messages: everyone sees "message deleted" in its
        place. Raises PermissionDeniedError for someone else's message, BackendError
        when the server refuses. Its text leaves this device's disk too."""
        held = self._own(key, message_id, "delete")
        if held is not None and held.deleted:
            return
        await self.linked[key[0]].backend.redact(key[1], message_id)
        self.apply(MessageRedacted(key[0], key[1], message_id))

    def typing(self, key: ThreadKey, active: bool) -> None:
        """The composer of ``key`` changed (``active``: call it on every change) or
        was cleared or left (False). Throttled to one notice every few seconds, and
        nothing goes out while ``send_typing`` is off (chatui.session.typing).
        Sending a message says "stopped" by itself."""
        if key[0] in self.linked and not self._stopped:
            self._typing.ours(key, active)

    def _send_typing(self, key: ThreadKey, active: bool) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (a script, a test without one): nobody to tell anyway
        self.spawn(self._tell_typing(key, active))

    async def _tell_typing(self, key: ThreadKey, active: bool) -> None:
        # One at a time per account, in order: a stop must not overtake its start.
        lock = self._typing_locks.setdefault(key[0], asyncio.Lock())
        async with lock:
            try:
                await self.linked[key[0]].backend.set_typing(key[1], active, TYPING_TIMEOUT_MS)
            except UnsupportedError:
                pass
            except BackendError as err:  # best effort: a missed notice harms nobody
                log.debug("could not tell %s about typing: %s", key, err)

    def typing_in(self, key: ThreadKey) -> list[str]:
        """Who is typing in ``key`` now, by display name (never ourselves); listeners
        hear ``TypingUpdated(key)`` when it changes, also when a notice runs out."""
        thread = self.inbox.get(key)
        users = self._typing.who(key)
        return [thread.name_of(user) if thread is not None else user for user in users]

    def seen_up_to(self, key: ThreadKey) -> str | None:
        """In a one-to-one thread: the id of our newest message the other person has
        read (from their read marker), for "seen"; None elsewhere, or if not known.
        Listeners hear ``SeenChanged(key)`` when it may have moved."""
        thread = self.inbox.get(key)
        if thread is None or not thread.one_to_one:
            return None
        me = self.me(key[0])
        other = next((m for m in thread.members if m != me), None)
        read_ts = self._read_positions_of(key).get(other) if other is not None else None
        if read_ts is None:
            return None
        loaded = self._messages.get(key)
        if loaded is None and self.store is not None:
            loaded = self.store.messages(key, self.history_page)
        for message in reversed(loaded or ()):
            if (
                message.sender == me
                and not message.pending
                and message.kind == "text"
                and message.ts <= read_ts
            ):
                return message.message_id
        return None

    def _read_positions_of(self, key: ThreadKey) -> dict[str, int]:
        positions = self._read_positions.get(key)
        if positions is None:
            stored = self.store.read_positions(key) if self.store is not None else {}
            positions = self._read_positions[key] = dict(stored)
        return positions

    def _others_read(self, key: ThreadKey, user: str, message_id: str) -> None:
        """Someone else's read marker moved: "seen" may move with it."""
        if user == self.me(key[0]):
            return
        read = self.held(key, message_id)
        if read is None:
            return  # a message we do not hold: we cannot tell what it covers
        positions = self._read_positions_of(key)
        if read.ts <= positions.get(user, -1):
            return
        positions[user] = read.ts
        if self.store is not None:
            self.store.set_read_position(key, user, read.ts)
        thread = self.inbox.get(key)
        if thread is not None and thread.one_to_one:
            self._emit(SeenChanged(key))

    # --- writing -------------------------------------------------------------------

    async def send(self, key: ThreadKey, body: str, reply_to: str | None = None) -> Message | None:
        """Send ``body`` to thread ``key`` from the account that owns the thread.

        The message shows at once as pending; the server's copy replaces it.
        ``reply_to``: the id of the message it answers (``Message.reply_to``).
        """
        self._typing.ours(key, False)  # sent: no longer typing it
        if self._outbox is not None:
            # Durable: committed before any network attempt, delivered by the outbox.
            item = self._outbox.add(key, body, reply_to)
            echo = item.echo(self.me(key[0]))
            self._add_message(echo)
            return echo
        account_id, thread_id = key
        txn_id = uuid.uuid4().hex
        echo = Message(
            account_id=account_id,
            thread_id=thread_id,
            message_id=f"~{txn_id}",
            sender=self.me(account_id),
            body=body,
            ts=now_ms(),
            txn_id=txn_id,
            reply_to=reply_to,
            pending=True,
        )
        self._add_message(echo)
        try:
            sent = await self.linked[account_id].backend.send(thread_id, body, txn_id, reply_to)
        except BackendError as err:
            # The text goes back to the composer (the app's job), so the echo must go:
            # a retry would otherwise show the message twice.
            self._remove_message(key, echo.message_id)
            self._emit(SendFailed(key, str(err)))
            return None
        self._add_message(sent)
        if self.store is not None:
            with self.store.transaction():
                self.store.put_messages([sent])
                self._persist_thread(key)
        return sent

    # --- the outbox's side ----------------------------------------------------------

    async def _deliver(self, item: OutboxItem) -> Message:
        backend = self.linked[item.account_id].backend
        return await backend.send(item.thread_id, item.body, item.txn_id, item.reply_to)

    def _delivered(self, item: OutboxItem, sent: Message) -> None:
        assert self.store is not None and self._outbox is not None
        self._add_message(sent)
        # The row goes and the message is cached in one transaction: a crash in
        # between would otherwise lose it from both, or send it again (harmless,
        # the txn_id dedupes, but needless).
        with self.store.transaction():
            self._outbox.remove_delivered(item.txn_id)
            self.store.put_messages([sent])
            self._persist_thread(item.key)
        self._vanish.learn([sent])  # our timer runs from the server's acceptance

    def _outbox_changed(self, account_id: str) -> None:
        """Tell listeners when an account's sends become stuck, change, or move again."""
        assert self._outbox is not None
        stuck = self._outbox.stuck(account_id)
        if stuck == self._stuck.get(account_id):
            return
        if stuck is None:
            self._stuck.pop(account_id, None)
        else:
            self._stuck[account_id] = stuck
        self._emit(AccountStateChanged(account_id))

    def unsent(self) -> int:
        """Messages written but not on their server yet (waiting, or refused and kept
        to retry or discard): what quitting now leaves in the outbox."""
        return len(self._outbox.items) if self._outbox is not None else 0

    def stuck_sends(self) -> dict[str, Stuck]:
        """Accounts whose messages are held up: how many wait and why (the status area
        says so, instead of leaving them "sending" forever)."""
        if self._outbox is None:
            return {}
        found = {a: self._outbox.stuck(a) for a in self.linked}
        return {a: stuck for a, stuck in found.items() if stuck is not None}

    def refused_sends(self) -> dict[str, int]:
        """Accounts with messages their server refused for good: how many. They wait
        for the user (retry or discard), so the status area keeps saying so."""
        if self._outbox is None:
            return {}
        counts: dict[str, int] = {}
        for item in self._outbox.items.values():
            if item.state == "failed":
                counts[item.account_id] = counts.get(item.account_id, 0) + 1
        return counts

    def _send_failed(self, item: OutboxItem) -> None:
        self._add_message(item.echo(self.me(item.account_id)))
        self._emit(SendFailed(item.key, item.last_error or "refused by the server"))

    def failed_message(self, key: ThreadKey) -> Message | None:
        """The thread's latest message the server refused for good (retry or discard it)."""
        if self._outbox is None:
            return None
        item = self._outbox.failed_in(key)
        return item.echo(self.me(key[0])) if item is not None else None

    def retry_failed(self, key: ThreadKey) -> bool:
        """Send the thread's latest failed message again."""
        item = self._outbox.failed_in(key) if self._outbox is not None else None
        if item is None or self._outbox is None:
            return False
        again = self._outbox.retry(item.txn_id)
        if again is not None:
            self._add_message(again.echo(self.me(key[0])))
        return True

    def discard_failed(self, key: ThreadKey) -> str | None:
        """Drop the thread's latest failed message; returns its text (for the composer)."""
        item = self._outbox.failed_in(key) if self._outbox is not None else None
        if item is None or self._outbox is None:
            return None
        self._outbox.discard(item.txn_id)
        self._remove_message(key, f"~{item.txn_id}")
        return item.body

    async def create_thread(
        self, account_id: str, members: Sequence[str], title: str | None = None
    ) -> Thread:
        """Start a conversation from ``account_id``; raises BackendError on refusal."""
        thread = await self.linked[account_id].backend.create_thread(members, title)
        self._keep_thread(thread)
        return thread

    async def accept_invite(self, key: ThreadKey) -> Thread:
        """Join a thread we were invited to; raises BackendError on refusal."""
        thread = await self.linked[key[0]].backend.accept_invite(key[1])
        self._keep_thread(thread)
        return thread

    async def decline_invite(self, key: ThreadKey) -> None:
        """Refuse an invitation; the thread leaves the list."""
        await self.linked[key[0]].backend.decline_invite(key[1])
        self.inbox.remove(key)
        if self.store is not None:
            self.store.delete_thread(key)
        self._emit(InboxChanged())


def _read(thread: Thread) -> Thread:
    """``thread`` with nothing unread (and so no unread mention) left."""
    return replace(thread, unread=0, mentions=0)


def _same(held: Message | None, message: Message) -> bool:
    return held is not None and held.message_id == message.message_id


def _describe(event: Event) -> str:
    """An event for a log line: its kind and ids, never a message's text (a log file
    must not keep what vanish mode erases)."""
    match event:
        case MessageReceived(message=m):
            return f"MessageReceived({m.account_id}/{m.thread_id}/{m.message_id})"
        case ThreadUpdated(thread=t):
            return f"ThreadUpdated({t.account_id}/{t.thread_id})"
        case MessageRedacted(account_id=a, thread_id=t, message_id=m):
            return f"MessageRedacted({a}/{t}/{m})"
        case ReadMarkerMoved(account_id=a, thread_id=t, message_id=m):
            return f"ReadMarkerMoved({a}/{t}/{m})"
        case TypingChanged(account_id=a, thread_id=t):
            return f"TypingChanged({a}/{t})"
    return type(event).__name__


def _account_of(event: Event) -> str | None:
    match event:
        case ThreadUpdated(thread=thread):
            return thread.account_id
        case MessageReceived(message=message):
            return message.account_id
        case MessageRedacted(account_id=a) | ReadMarkerMoved(account_id=a):
            return a
        case TypingChanged(account_id=a):
            return a
        case ConnectionChanged(account_id=a) | HistoryReset(account_id=a):
            return a
    return None


def _merge_into(loaded: list[Message], message: Message) -> bool:
    """Put ``message`` into ``loaded`` (kept in server order); False if nothing changed.

    A server copy replaces the pending local echo with the same ``txn_id``; a
    message we already hold by id is replaced only if it changed (reactions...).
    """
    for index in range(len(loaded) - 1, -1, -1):
        held = loaded[index]
        same_id = held.message_id == message.message_id
        same_txn = message.txn_id is not None and held.txn_id == message.txn_id
        if same_id or same_txn:
            if held == message:
                return False
            if held.pending or not message.pending:
                loaded[index] = message
                return True
            return False  # never downgrade an accepted message back to pending
    if message.pending or not loaded or message.ts >= loaded[-1].ts:
        loaded.append(message)
    else:
        index = len(loaded)
        while index > 0 and loaded[index - 1].ts > message.ts:
            index -= 1
        loaded.insert(index, message)
    return True
