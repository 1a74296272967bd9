"""Vanish deadlines (chatui.core.vanish) against a clock the test moves by hand.

What a user would notice: a message goes at its deadline, in order, never later
because someone set the clock back (while running or between runs), and earlier if
the clock was set forward; re-timing or deleting a message moves or cancels its end.
"""

from __future__ import annotations

import random

from chatui.core.vanish import DeadlineHeap, VanishClock

START_MS = 1_800_000_000_000  # some wall time in 2027


class FakeTime:
    """Two clocks that move only when the test says: the wall one can be set anywhere."""

    def __init__(self) -> None:
        self.wall = START_MS
        self.mono = 5_000.0

    def advance(self, seconds: float) -> None:
        """Real time passes: both clocks move together."""
        self.wall += round(seconds * 1000)
        self.mono += seconds

    def set_wall(self, wall_ms: int) -> None:
        """Someone sets the system clock; the monotonic clock does not notice."""
        self.wall = wall_ms

    def clock(self, high_water_ms: int = 0) -> VanishClock:
        return VanishClock(lambda: self.wall, lambda: self.mono, high_water_ms=high_water_ms)


def make(high_water_ms: int = 0) -> tuple[FakeTime, DeadlineHeap[str]]:
    t = FakeTime()
    return t, DeadlineHeap(t.clock(high_water_ms))


def due(heap: DeadlineHeap[str]) -> list[str]:
    return heap.due()  # the clock's own "now": high water and monotonic


def test_keys_come_due_in_deadline_order_and_not_before():
    t, heap = make()
    heap.arm("c", START_MS + 3000)
    heap.arm("a", START_MS + 1000)
    heap.arm("b", START_MS + 2000)
    t.advance(0.999)
    assert due(heap) == []
    t.advance(0.001)
    assert due(heap) == ["a"]
    t.advance(5)
    assert due(heap) == ["b", "c"]
    assert len(heap) == 0
    assert due(heap) == []


def test_equal_deadlines_come_in_arm_order():
    t, heap = make()
    for key in ("x", "y", "z", "w"):
        heap.arm(key, START_MS + 500)
    heap.arm("early", START_MS + 100)
    t.advance(1)
    assert due(heap) == ["early", "x", "y", "z", "w"]


def test_keys_need_not_be_orderable():
    t = FakeTime()
    heap: DeadlineHeap[tuple[str, str, object]] = DeadlineHeap(t.clock())
    first, second = ("acct", "t1", object()), ("acct", "t1", object())
    heap.arm(first, START_MS + 10)
    heap.arm(second, START_MS + 10)
    t.advance(1)
    assert heap.due() == [first, second]


def test_rearming_earlier_and_later_replaces_the_deadline():
    t, heap = make()
    heap.arm("a", START_MS + 1000)
    heap.arm("b", START_MS + 2000)
    heap.arm("b", START_MS + 500)  # earlier
    heap.arm("a", START_MS + 3000)  # later
    assert heap.deadline("a") == START_MS + 3000
    assert heap.deadline("b") == START_MS + 500
    assert len(heap) == 2
    t.advance(1)
    assert due(heap) == ["b"]
    t.advance(1.5)
    assert due(heap) == []  # a's old 1 s deadline is gone
    t.advance(0.5)
    assert due(heap) == ["a"]


def test_rearming_to_the_same_deadline_moves_a_key_behind_its_ties():
    t, heap = make()
    heap.arm("a", START_MS + 100)
    heap.arm("b", START_MS + 100)
    heap.arm("a", START_MS + 100)
    t.advance(1)
    assert due(heap) == ["b", "a"]


def test_disarmed_keys_never_come_due():
    t, heap = make()
    heap.arm("a", START_MS + 100)
    heap.arm("b", START_MS + 200)
    assert heap.disarm("a") is True
    assert heap.disarm("a") is False
    assert heap.disarm("never") is False
    assert heap.deadline("a") is None
    assert "a" not in heap and "b" in heap
    t.advance(1)
    assert due(heap) == ["b"]


def test_a_deadline_already_past_is_due_at_once():
    _, heap = make()
    heap.arm("old", START_MS - 60_000)
    assert heap.next_wake() == 0.0
    assert due(heap) == ["old"]


def test_wall_clock_set_back_does_not_extend_a_life():
    t, heap = make()
    heap.arm("m", START_MS + 10_000)
    t.advance(4)
    t.set_wall(START_MS - 3_600_000)  # an hour back
    assert heap.remaining_ms("m") == 6000  # still 6 s left, not an hour and 6 s
    assert heap.next_wake() == 6.0
    t.advance(5.999)
    assert due(heap) == []
    t.advance(0.001)
    assert due(heap) == ["m"]


def test_wall_clock_set_back_is_ignored_for_keys_armed_afterwards_too():
    t, heap = make()
    heap.arm("seen", START_MS + 60_000)  # the clock has shown START_MS
    t.set_wall(START_MS - 3_600_000)
    # The persisted deadline of another message, armed after the clock went back:
    # its time left counts from the highest wall time seen, not the lower reading.
    heap.arm("m", START_MS + 2000)
    assert heap.remaining_ms("m") == 2000
    t.advance(2)
    assert due(heap) == ["m"]


def test_wall_clock_set_forward_expires_early():
    t, heap = make()
    heap.arm("soon", START_MS + 60_000)
    heap.arm("later", START_MS + 7_200_000)
    t.advance(1)
    t.set_wall(START_MS + 3_600_000)  # an hour forward
    assert heap.remaining_ms("soon") == 0
    assert due(heap) == ["soon"]
    assert heap.next_wake() == 3600.0
    # and the later one by its wall deadline, long before its monotonic one
    t.set_wall(START_MS + 7_200_000)
    assert due(heap) == ["later"]


