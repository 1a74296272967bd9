"""The vanish scheduler: one wake-up per deadline, none when idle, never before a deadline.

What a user would notice: disappearing messages go in deadline order and never early,
and an idle chatui does not wake the machine. The counts (how many times the
scheduler woke) are what keeps the second promise, so they are asserted exactly —
which is only honest when the test owns time. So almost every test here runs on
:class:`FakeTime`: both clocks and the sleeper the scheduler schedules its wake-up
with, moved only by the test. A busy machine cannot regroup the batches; a stalled
loop is something a test does on purpose (:meth:`FakeTime.stall`).

One test runs on a real asyncio loop, to show the default sleeper (the loop's
``call_at``) is wired up; it asserts order and "never early", not counts.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from chatui.core.clock import now_ms
from chatui.core.vanish import VanishClock
from chatui.session.vanish_scheduler import VanishScheduler

START_MS = 1_800_000_000_000  # some wall time in 2027
SLACK_S = VanishScheduler.SLACK_S


@dataclass
class FakeHandle:
    """A wake-up the scheduler asked :class:`FakeTime` for."""

    at: float
    seq: int
    callback: Callable[[], None]
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True

    def when(self) -> float:
        return self.at


@dataclass
class FakeTime:
    """A wall clock, a monotonic clock and a sleeper that move only when the test says.

    Like an event loop, it runs a wake-up at (or after) its time and reports an
    exception from one without stopping the others (``errors``).
    """

    wall_ms: float = START_MS
    mono_s: float = 5_000.0
    handles: list[FakeHandle] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    def clock(self) -> VanishClock:
        return VanishClock(lambda: int(self.wall_ms), lambda: self.mono_s)

    def schedule(self, delay_s: float, callback: Callable[[], None]) -> FakeHandle:
        handle = FakeHandle(self.mono_s + max(0.0, delay_s), len(self.handles), callback)
        self.handles.append(handle)
        return handle

    def pending(self) -> list[FakeHandle]:
        return [h for h in self.handles if not h.cancelled]

    def _move(self, seconds: float) -> None:
        self.wall_ms += seconds * 1000
        self.mono_s += seconds

    def advance(self, seconds: float) -> None:
        """Time passes on an idle loop: each wake-up runs at its own time, in order."""
        target = self.mono_s + seconds
        while True:
            due = [h for h in self.pending() if h.at <= target]
            if not due:
                break
            handle = min(due, key=lambda h: (h.at, h.seq))
            handle.cancelled = True  # ran: a handle runs once
            self._move(max(0.0, handle.at - self.mono_s))
            try:
                handle.callback()
            except Exception as error:  # the loop reports it and runs on
                self.errors.append(error)
        self._move(target - self.mono_s)

    def stall(self, seconds: float) -> None:
        """The loop is busy for ``seconds``: time passes and no wake-up runs meanwhile."""
        self._move(seconds)

    def set_wall(self, wall_ms: float) -> None:
        """Someone sets the system clock; the monotonic clock does not notice."""
        self.wall_ms = wall_ms


class Recorder:
    """on_expire for the scheduler: keeps each batch."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def __call__(self, keys: list[str]) -> None:
        self.batches.append(list(keys))


def scheduler(recorder: Callable[[list[str]], None], time: FakeTime) -> VanishScheduler[str]:
    return VanishScheduler(recorder, clock=time.clock(), schedule=time.schedule)


def test_groups_expire_in_order_with_one_wakeup_per_distinct_deadline():
    time, rec = FakeTime(), Recorder()
    sched = scheduler(rec, time)
    # Armed out of order, one at a time and in bulk; three distinct deadlines.
    sched.arm("c1", START_MS + 300)
    sched.arm_many([("a1", START_MS + 100), ("a2", START_MS + 100), ("c2", START_MS + 300)])
    sched.arm("b1", START_MS + 200)
    sched.arm("a3", START_MS + 100)
    sched.arm("b2", START_MS + 200)
    time.advance(0.099)
    assert rec.batches == []  # never before the deadline
    time.advance(0.001 + SLACK_S)
    assert rec.batches == [["a1", "a2", "a3"]]
    time.advance(1.0)
    assert rec.batches == [["a1", "a2", "a3"], ["b1", "b2"], ["c1", "c2"]]
    assert sched.wakeups == 3
    assert sched.early_wakeups == 0
    assert sched.expired == 7
    assert len(sched) == 0
    assert sched.wake_at is None
    assert time.pending() == []


