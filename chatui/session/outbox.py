"""The durable outbox: nothing typed is lost, nothing is sent twice.

A message is committed to the store *before* any network attempt, so a crash,
a ``kill -9`` or a dead server cannot lose it; on the next start the pending
rows are queued again. Each account has one sender task that delivers its rows
in the order they were written (so each thread keeps its order), each with its
``txn_id``: the server dedupes a retry of a send whose answer was lost, which
makes delivery exactly once.

Transient trouble (:class:`UnavailableError`: unreachable, timeout, 5xx, 429)
is retried with the shared policy (:class:`~chatui.backends.retry.RetryPolicy`:
full jitter, capped, never sooner than the server's ``Retry-After``), however many
attempts have failed before. A refusal that retrying cannot fix (400, 403, 404,
413...) marks the row failed with the reason; the user retries or discards it.

Nothing may stop a sender for good while rows wait: a sender that dies anyway (a
bug, a store that cannot write) is logged and started again after a backoff, and
an account whose head row keeps failing is reported as *stuck* (:meth:`Outbox.stuck`)
so the status area can say so instead of showing "sending" forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from typing import NamedTuple

from chatui.backends.base import (
    BackendError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    UnavailableError,
    UnsupportedError,
)
from chatui.backends.retry import RetryPolicy
from chatui.core.clock import now_ms
from chatui.core.models import Message, ThreadKey
from chatui.storage.store import Store

log = logging.getLogger(__name__)

PERMANENT = (BadRequestError, PermissionDeniedError, NotFoundError, UnsupportedError)
"""Refusals a retry cannot fix: the row goes failed (4xx other than 408/429)."""

STUCK_AFTER_ATTEMPTS = 3
"""The head row has failed this many times in a row: the account's sends are stuck."""
STUCK_AFTER_MS = 60_000
"""...or its next try is this long after it was written: stuck, however few tries."""


class Stuck(NamedTuple):
    """An account whose sends are held up: how many wait, and why (the last error)."""

    waiting: int
    reason: str


@dataclass(frozen=True, slots=True)
class OutboxItem:
    txn_id: str
    seq: int
    account_id: str
    thread_id: str
    body: str
    reply_to: str | None
    created: int  # UTC epoch ms
    attempts: int = 0
    next_attempt_at: int = 0  # UTC epoch ms
    state: str = "pending"  # "pending" | "failed"
    last_error: str | None = None

    @property
    def key(self) -> ThreadKey:
        return (self.account_id, self.thread_id)

    def echo(self, sender: str) -> Message:
        """The local copy shown until the server's replaces it."""
        return Message(
            account_id=self.account_id,
            thread_id=self.thread_id,
            message_id=f"~{self.txn_id}",
            sender=sender,
            body=self.body,
            ts=self.created,
            txn_id=self.txn_id,
            reply_to=self.reply_to,
            pending=True,
            failed=self.last_error if self.state == "failed" else None,
        )


Send = Callable[[OutboxItem], Awaitable[Message]]
Changed = Callable[[str], None]


