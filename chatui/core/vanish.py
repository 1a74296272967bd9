"""Vanish deadlines: when a disappearing message must go, by two clocks at once.

Pure logic (no asyncio, no I/O): :mod:`chatui.session.vanish_scheduler` binds it to the event
loop with one pending wake-up. The rules are in docs/vanish.md; why they take this shape:

- A deadline is *persisted* as UTC epoch milliseconds (``expire_at``), because only the
  wall clock survives a restart and means the same on every device.
- While the client runs, the wall clock is not trustworthy: a user (or NTP) can set it
  back, which would extend a message's life, or forward. So every armed message also
  gets a *monotonic* deadline, worked out once at arm time from the time it had left,
  and it expires at the **earlier** of the two: a wall clock set forward expires it
  early (the user's clock says it is over, so it is), a wall clock set back changes
  nothing because the monotonic deadline still falls when it would have.
- Across restarts there is no monotonic clock to fall back on, so :class:`VanishClock`
  keeps the highest wall time it has seen (persist ``high_water_ms`` and seed the next
  run with it): setting the clock back while chatui is closed cannot extend a life
  either.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from chatui.core.clock import now_ms

K = TypeVar("K", bound=Hashable)

# Below this many entries in a heap, stale ones are never worth a rebuild.
_COMPACT_FLOOR = 64


class VanishClock:
    """The "now" that vanish deadlines are compared with.

    ``wall_ms`` and ``mono_s`` are injected so that tests can move either clock at
    will; the defaults are the system clock and :func:`time.monotonic` (the clock
    asyncio's loop runs on). :meth:`now_ms` never goes backwards: it is the highest
    wall time seen, seeded from ``high_water_ms`` (the value a previous run persisted),
    so a clock set back — while running or between runs — never extends a message's
    life.
    """

    def __init__(
        self,
        wall_ms: Callable[[], int] = now_ms,
        mono_s: Callable[[], float] = time.monotonic,
        *,
        high_water_ms: int = 0,
    ) -> None:
        self._wall_ms = wall_ms
        self._mono_s = mono_s
        self._high_water_ms = int(high_water_ms)

    @property
    def high_water_ms(self) -> int:
        """The highest wall time seen (or seeded); persist it to carry it across runs."""
        return self._high_water_ms

    def seed(self, high_water_ms: int | None) -> None:
        """Raise the high-water mark to a persisted value (a lower value is ignored)."""
        if high_water_ms is not None and high_water_ms > self._high_water_ms:
            self._high_water_ms = int(high_water_ms)

    def now_ms(self) -> int:
        """UTC epoch ms, but never earlier than any wall time seen before."""
        self.wall_ms()
        return self._high_water_ms

    def wall_ms(self) -> int:
        """The wall clock's own reading (raising the high-water mark if it is higher).

        Use it to work out how long until the wall clock *reaches* a deadline: after
        the clock was set back, the high-water time stands still until the wall clock
        catches up, so waiting "deadline - now_ms()" would wake too early, over and over.
        """
        wall = int(self._wall_ms())
        if wall > self._high_water_ms:
            self._high_water_ms = wall
        return wall

    def mono_s(self) -> float:
        """Monotonic seconds (meaningful only as differences within one run)."""
        return self._mono_s()


@dataclass(frozen=True, slots=True)
class _Armed:
    expire_at_ms: int  # the wall deadline: what is persisted and shown
    mono_deadline: float  # the same moment on the monotonic clock, as seen at arm time
    seq: int  # arm order: ties break by it, and it tells live heap entries from stale


class DeadlineHeap(Generic[K]):
    """Every armed key's deadline, popped in order by whichever clock passes it first.

    Keys are anything hashable, e.g. ``(account_id, thread_id, message_id)``; they are
    never compared with each other (a unique arm sequence number sits before them in
    every heap entry), so they need not be orderable.

    Two heaps, one per clock: the two clocks can drift apart (a wall clock set while
    running), so no single order serves both, and a key is due as soon as *either* of
    its deadlines has passed. Re-arming or disarming a key leaves its old entries in
    the heaps (lazy deletion: O(log n) per change instead of O(n)); they are skipped
    when they surface, and both heaps are rebuilt from the live keys once stale
    entries outnumber them, so memory stays proportional to what is armed.
    """

    def __init__(self, clock: VanishClock) -> None:
        self.clock = clock
        self._live: dict[K, _Armed] = {}
        self._by_wall: list[tuple[int, int, K]] = []
        self._by_mono: list[tuple[float, int, K]] = []
        self._seq = 0

    def __len__(self) -> int:
        return len(self._live)

    def __contains__(self, key: object) -> bool:
        return key in self._live

    @property
    def heap_entries(self) -> int:
        """Entries held in the heaps, stale ones included (for tests of compaction)."""
        return len(self._by_wall) + len(self._by_mono)

    def arm(
        self,
        key: K,
        expire_at_ms: int,
        *,
        now_wall_ms: int | None = None,
        now_mono_s: float | None = None,
    ) -> None:
        """Arm ``key`` to expire at ``expire_at_ms`` (UTC epoch ms); replaces any deadline.

        The monotonic deadline is "now + the time left", the time left counted from the
        highest wall time seen (so a clock set back gives no extra time), with "now"
        read from the clock unless given (pass both when arming many at once, so that
        keys sharing an ``expire_at_ms`` also share their monotonic deadline). A
        deadline already in the past is due at once.
        """
        now_wall_ms, now_mono_s = self._nows(now_wall_ms, now_mono_s)
        expire_at_ms = int(expire_at_ms)
        self._seq += 1
        armed = _Armed(expire_at_ms, now_mono_s + (expire_at_ms - now_wall_ms) / 1000, self._seq)
        self._live[key] = armed
        heapq.heappush(self._by_wall, (armed.expire_at_ms, armed.seq, key))
        heapq.heappush(self._by_mono, (armed.mono_deadline, armed.seq, key))
        self._maybe_compact()

    def arm_many(self, items: Iterable[tuple[K, int]]) -> None:
        """Arm each ``(key, expire_at_ms)``, all against one reading of the clocks."""
        now_wall, now_mono = self.clock.now_ms(), self.clock.mono_s()
        for key, expire_at_ms in items:
            self.arm(key, expire_at_ms, now_wall_ms=now_wall, now_mono_s=now_mono)

    def disarm(self, key: K) -> bool:
        """Forget ``key``'s deadline; True if it was armed."""
        if self._live.pop(key, None) is None:
            return False
        self._maybe_compact()
        return True

    def deadline(self, key: K) -> int | None:
        """``key``'s wall deadline (UTC epoch ms), or None when it is not armed."""
        armed = self._live.get(key)
        return None if armed is None else armed.expire_at_ms

    def remaining_ms(
        self, key: K, now_wall_ms: int | None = None, now_mono_s: float | None = None
    ) -> int | None:
        """Milliseconds ``key`` has left by the earlier clock (≥ 0), None if not armed.

        This is what a countdown should show: after the wall clock was set back, the
        wall deadline alone would show more time than the message really has.
        """
        armed = self._live.get(key)
        if armed is None:
            return None
        wall, mono = self._nows(now_wall_ms, now_mono_s)
        left = min(armed.expire_at_ms - wall, (armed.mono_deadline - mono) * 1000)
        return max(0, int(left))

    def due(self, now_wall_ms: int | None = None, now_mono_s: float | None = None) -> list[K]:
        """Pop every key whose deadline has passed by either clock.

        They come in deadline order (their ``expire_at_ms``), ties in arm order. The
        times default to the clock's; a wall time given counts as no earlier than the
        clock's high-water mark (as everywhere in this class).
        """
        wall, mono = self._nows(now_wall_ms, now_mono_s)
        popped: list[_Armed] = []
        keys: dict[int, K] = {}
        for heap, now in ((self._by_wall, wall), (self._by_mono, mono)):
            while heap:
                when, seq, key = heap[0]
                armed = self._live.get(key)
                if armed is None or armed.seq != seq:
                    heapq.heappop(heap)  # stale: re-armed or disarmed since
                    continue
                if when > now:
                    break
                heapq.heappop(heap)
                del self._live[key]
                popped.append(armed)
                keys[armed.seq] = key
        if not popped:
            return []
        popped.sort(key=lambda armed: (armed.expire_at_ms, armed.seq))
        self._maybe_compact()
        return [keys[armed.seq] for armed in popped]

    def earliest(self) -> tuple[int, float] | None:
        """The smallest live wall deadline and the smallest live monotonic deadline.

        They may belong to different keys. The pair changes exactly when the next
        wake-up must move, so a scheduler can compare it to decide whether to re-arm.
        """
        wall_top = self._live_top(self._by_wall)
        mono_top = self._live_top(self._by_mono)
        if wall_top is None or mono_top is None:
            return None
        return int(wall_top), float(mono_top)

    def next_wake(
        self, now_wall_ms: int | None = None, now_mono_s: float | None = None
    ) -> float | None:
        """Seconds until the first deadline passes by either clock (0.0 if one has); None
        when nothing is armed.

        ``now_wall_ms`` is the wall clock's own reading (default ``clock.wall_ms()``):
        a wall deadline passes when that reading reaches it. After the clock was set
        back, the high-water time stands still, so a wait worked out from it would end
        before anything is due; the monotonic deadline covers those keys instead.
        """
        earliest = self.earliest()
        if earliest is None:
            return None
        raw_wall = self.clock.wall_ms() if now_wall_ms is None else now_wall_ms
        mono = self.clock.mono_s() if now_mono_s is None else now_mono_s
        wall_deadline, mono_deadline = earliest
        if wall_deadline <= max(raw_wall, self.clock.high_water_ms):
            return 0.0
        return max(0.0, min((wall_deadline - raw_wall) / 1000, mono_deadline - mono))

    def clear(self) -> None:
        """Forget every deadline."""
        self._live.clear()
        self._by_wall.clear()
        self._by_mono.clear()

    # --- internals ------------------------------------------------------------------

    def _nows(self, wall: int | None, mono: float | None) -> tuple[int, float]:
        """Wall time (never below the high-water mark) and monotonic time."""
        return (
            self.clock.now_ms() if wall is None else max(wall, self.clock.high_water_ms),
            self.clock.mono_s() if mono is None else mono,
        )

    def _live_top(self, heap: list) -> float | None:
        while heap:
            when, seq, key = heap[0]
            armed = self._live.get(key)
            if armed is not None and armed.seq == seq:
                return when
            heapq.heappop(heap)
        return None

    def _maybe_compact(self) -> None:
        """Rebuild the heaps from the live keys once stale entries outnumber them.

        Each rebuild is O(n) and leaves no stale entry, and at least n more changes must
        happen before the next one, so the cost per change stays O(1) amortised.
        """
        limit = 2 * len(self._live) + _COMPACT_FLOOR
        if len(self._by_wall) <= limit and len(self._by_mono) <= limit:
            return
        self._by_wall = [(a.expire_at_ms, a.seq, k) for k, a in self._live.items()]
        self._by_mono = [(a.mono_deadline, a.seq, k) for k, a in self._live.items()]
        heapq.heapify(self._by_wall)
        heapq.heapify(self._by_mono)
