"""The durable outbox: nothing typed is lost, nothing is sent twice.

A message is committed to the store *before* any network attempt, so a crash,
a ``kill -9`` or a dead server cannot lose it; on the next start the pending
rows are queued again. Each account has one sender task that delivers its rows
in the order they were written (so each thread keeps its order), each with its
``txn_id``: the server dedupes a retry of a send whose answer was lost, which
makes delivery exactly once.

Transient trouble (:class:`UnavailableError`: unreachable, timeout, 5xx, 429)
is retried with exponential backoff and full jitter, never sooner than the
server's ``Retry-After``. A refusal that retrying cannot fix (400, 403, 404,
413...) marks the row failed with the reason; the user retries or discards it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace

from chatui.backends.base import (
    BackendError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    UnavailableError,
    UnsupportedError,
)
from chatui.core.models import Message, ThreadKey
from chatui.store import Store

log = logging.getLogger(__name__)

PERMANENT = (BadRequestError, PermissionDeniedError, NotFoundError, UnsupportedError)
"""Refusals a retry cannot fix: the row goes failed (4xx other than 408/429)."""


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
    ) -> None:
        self.store = store
        self._send = send
        self._delivered = delivered
        self._failed = failed
        self.items: dict[str, OutboxItem] = {
            row[0]: OutboxItem(*row) for row in store.outbox_rows()
        }
        self._wake: dict[str, asyncio.Event] = {}
        self._tasks: dict[str, asyncio.Task] = {}

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
            created=int(time.time() * 1000),
        )
        self._save(item)
        self._poke(item.account_id)
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
        return item

    def discard(self, txn_id: str) -> OutboxItem | None:
        item = self.items.pop(txn_id, None)
        if item is not None:
            self.store.outbox_delete(txn_id)
        return item

    def remove_delivered(self, txn_id: str) -> None:
        """Forget a delivered row (the Session calls this in its store transaction)."""
        self.items.pop(txn_id, None)
        self.store.outbox_delete(txn_id)

    # --- senders -----------------------------------------------------------------

    def start(self, account_ids: Iterable[str]) -> None:
        """Run (or keep running) a sender for each account; pending rows go first."""
        for account_id in account_ids:
            task = self._tasks.get(account_id)
            if task is None or task.done():
                self._tasks[account_id] = asyncio.create_task(
                    self._sender(account_id), name=f"outbox:{account_id}"
                )
            self._poke(account_id)

    async def stop(self) -> None:
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
            wait = (item.next_attempt_at - time.time() * 1000) / 1000
            if wait > 0:
                # Strictly in order: the head row blocks the rest of this account.
                await self._sleep(account_id, wait)
                continue
            await self._attempt(item)

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
            return
        except Exception as err:  # unreachable, 5xx, 429, a refused token, a bug...
            if not isinstance(err, BackendError):
                log.exception("outbox: unexpected error sending %s", item.txn_id)
            attempts = item.attempts + 1
            delay = random.uniform(0, min(self.backoff_cap, self.backoff_base * 2**attempts))
            retry_after = getattr(err, "retry_after", None)
            if isinstance(err, UnavailableError) and retry_after is not None:
                delay = max(delay, float(retry_after))
            later = replace(
                item,
                attempts=attempts,
                next_attempt_at=int(time.time() * 1000 + delay * 1000),
                last_error=str(err),
            )
            if later.txn_id in self.items:
                self._save(later)
            return
        if item.txn_id in self.items:
            self._delivered(item, message)

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