class Outbox:
    """Rows in the store plus one sender task per account (see the module doc)."""

    backoff_base = 0.5  # seconds: the first retry waits up to this
    backoff_cap = 30.0  # seconds: no retry waits longer (unless Retry-After says so)

    def __init__(
        self,
        store: Store,
        send: Send,
        delivered: Callable[[OutboxItem, Message], None],
        failed: Callable[[OutboxItem], None],
        changed: Changed | None = None,
    ) -> None:
        """``changed(account_id)`` is called whenever what :meth:`stuck` says for the
        account may have changed (a try failed or went through, a sender died)."""
        self.store = store
        self._send = send
        self._delivered = delivered
        self._failed = failed
        self._changed = changed or (lambda account_id: None)
        self.items: dict[str, OutboxItem] = {
            row[0]: OutboxItem(*row) for row in store.outbox_rows()
        }
        self._wake: dict[str, asyncio.Event] = {}
        self._tasks: dict[str, asyncio.Task] = {}
        self._stopped = False
        # Per account: senders that died in a row, and what killed the last one.
        self._crashes: dict[str, int] = {}
        self._crash_reason: dict[str, str] = {}
        # Per row, in this run: the server's Retry-After, as epoch ms. A reconnect
        # (resume) brings a row's next try forward, but never before this.
        self._not_before: dict[str, int] = {}

    @property
    def retry_policy(self) -> RetryPolicy:
        """The shared policy, at this outbox's pace (tests set the two attributes)."""
        return RetryPolicy(self.backoff_base, self.backoff_cap)

    # --- what the Session asks -------------------------------------------------------

    def add(self, key: ThreadKey, body: str, reply_to: str | None = None) -> OutboxItem:
        """Commit a new message to the store; a running sender picks it up at once."""
        seq = max((i.seq for i in self.items.values()), default=0) + 1
        item = OutboxItem(
            txn_id=uuid.uuid4().hex,
            seq=seq,
            account_id=key[0],
            thread_id=key[1],
            body=body,
            reply_to=reply_to,
            created=now_ms(),
        )
        self._save(item)
        self._poke(item.account_id)
        self._changed(item.account_id)  # one more waiting behind a stuck one
        return item

    def for_thread(self, key: ThreadKey) -> list[OutboxItem]:
        return sorted((i for i in self.items.values() if i.key == key), key=lambda i: i.seq)

    def failed_in(self, key: ThreadKey) -> OutboxItem | None:
        """The thread's most recent failed message, if any."""
        failed = [i for i in self.for_thread(key) if i.state == "failed"]
        return failed[-1] if failed else None

    def retry(self, txn_id: str) -> OutboxItem | None:
        item = self.items.get(txn_id)
        if item is None:
            return None
        item = replace(item, state="pending", attempts=0, next_attempt_at=0, last_error=None)
        self._save(item)
        self._poke(item.account_id)
        self._changed(item.account_id)
        return item

    def discard(self, txn_id: str) -> OutboxItem | None:
        item = self.items.pop(txn_id, None)
        if item is not None:
            self.store.outbox_delete(txn_id)
            self._changed(item.account_id)
        return item

    def resume(self, account_id: str) -> None:
        """The account's server is reachable again: try its head row now rather than
        at the end of its backoff (still never before the server's Retry-After)."""
        head = self._next(account_id)
        now = now_ms()
        if head is None or head.next_attempt_at <= now:
            return
        soon = max(now, self._not_before.get(head.txn_id, 0))
        if soon < head.next_attempt_at:
            self._save(replace(head, next_attempt_at=soon))
            self._poke(account_id)

    def stuck(self, account_id: str) -> Stuck | None:
        """Whether the account's sends are held up, and how many wait; None if not.

        Stuck: the head row has failed :data:`STUCK_AFTER_ATTEMPTS` times in a row
        (this run or an earlier one), or its next try is more than a minute after it
        was written, or the sender died and waits to be started again.
        """
        head = self._next(account_id)
        if head is None:
            return None
        crash = self._crash_reason.get(account_id)
        late = head.attempts > 0 and head.next_attempt_at - head.created > STUCK_AFTER_MS
        if crash is None and head.attempts < STUCK_AFTER_ATTEMPTS and not late:
            return None
        waiting = sum(
            1 for i in self.items.values() if i.account_id == account_id and i.state == "pending"
        )
        return Stuck(waiting, crash or head.last_error or "the server did not take it")

    def remove_delivered(self, txn_id: str) -> None:
        """Forget a delivered row (the Session calls this in its store transaction)."""
        self.items.pop(txn_id, None)
        self.store.outbox_delete(txn_id)

    # --- senders -----------------------------------------------------------------

    def start(self, account_ids: Iterable[str]) -> None:
        """Run (or keep running) a sender for each account; pending rows go first."""
        self._stopped = False
        for account_id in account_ids:
            task = self._tasks.get(account_id)
            if task is None or task.done():
                self._spawn(account_id)
            self._poke(account_id)

    def _spawn(self, account_id: str) -> None:
        task = asyncio.create_task(self._sender(account_id), name=f"outbox:{account_id}")
        self._tasks[account_id] = task
        task.add_done_callback(lambda done: self._sender_ended(account_id, done))

    def _sender_ended(self, account_id: str, task: asyncio.Task) -> None:
        """A sender only ends when stopped; any other end is logged and the sender
        started again after a backoff (a bug that repeats must not spin)."""
        if self._stopped or self._tasks.get(account_id) is not task:
            return
        if task.cancelled():
            reason = "sending was interrupted"
            log.error("outbox: the sender for %s was cancelled; starting it again", account_id)
        else:
            err = task.exception()
            reason = f"sending stopped on an internal error ({type(err).__name__}); trying again"
            log.error(
                "outbox: the sender for %s died; starting it again",
                account_id,
                exc_info=(type(err), err, err.__traceback__) if err is not None else None,
            )
        crashes = self._crashes[account_id] = self._crashes.get(account_id, 0) + 1
        self._crash_reason[account_id] = reason
        self._changed(account_id)
        delay = self.retry_policy.delay(crashes)
        asyncio.get_running_loop().call_later(delay, self._restart, account_id, task)

    def _restart(self, account_id: str, dead: asyncio.Task) -> None:
        if not self._stopped and self._tasks.get(account_id) is dead:
            self._spawn(account_id)
            self._poke(account_id)

    async def stop(self) -> None:
        self._stopped = True
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def _poke(self, account_id: str) -> None:
        self._event(account_id).set()

    def _event(self, account_id: str) -> asyncio.Event:
        event = self._wake.get(account_id)
        if event is None:
            event = self._wake[account_id] = asyncio.Event()
        return event

    def _next(self, account_id: str) -> OutboxItem | None:
        pending = [
            i for i in self.items.values() if i.account_id == account_id and i.state == "pending"
        ]
        return min(pending, key=lambda i: i.seq) if pending else None

    async def _sleep(self, account_id: str, seconds: float | None) -> None:
        """Wait ``seconds`` (None: until poked); a new row or a retry wakes us early."""
        event = self._event(account_id)
        if seconds is None:
            await event.wait()
        else:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout=seconds)
        event.clear()

    async def _sender(self, account_id: str) -> None:
        while True:
            item = self._next(account_id)
            if item is None:
                await self._sleep(account_id, None)
                continue
            wait = (item.next_attempt_at - now_ms()) / 1000
            if wait > 0:
                # Strictly in order: the head row blocks the rest of this account.
                await self._sleep(account_id, wait)
                continue
            await self._attempt(item)
            self._recovered(item.account_id)

    def _recovered(self, account_id: str) -> None:
        """A try ran to its end (whatever its outcome): the sender is healthy again."""
        self._crashes.pop(account_id, None)
        if self._crash_reason.pop(account_id, None) is not None:
            self._changed(account_id)

    async def _attempt(self, item: OutboxItem) -> None:
        try:
            message = await self._send(item)
        except asyncio.CancelledError:
            raise
        except PERMANENT as err:
            log.info("outbox: %s refused for good: %s", item.txn_id, err)
            failed = replace(item, state="failed", last_error=str(err) or type(err).__name__)
            if failed.txn_id in self.items:
                self._save(failed)
                self._failed(failed)
                self._changed(item.account_id)
            return
        except Exception as err:  # unreachable, 5xx, 429, a refused token, a bug...
            if not isinstance(err, BackendError):
                log.exception("outbox: unexpected error sending %s", item.txn_id)
            # The count is kept across restarts, without bound: the policy takes any.
            attempts = item.attempts + 1
            retry_after = err.retry_after if isinstance(err, UnavailableError) else None
            policy = self.retry_policy
            delay = policy.delay(attempts, retry_after)
            now = now_ms()
            honoured = policy.honoured(retry_after)
            if honoured is not None:
                self._not_before[item.txn_id] = int(now + honoured * 1000)
            else:
                self._not_before.pop(item.txn_id, None)
            later = replace(
                item,
                attempts=attempts,
                next_attempt_at=int(now + delay * 1000),
                last_error=str(err) or type(err).__name__,
            )
            if later.txn_id in self.items:
                self._save(later)
                self._changed(item.account_id)
            return
        self._not_before.pop(item.txn_id, None)
        if item.txn_id in self.items:
            self._delivered(item, message)
            self._changed(item.account_id)

    def _save(self, item: OutboxItem) -> None:
        self.items[item.txn_id] = item
        self.store.outbox_put(
            (
                item.txn_id,
                item.seq,
                item.account_id,
                item.thread_id,
                item.body,
                item.reply_to,
                item.created,
                item.attempts,
                item.next_attempt_at,
                item.state,
                item.last_error,
            )
        )
