"""Vanish mode on this client: which message gets which deadline, and what expiry does.

The rules of docs/vanish.md in one place, so that the Session only tells it what happened
(a message learned, messages drawn, a chat closed, someone's read marker) and
hands it one way to erase. The rules:

* ``timer`` N s — our own copy counts from the server's acceptance (``ts``); a
  recipient's copy from the moment it is first drawn on screen in the open
  thread. Receiving it does not count.
* ``vanish`` — a message of theirs seen here goes when the chat is closed
  (switching away, quitting, suspending; a crash is a close too: its
  ``expire_at`` is :data:`~chatui.storage.store.VANISH_ON_CLOSE`, in the past, so the
  next start purges it). Ours goes once every other member's read marker has
  passed it; so that "seen" means "seen and closed", our read marker in a thread
  holding unclosed vanish messages waits for the close.
* Deadlines are persisted (``messages.expire_at``, UTC epoch ms) and run on one
  scheduler (:class:`chatui.session.vanish_scheduler.VanishScheduler`): one pending wake-up,
  monotonic and wall clocks, the highest wall time seen kept in the store so a
  clock set back never lengthens a life.
* What we owe a server — deleting our expired messages, a deferred read marker —
  is written down first (``vanish_owed``) and paid when the account is online,
  so neither a crash nor a dead network loses it. An erased message leaves a
  tombstone so a server that still has it cannot bring it back.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from chatui.backends.base import (
    BackendError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
)
from chatui.core.clock import now_ms
from chatui.core.models import Message, ThreadKey
from chatui.core.vanish import VanishClock
from chatui.storage.store import VANISH_ON_CLOSE

if TYPE_CHECKING:
    from chatui.session.session import Session
    from chatui.session.vanish_scheduler import VanishScheduler

log = logging.getLogger(__name__)

MessageKey = tuple[str, str, str]
"""(account_id, thread_id, message_id)."""

HIGH_WATER = "vanish.wall_high_water_ms"


class VanishKeeper:
    """Arms, persists and fires vanish deadlines for one Session."""

    def __init__(
        self,
        session: Session,
        erase: Callable[[list[MessageKey]], None],
        *,
        wall_ms: Callable[[], int] = now_ms,
        mono_s: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = session
        self.store = session.store
        self._erase = erase
        seed = self.store.meta(HIGH_WATER) if self.store is not None else None
        self.clock = VanishClock(wall_ms, mono_s, high_water_ms=int(seed or 0))
        self._scheduler: VanishScheduler | None = None
        # "vanish" messages of theirs seen in a thread, going when it is closed.
        self._on_close: dict[ThreadKey, set[str]] = {}
        # A read marker held back until the close: thread -> message id.
        self._deferred_read: dict[ThreadKey, str] = {}
        self.tombstones: set[MessageKey] = (
            self.store.tombstones() if self.store is not None else set()
        )
        self._paying: set[str] = set()

    # --- life cycle -------------------------------------------------------------------

    def purge_at_start(self) -> None:
        """Erase what expired while chatui was not running; keep the rest for arming.

        Called before the first frame: an expired message must never be drawn.
        """
        if self.store is None:
            return
        now = self.clock.now_ms()
        due = self.store.expired(now)
        if due:
            self._erase([(a, t, m) for a, t, m, _sender in due])
        # Armed now, fired once the loop runs (start()).
        rows = self.store.expiries()
        self._ensure_scheduler().arm_many(((a, t, m), at) for a, t, m, at in rows if at > now)

    def start(self) -> None:
        """From now on deadlines fire (call inside the running loop)."""
        self._ensure_scheduler().start()

    def check(self) -> None:
        if self._scheduler is not None:
            self._scheduler.check()

    def close(self) -> None:
        if self._scheduler is not None:
            self._scheduler.close()
        self._save_high_water()

    def _ensure_scheduler(self) -> VanishScheduler:
        if self._scheduler is None:
            from chatui.session.vanish_scheduler import VanishScheduler

            self._scheduler = VanishScheduler(self._fire, clock=self.clock)
        return self._scheduler

    def _save_high_water(self) -> None:
        if self.store is not None:
            self.store.set_meta(HIGH_WATER, str(self.clock.now_ms()))

    # --- what the Session tells us ------------------------------------------------------

    def is_gone(self, message: Message) -> bool:
        """Erased here before: a server replaying it must not bring it back."""
        return self.is_gone_id((message.account_id, message.thread_id, message.message_id))

    def is_gone_id(self, key: MessageKey) -> bool:
        """The message ``key`` was erased here by vanish mode."""
        return key in self.tombstones

    def learn(self, messages: Iterable[Message]) -> None:
        """Messages the Session now holds (live, sent, or from a history page).

        Only our own ``timer`` messages are armed here: their clock started when
        the server accepted them. Theirs wait until drawn (:meth:`seen`).
        """
        for message in messages:
            if message.pending or message.vanish.mode != "timer" or not message.vanish.seconds:
                continue
            if message.sender != self.session.me(message.account_id):
                continue
            key = (message.account_id, message.thread_id, message.message_id)
            if self.deadline(key) is None:
                self._arm(key, message.ts + message.vanish.seconds * 1000)

    def seen(self, thread_key: ThreadKey, messages: Iterable[Message]) -> None:
        """``messages`` of the open thread were drawn on screen: their clocks start."""
        for message in messages:
            if message.pending or message.vanish.mode == "off":
                continue
            if message.sender == self.session.me(message.account_id):
                continue
            key = (message.account_id, message.thread_id, message.message_id)
            if message.vanish.mode == "timer" and message.vanish.seconds:
                if self.deadline(key) is None:
                    self._arm(key, self.clock.now_ms() + message.vanish.seconds * 1000)
            elif message.vanish.mode == "vanish":
                seen = self._on_close.setdefault(thread_key, set())
                if message.message_id not in seen:
                    seen.add(message.message_id)
                    if self.store is not None:
                        self.store.set_expiry(thread_key, message.message_id, VANISH_ON_CLOSE)

    def closing(self, thread_key: ThreadKey) -> None:
        """The chat ``thread_key`` was closed: the "vanish" messages seen in it go."""
        read = self._deferred_read.pop(thread_key, None)
        if read is not None:
            self.pay(thread_key[0], [(thread_key[1], read, "read")])
        seen = self._on_close.pop(thread_key, set())
        if seen:
            self._erase([(*thread_key, message_id) for message_id in sorted(seen)])

    def defer_read(self, thread_key: ThreadKey, message_id: str) -> bool:
        """Whether our read marker to ``message_id`` must wait for the chat's close.

        It must while the thread holds a "vanish" message of theirs not yet gone:
        the sender's copy goes once our marker passes it, and that is meant to
        happen when we close the chat, not while we are still reading.
        """
        me = self.session.me(thread_key[0])
        holds_vanish = any(
            m.vanish.mode == "vanish" and m.sender != me and not m.pending
            for m in self.session.messages(thread_key)
        )
        if holds_vanish or thread_key in self._on_close:
            self._deferred_read[thread_key] = message_id
            # Owed from now: if we are killed before the close, the next start pays
            # it (a crash closes the chat too).
            if self.store is not None:
                self.store.owe(thread_key, message_id, "read")
            return True
        return False

    def read_by(self, thread_key: ThreadKey, user: str, message_id: str) -> None:
        """``user`` read ``thread_key`` up to ``message_id``: our "vanish" messages that
        every other member has now read go."""
        me = self.session.me(thread_key[0])
        if user == me:
            return
        read = self.session.held(thread_key, message_id)
        if read is None:
            return  # a message we do not hold: we cannot tell what it covers
        position = read.ts
        positions: dict[str, int] = {}
        if self.store is not None:
            self.store.set_read_position(thread_key, user, position)
            positions = self.store.read_positions(thread_key)
        else:
            positions = {user: position}
        thread = self.session.inbox.get(thread_key)
        others = [m for m in (thread.members if thread else (user,)) if m != me] or [user]
        if any(other not in positions for other in others):
            return
        read_to = min(positions[other] for other in others)
        gone = [
            (*thread_key, m.message_id)
            for m in self.session.messages(thread_key)
            if m.vanish.mode == "vanish" and m.sender == me and not m.pending and m.ts <= read_to
        ]
        if gone:
            self._erase(gone)

    # --- deadlines ------------------------------------------------------------------------

    def deadline(self, key: MessageKey) -> int | None:
        if self._scheduler is not None:
            return self._scheduler.deadline(key)
        return None

    def pending_close(self, thread_key: ThreadKey, message_id: str) -> bool:
        return message_id in self._on_close.get(thread_key, ())

    def _arm(self, key: MessageKey, expire_at: int) -> None:
        if self.store is not None:
            self.store.set_expiry(key[:2], key[2], expire_at)
        self._ensure_scheduler().arm(key, expire_at)

    def _fire(self, keys: list[MessageKey]) -> None:
        """The scheduler's one callback: these deadlines passed."""
        self._save_high_water()
        try:
            self._erase(list(keys))
        except Exception:  # the scheduler must keep running for the others
            log.exception("could not erase expired messages")

    def forget(self, keys: Iterable[MessageKey]) -> None:
        """``keys`` were erased: drop their deadlines and mark them gone."""
        for key in keys:
            if self._scheduler is not None:
                self._scheduler.disarm(key)
            self._on_close.get(key[:2], set()).discard(key[2])
            self.tombstones.add(key)
            if self.store is not None:
                self.store.owe(key[:2], key[2], "gone")

    # --- what we owe servers -----------------------------------------------------------

    def owe_expiry(self, key: MessageKey) -> None:
        """Ask the server to delete one of our expired messages (now or when online)."""
        self._owe_and_pay(key[:2], key[2], "expire")

    def _owe_and_pay(self, thread_key: ThreadKey, message_id: str, action: str) -> None:
        if self.store is not None:
            self.store.owe(thread_key, message_id, action)
        self.pay(thread_key[0], [(thread_key[1], message_id, action)])

    def pay(self, account_id: str, items: list[tuple[str, str, str]] | None = None) -> None:
        """Make the calls owed to ``account_id``'s server (all stored ones if no items)."""
        if self.session.stopped:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # paid when the account starts
        if items is None:
            if self.store is None or account_id in self._paying:
                return
            held_back = {t for a, t in self._deferred_read if a == account_id}
            items = [
                (thread_id, message_id, action)
                for thread_id, message_id, action in self.store.owed(account_id)
                if action != "gone" and not (action == "read" and thread_id in held_back)
            ]
            if not items:
                return
            self._paying.add(account_id)
        self.session.spawn(self._pay(account_id, items))

    async def _pay(self, account_id: str, items: list[tuple[str, str, str]]) -> None:
        backend = self.session.linked[account_id].backend
        try:
            for thread_id, message_id, action in items:
                try:
                    if action == "expire":
                        await backend.expire(thread_id, message_id)
                    elif action == "read":
                        await backend.mark_read(thread_id, message_id)
                except (NotFoundError, PermissionDeniedError, BadRequestError):
                    pass  # already gone, or refused for good: retrying cannot help
                except BackendError as err:
                    log.info("owed %s of %s stays owed: %s", action, message_id, err)
                    continue
                if self.store is not None:
                    self.store.paid((account_id, thread_id), message_id, action)
        finally:
            self._paying.discard(account_id)