def test_clock_jumps_back_and_forth_expire_by_the_earlier_deadline():
    t, heap = make()
    heap.arm("a", START_MS + 10_000)
    heap.arm("b", START_MS + 20_000)
    t.set_wall(START_MS + 15_000)  # forward: a is over by the wall clock
    assert due(heap) == ["a"]
    t.set_wall(START_MS)  # back again: the high water holds
    assert heap.clock.now_ms() == START_MS + 15_000
    # b is due when the wall clock really reaches its deadline, which is also when its
    # monotonic deadline falls; not when a wait counted from the high water would end.
    assert heap.next_wake() == 20.0
    t.advance(19.999)
    assert due(heap) == []
    t.advance(0.001)
    assert due(heap) == ["b"]


def test_after_a_clock_set_back_the_wait_is_not_cut_short_again_and_again():
    t, heap = make()
    assert heap.clock.now_ms() == START_MS  # seen once
    t.set_wall(START_MS - 3_600_000)  # the high water stays at START_MS for an hour
    heap.arm("m", START_MS + 30_000)  # 30 s left, counted from the high water
    waits = []
    for _ in range(5):  # a wait cut short would come round again and again
        wait = heap.next_wake()
        if wait is None:
            break
        waits.append(wait)
        t.advance(wait)
        due(heap)
    assert waits == [30.0]  # one wake-up, by the monotonic deadline


def test_high_water_seed_stops_a_clock_set_back_between_runs():
    # Last run saw START_MS + 1 h and persisted it; the clock now reads START_MS.
    t, heap = make(high_water_ms=START_MS + 3_600_000)
    heap.arm("expired-meanwhile", START_MS + 1_800_000)
    heap.arm("has-1s-left", START_MS + 3_601_000)
    assert heap.clock.now_ms() == START_MS + 3_600_000
    assert due(heap) == ["expired-meanwhile"]
    assert heap.remaining_ms("has-1s-left") == 1000
    t.advance(1)
    assert due(heap) == ["has-1s-left"]


def test_clock_high_water_only_rises():
    t = FakeTime()
    clock = t.clock()
    assert clock.now_ms() == START_MS
    clock.seed(START_MS - 5)
    clock.seed(None)
    assert clock.high_water_ms == START_MS
    clock.seed(START_MS + 5)
    assert clock.now_ms() == START_MS + 5
    t.advance(1)
    assert clock.now_ms() == START_MS + 1000
    assert clock.high_water_ms == START_MS + 1000


def test_next_wake_is_none_when_empty_and_counts_the_earlier_clock():
    t, heap = make()
    assert heap.next_wake() is None
    assert heap.earliest() is None
    heap.arm("a", START_MS + 2500)
    assert heap.next_wake() == 2.5
    t.advance(1)
    assert heap.next_wake() == 1.5
    heap.disarm("a")
    assert heap.next_wake() is None


def test_earliest_changes_only_when_the_first_deadline_does():
    _, heap = make()
    heap.arm("a", START_MS + 1000)
    first = heap.earliest()
    heap.arm("b", START_MS + 5000)
    assert heap.earliest() == first
    heap.arm("c", START_MS + 500)
    assert heap.earliest() != first
    heap.disarm("c")
    assert heap.earliest() == first


def test_ten_thousand_deadlines_pop_in_order():
    t, heap = make()
    rng = random.Random(5)
    deadlines = {f"m{i}": START_MS + rng.randrange(0, 3_000) for i in range(10_000)}
    heap.arm_many(deadlines.items())
    assert len(heap) == 10_000
    order = list(deadlines)  # arm order
    expected = sorted(range(len(order)), key=lambda i: (deadlines[order[i]], i))
    popped: list[str] = []
    while len(heap):
        t.advance(0.25)
        batch = due(heap)
        assert all(deadlines[k] <= t.wall for k in batch)
        assert all(deadlines[k] > t.wall for k in deadlines if k in heap)  # none left behind
        popped += batch
    assert popped == [order[i] for i in expected]


def test_churn_keeps_memory_bounded():
    t, heap = make()
    for i in range(100):
        heap.arm(f"k{i}", START_MS + 10_000 + i)
    for round_ in range(200):  # 20,000 re-arms of the same 100 keys
        for i in range(100):
            heap.arm(f"k{i}", START_MS + 10_000 + round_ + i)
    assert len(heap) == 100
    assert heap.heap_entries <= 2 * (2 * 100 + 64)
    for i in range(100):
        heap.disarm(f"k{i}")
    heap.arm("last", START_MS + 1)
    assert heap.heap_entries <= 2 * (2 * 1 + 64)
    t.advance(1)
    assert due(heap) == ["last"]


def test_expiring_many_by_wall_clock_leaves_no_stale_pile_behind():
    t, heap = make()
    for round_ in range(50):
        heap.arm_many((f"r{round_}-{i}", START_MS + 1000) for i in range(200))
        t.set_wall(START_MS + 2000)  # due by wall; their monotonic entries go stale
        assert len(due(heap)) == 200
        t.set_wall(START_MS)
    assert len(heap) == 0
    assert heap.heap_entries <= 2 * (2 * 200 + 64)


def test_arm_many_shares_one_clock_reading():
    t = FakeTime()
    readings = iter(range(10**9))

    def mono() -> float:
        return t.mono + next(readings) * 0.004  # time moves 4 ms per reading

    heap: DeadlineHeap[int] = DeadlineHeap(VanishClock(lambda: t.wall, mono))
    heap.arm_many((i, START_MS + 1000) for i in range(10))
    # One monotonic deadline for the whole group: it expires in one go.
    assert heap.earliest() is not None
    _, mono_deadline = heap.earliest()
    assert heap.due(START_MS + 999, mono_deadline) == list(range(10))