def test_a_stalled_loop_delivers_everything_due_in_one_batch_in_deadline_order():
    time, rec = FakeTime(), Recorder()
    sched = scheduler(rec, time)
    sched.arm_many([("c", START_MS + 300), ("a", START_MS + 90), ("b", START_MS + 200)])
    time.stall(0.25)  # the loop is busy past two deadlines
    time.advance(0)  # and then gets round to its timers
    assert rec.batches == [["a", "b"]]
    assert sched.wakeups == 1
    time.advance(1.0)
    assert rec.batches == [["a", "b"], ["c"]]
    assert sched.wakeups == 2
    assert sched.early_wakeups == 0


def test_nothing_armed_means_no_wakeup_while_idle():
    time, rec = FakeTime(), Recorder()
    sched = scheduler(rec, time)
    time.advance(3600)
    assert sched.wakeups == 0
    assert sched.wake_at is None
    assert time.handles == []
    # Armed and then all disarmed: the pending wake-up goes with them.
    sched.arm_many((f"m{i}", START_MS + 3_600_000 + 50 + i) for i in range(100))
    assert sched.wake_at is not None
    for i in range(100):
        sched.disarm(f"m{i}")
    assert sched.wake_at is None
    assert time.pending() == []
    time.advance(3600)
    assert sched.wakeups == 0
    assert rec.batches == []


def test_after_the_last_deadline_no_further_wakeup():
    time, rec = FakeTime(), Recorder()
    sched = scheduler(rec, time)
    sched.arm("only", START_MS + 20)
    time.advance(3600)
    assert rec.batches == [["only"]]
    assert sched.wakeups == 1
    assert sched.wake_at is None
    assert time.pending() == []


def test_one_pending_wakeup_moved_only_when_the_earliest_deadline_changes():
    time, rec = FakeTime(), Recorder()
    sched = scheduler(rec, time)
    sched.arm("first", START_MS + 10_000)
    assert sched.schedules == 1
    for i in range(1000):  # all later than "first": the wake-up stays put
        sched.arm(f"later{i}", START_MS + 20_000 + i)
    sched.disarm("later5")
    assert sched.schedules == 1
    assert len(time.pending()) == 1
    sched.arm("sooner", START_MS + 5_000)
    assert sched.schedules == 2
    sched.disarm("sooner")  # the earliest is "first" again
    assert sched.schedules == 3
    assert len(time.pending()) == 1
    assert sched.deadline("first") == START_MS + 10_000
    sched.close()
    assert sched.wake_at is None
    assert time.pending() == []


def test_rearming_later_and_earlier_and_disarming():
    time, rec = FakeTime(), Recorder()
    sched = scheduler(rec, time)
    sched.arm("a", START_MS + 60)
    sched.arm("b", START_MS + 120)
    sched.arm("gone", START_MS + 90)
    sched.arm("c", START_MS + 400)
    sched.arm("a", START_MS + 200)  # later
    sched.arm("c", START_MS + 30)  # earlier
    assert sched.disarm("gone")
    assert not sched.disarm("gone")
    time.advance(1.0)
    assert rec.batches == [["c"], ["b"], ["a"]]
    assert sched.wakeups == 3


def test_a_past_deadline_expires_on_the_next_loop_turn_not_inside_arm():
    time, rec = FakeTime(), Recorder()
    sched = scheduler(rec, time)
    sched.arm("stale", START_MS - 60_000)
    assert rec.batches == []  # never from inside the caller's own call
    assert sched.wake_at is not None and sched.wake_at <= time.mono_s + SLACK_S
    time.advance(SLACK_S)
    assert rec.batches == [["stale"]]
    assert sched.wakeups == 1


def test_wall_clock_set_forward_is_noticed_at_the_next_change_or_check():
    time, rec = FakeTime(), Recorder()
    sched = scheduler(rec, time)
    sched.arm("one-minute", START_MS + 60_000)
    sched.arm("two-minutes", START_MS + 120_000)
    time.set_wall(START_MS + 90_000)  # someone sets the clock 90 s forward
    assert sched.check() == ["one-minute"]
    assert rec.batches == [["one-minute"]]
    time.set_wall(START_MS + 180_000)
    sched.arm("new", START_MS + 240_000)  # any change re-reads both clocks
    time.advance(SLACK_S)
    assert rec.batches == [["one-minute"], ["two-minutes"]]
    assert "new" in sched
    sched.close()


