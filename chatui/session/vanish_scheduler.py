"""The vanish scheduler: every message's deadline on ONE pending event-loop wake-up.

:class:`chatui.core.vanish.DeadlineHeap` knows what is due; this binds it to asyncio
(and nothing else: no Textual, so the Session and the benches can use it). Why one
handle and not one task or timer per message: a person can hold thousands of
disappearing messages across accounts, and each task costs memory and a slot in the
loop's own timer heap, while a polling loop wakes the process (and the laptop's CPU)
when nothing is due. Here the loop holds a single ``call_at`` handle, for the earliest
deadline by either clock; it is moved only when that earliest deadline changes, and
when nothing is armed there is no handle at all, so an idle client never wakes.

On a wake-up every due key goes out in one ``on_expire(keys)`` call (deadline order,
ties in arm order), then the handle is set for the next deadline. The handle is set a
little *after* the deadline (``SLACK_S``); if the loop still runs it early (timer
granularity, a wall clock that disagrees), the wake-up expires nothing and re-arms.

Two limits of a single monotonic wake-up, for the caller to cover with :meth:`check`:
a wall clock set forward while chatui waits is only noticed at the next wake-up or
change, and a machine's suspend does not advance the monotonic clock (so after a
resume the handle is late by the time asleep). Call :meth:`check` when it is cheap and
likely useful (the app resuming or regaining focus, a thread being opened): it expires
what is due by either clock at once and costs O(1) when nothing is.

Both sides of time are injected: the clocks through :class:`VanishClock`, and how a
wake-up is scheduled through ``schedule`` (default: the loop's ``call_at``). A test
that owns both can stall "the loop" for as long as it likes and still see the same
batches and wake-up counts on every run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Iterable
from typing import Generic, Protocol, TypeVar

from chatui.core.vanish import DeadlineHeap, VanishClock

K = TypeVar("K", bound=Hashable)


class WakeHandle(Protocol):
    """A pending wake-up, as :class:`asyncio.TimerHandle` is one."""

    def cancel(self) -> None: ...

    def when(self) -> float: ...


Schedule = Callable[[float, Callable[[], None]], WakeHandle]
"""``schedule(delay_s, callback)``: run ``callback`` once, ``delay_s`` seconds from now."""


class VanishScheduler(Generic[K]):
    """Expire armed keys at their deadlines, with one pending loop wake-up for all.

    ``loop`` defaults to the running loop, looked up when first needed: deadlines may
    be armed before the loop runs (e.g. re-armed from the store at start) and the
    wake-up is scheduled by the first call made inside the running loop, or by
    :meth:`start`. ``schedule`` replaces the loop altogether (a test's own sleeper);
    the wake-up it is asked for is already ``SLACK_S`` past the deadline.

    Counters for tests and ``bench/vanish.py``: ``wakeups`` (times the handle fired),
    ``early_wakeups`` (of those, the ones that found nothing due), ``schedules`` (times
    a handle was set), ``expired`` (keys expired).
    """

    SLACK_S = 0.0002  # fire this long after a deadline, so never before it

    def __init__(
        self,
        on_expire: Callable[[list[K]], None],
        *,
        clock: VanishClock,
        loop: asyncio.AbstractEventLoop | None = None,
        schedule: Schedule | None = None,
    ) -> None:
        self._on_expire = on_expire
        self.clock = clock
        self._heap: DeadlineHeap[K] = DeadlineHeap(clock)
        self._loop = loop
        self._schedule = schedule
        self._handle: WakeHandle | None = None
        self._scheduled_for: tuple[int, float] | None = None
        self._closed = False
        self.wakeups = 0
        self.early_wakeups = 0
        self.schedules = 0
        self.expired = 0

    # --- the deadlines ----------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._heap)

    def __contains__(self, key: object) -> bool:
        return key in self._heap

    def arm(self, key: K, expire_at_ms: int) -> None:
        """Expire ``key`` at ``expire_at_ms`` (UTC epoch ms); replaces its old deadline.

        A deadline already past expires it on the next loop iteration (not inside this
        call: ``on_expire`` is never re-entered from the caller's own code).
        """
        self._heap.arm(key, expire_at_ms)
        self._reschedule()

    def arm_many(self, items: Iterable[tuple[K, int]]) -> None:
        """Arm many ``(key, expire_at_ms)`` at once (one clock reading, one re-arm)."""
        self._heap.arm_many(items)
        self._reschedule()

    def disarm(self, key: K) -> bool:
        """Forget ``key``'s deadline (it was deleted some other way); True if armed."""
        removed = self._heap.disarm(key)
        if removed:
            self._reschedule()
        return removed

    def deadline(self, key: K) -> int | None:
        """``key``'s deadline as UTC epoch ms (what to persist and show), or None."""
        return self._heap.deadline(key)

    def remaining_ms(self, key: K) -> int | None:
        """Milliseconds ``key`` has left by the earlier clock (for a countdown), or None."""
        return self._heap.remaining_ms(key)

    @property
    def wake_at(self) -> float | None:
        """Time of the pending wake-up (the loop's, or ``schedule``'s), None if none."""
        return None if self._handle is None else self._handle.when()

    # --- running ----------------------------------------------------------------------

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Bind to ``loop`` (default: the running one) and schedule what was armed."""
        if loop is not None:
            self._loop = loop
        elif self._loop is None:
            self._loop = asyncio.get_running_loop()
        self._reschedule()

    def check(self) -> list[K]:
        """Expire whatever is due now, by either clock, then re-arm; returns those keys.

        For the start-up purge (before the first frame) and for moments when the
        monotonic wake-up may be behind the wall clock (a resume after suspend).
        """
        due = self._heap.due(self.clock.now_ms(), self.clock.mono_s())
        self._reschedule()
        if due:
            self.expired += len(due)
            self._on_expire(due)
        return due

    def close(self) -> None:
        """Cancel the pending wake-up and forget every deadline (they are persisted)."""
        self._closed = True
        self._cancel()
        self._heap.clear()

    # --- internals --------------------------------------------------------------------

    def _running_loop(self) -> asyncio.AbstractEventLoop | None:
        if self._loop is None:
            try:
                self._loop = asyncio.get_running_loop()
            except RuntimeError:
                return None  # not yet: start() or the next call inside the loop will
        return self._loop

    def _loop_schedule(self) -> Schedule | None:
        """The default sleeper: the running loop's ``call_at`` (None without a loop)."""
        loop = self._running_loop()
        if loop is None or loop.is_closed():
            return None
        return lambda delay, callback: loop.call_at(loop.time() + delay, callback)

    def _cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._scheduled_for = None

    def _reschedule(self) -> None:
        """Point the one handle at the earliest deadline — only if that deadline moved."""
        if self._closed:
            return
        earliest = self._heap.earliest()
        if earliest is None:
            self._cancel()
            return
        if self._handle is not None and earliest == self._scheduled_for:
            return
        schedule = self._schedule or self._loop_schedule()
        if schedule is None:
            return
        delay = self._heap.next_wake(self.clock.wall_ms(), self.clock.mono_s())
        assert delay is not None  # something is armed
        self._cancel()
        self._handle = schedule(delay + self.SLACK_S, self._wake)
        self._scheduled_for = earliest
        self.schedules += 1

    def _wake(self) -> None:
        self._handle = None
        self._scheduled_for = None
        self.wakeups += 1
        due = self._heap.due(self.clock.now_ms(), self.clock.mono_s())
        # Re-arm before handing the keys over: if on_expire raises, the loop reports it
        # and the remaining deadlines still fire.
        self._reschedule()
        if not due:
            self.early_wakeups += 1
            return
        self.expired += len(due)
        self._on_expire(due)