def test_wall_clock_set_back_does_not_delay_expiry():
    time, rec = FakeTime(), Recorder()
    sched = scheduler(rec, time)
    sched.arm("m", START_MS + 100)
    time.set_wall(START_MS - 3_600_000)  # an hour back: the monotonic deadline still falls
    sched.arm("other", START_MS + 3_600_000)  # a change, re-reading the clocks
    time.advance(0.1 + SLACK_S)
    assert rec.batches == [["m"]]
    assert sched.early_wakeups == 0
    sched.close()


def test_on_expire_may_arm_and_its_errors_do_not_stop_the_timers():
    time, rec = FakeTime(), Recorder()

    def on_expire(keys: list[str]) -> None:
        rec(keys)
        if keys == ["a"]:
            sched.arm("from-callback", int(time.wall_ms) + 20)
            raise RuntimeError("boom")

    sched = scheduler(on_expire, time)
    sched.arm("a", START_MS + 20)
    sched.arm("b", START_MS + 150)
    time.advance(1.0)
    assert rec.batches == [["a"], ["from-callback"], ["b"]]
    assert [type(e) for e in time.errors] == [RuntimeError]


def test_close_cancels_everything():
    time, rec = FakeTime(), Recorder()
    sched = scheduler(rec, time)
    sched.arm("m", START_MS + 30)
    sched.close()
    assert sched.wake_at is None
    assert len(sched) == 0
    assert time.pending() == []
    time.advance(3600)
    assert rec.batches == [] and sched.wakeups == 0
    sched.arm("after-close", START_MS)  # ignored by a closed scheduler
    assert time.pending() == []
    time.advance(3600)
    assert rec.batches == []


def test_check_purges_what_is_due_synchronously():
    time, rec = FakeTime(), Recorder()
    sched = scheduler(rec, time)
    sched.arm_many(
        [("expired1", START_MS - 5000), ("expired2", START_MS - 10), ("alive", START_MS + 60_000)]
    )
    assert sched.check() == ["expired1", "expired2"]
    assert rec.batches == [["expired1", "expired2"]]
    assert sched.check() == []
    assert sched.deadline("alive") == START_MS + 60_000
    sched.close()


def test_on_a_real_loop_deadlines_armed_before_it_runs_fire_in_order_and_never_early():
    """The default sleeper is the loop's ``call_at``; a deadline armed before the loop
    runs (re-armed from the store at start) is scheduled once it does.

    Real time, so only what a stall cannot change is asserted: the order, and that no
    key went before its deadline. ``wait_s`` bounds a failure, it times nothing.
    """
    wait_s = 30.0
    clock = VanishClock()
    fired: list[tuple[str, int]] = []
    done: asyncio.Future[None] | None = None

    def on_expire(keys: list[str]) -> None:
        fired.extend((key, clock.now_ms()) for key in keys)
        if len(fired) == 2 and done is not None:
            done.set_result(None)

    sched: VanishScheduler[str] = VanishScheduler(on_expire, clock=clock)
    now = now_ms()
    deadlines = {"x": now + 200, "y": now + 500}
    sched.arm_many(deadlines.items())
    assert sched.wake_at is None  # nothing can be scheduled without a loop

    async def main() -> None:
        nonlocal done
        done = asyncio.get_running_loop().create_future()
        sched.start()
        assert sched.wake_at is not None
        await asyncio.wait_for(done, wait_s)

    asyncio.run(main())
    assert [key for key, _ in fired] == ["x", "y"]
    assert all(at >= deadlines[key] for key, at in fired), fired
    assert sched.wake_at is None


def test_layers_the_logic_needs_no_loop_and_the_binding_no_textual():
    code = (
        "import sys\n"
        "import chatui.core.vanish\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('asyncio', 'textual')))\n"
        "import chatui.session.vanish_scheduler\n"
        "print(sorted(m for m in sys.modules\n"
        "             if m.split('.')[0] in ('textual', 'sqlite3')\n"
        "             or m.startswith(('chatui.ui', 'chatui.session.session',\n"
        "                              'chatui.storage.store'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["[]", "[]"]
