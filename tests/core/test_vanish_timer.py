"""The vanish scheduler on a real asyncio loop: one wake-up per deadline, none when idle.

Deadlines here are short (tens to hundreds of ms) and the assertions are about ORDER
and COUNTS (how many times the loop woke the scheduler), never about how late a
wake-up was; waiting has a generous timeout.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys

from chatui.core.vanish import VanishClock, system_wall_ms
from chatui.vanish_timer import VanishScheduler

WAIT = 5.0  # seconds: a timeout for waiting, not a timing assertion


class Recorder:
    """on_expire for the scheduler: keeps each batch, and wakes a waiter at a total."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []

    def __call__(self, keys: list[str]) -> None:
        self.batches.append(list(keys))
        for want, fut in self._waiters:
            if self.count >= want and not fut.done():
                fut.set_result(None)

    @property
    def count(self) -> int:
        return sum(len(b) for b in self.batches)

    async def until(self, count: int) -> None:
        if self.count >= count:
            return
        fut = asyncio.get_running_loop().create_future()
        self._waiters.append((count, fut))
        await asyncio.wait_for(fut, WAIT)


def scheduler(recorder: Recorder, clock: VanishClock | None = None) -> VanishScheduler[str]:
    return VanishScheduler(recorder, clock=clock or VanishClock())


async def test_groups_expire_in_order_with_one_wakeup_per_distinct_deadline():
    rec = Recorder()
    sched = scheduler(rec)
    now = system_wall_ms()
    # Armed out of order, one at a time and in bulk; three distinct deadlines.
    sched.arm("c1", now + 300)
    sched.arm_many([("a1", now + 100), ("a2", now + 100), ("c2", now + 300)])
    sched.arm("b1", now + 200)
    sched.arm("a3", now + 100)
    sched.arm("b2", now + 200)
    await rec.until(7)
    assert rec.batches == [["a1", "a2", "a3"], ["b1", "b2"], ["c1", "c2"]]
    assert sched.wakeups == 3
    assert sched.early_wakeups == 0
    assert sched.expired == 7
    assert len(sched) == 0
    assert sched.wake_at is None


async def test_nothing_armed_means_no_wakeup_while_idle():
    rec = Recorder()
    sched = scheduler(rec)
    await asyncio.sleep(0.3)
    assert sched.wakeups == 0
    assert sched.wake_at is None
    # Armed and then all disarmed: the pending wake-up goes with them.
    now = system_wall_ms()
    sched.arm_many((f"m{i}", now + 50 + i) for i in range(100))
    assert sched.wake_at is not None
    for i in range(100):
        sched.disarm(f"m{i}")
    assert sched.wake_at is None
    await asyncio.sleep(0.3)
    assert sched.wakeups == 0
    assert rec.batches == []


async def test_after_the_last_deadline_no_further_wakeup():
    rec = Recorder()
    sched = scheduler(rec)
    sched.arm("only", system_wall_ms() + 20)
    await rec.until(1)
    await asyncio.sleep(0.3)
    assert sched.wakeups == 1
    assert sched.wake_at is None


async def test_one_pending_wakeup_moved_only_when_the_earliest_deadline_changes():
    rec = Recorder()
    sched = scheduler(rec)
    now = system_wall_ms()
    sched.arm("first", now + 10_000)
    assert sched.schedules == 1
    for i in range(1000):  # all later than "first": the wake-up stays put
        sched.arm(f"later{i}", now + 20_000 + i)
    sched.disarm("later5")
    assert sched.schedules == 1
    sched.arm("sooner", now + 5_000)
    assert sched.schedules == 2
    sched.disarm("sooner")  # the earliest is "first" again
    assert sched.schedules == 3
    assert sched.deadline("first") == now + 10_000
    sched.close()
    assert sched.wake_at is None


async def test_rearming_later_and_earlier_and_disarming():
    rec = Recorder()
    sched = scheduler(rec)
    now = system_wall_ms()
    sched.arm("a", now + 60)
    sched.arm("b", now + 120)
    sched.arm("gone", now + 90)
    sched.arm("c", now + 400)
    sched.arm("a", now + 200)  # later
    sched.arm("c", now + 30)  # earlier
    assert sched.disarm("gone")
    assert not sched.disarm("gone")
    await rec.until(3)
    assert rec.batches == [["c"], ["b"], ["a"]]
    assert sched.wakeups == 3


async def test_a_past_deadline_expires_on_the_next_loop_turn_not_inside_arm():
    rec = Recorder()
    sched = scheduler(rec)
    sched.arm("stale", system_wall_ms() - 60_000)
    assert rec.batches == []  # never from inside the caller's own call
    await rec.until(1)
    assert rec.batches == [["stale"]]
    assert sched.wakeups == 1


async def test_wall_clock_set_forward_is_noticed_at_the_next_change_or_check():
    rec = Recorder()
    offset = [0]
    clock = VanishClock(lambda: system_wall_ms() + offset[0])
    sched = scheduler(rec, clock)
    now = clock.now_ms()
    sched.arm("one-minute", now + 60_000)
    sched.arm("two-minutes", now + 120_000)
    offset[0] = 90_000  # someone sets the clock 90 s forward
    assert sched.check() == ["one-minute"]
    assert rec.batches == [["one-minute"]]
    offset[0] = 180_000
    sched.arm("new", clock.now_ms() + 60_000)  # any change re-reads both clocks
    await rec.until(2)
    assert rec.batches[1] == ["two-minutes"]
    assert "new" in sched
    sched.close()


async def test_wall_clock_set_back_does_not_delay_expiry():
    rec = Recorder()
    offset = [0]
    clock = VanishClock(lambda: system_wall_ms() + offset[0])
    sched = scheduler(rec, clock)
    sched.arm("m", clock.now_ms() + 100)
    offset[0] = -3_600_000  # an hour back: the monotonic deadline still falls
    sched.arm("other", clock.now_ms() + 3_600_000)  # a change, re-reading the clocks
    await rec.until(1)
    assert rec.batches == [["m"]]
    assert sched.early_wakeups == 0
    sched.close()


async def test_on_expire_may_arm_and_its_errors_do_not_stop_the_timers():
    loop = asyncio.get_running_loop()
    errors: list[dict] = []
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    rec = Recorder()

    def on_expire(keys: list[str]) -> None:
        rec(keys)
        if keys == ["a"]:
            sched.arm("from-callback", system_wall_ms() + 20)
            raise RuntimeError("boom")

    sched: VanishScheduler[str] = VanishScheduler(on_expire, clock=VanishClock())
    now = system_wall_ms()
    sched.arm("a", now + 20)
    sched.arm("b", now + 150)
    try:
        await rec.until(3)
    finally:
        loop.set_exception_handler(None)
    assert rec.batches == [["a"], ["from-callback"], ["b"]]
    assert [type(e.get("exception")) for e in errors] == [RuntimeError]


async def test_close_cancels_everything():
    rec = Recorder()
    sched = scheduler(rec)
    sched.arm("m", system_wall_ms() + 30)
    sched.close()
    assert sched.wake_at is None
    assert len(sched) == 0
    await asyncio.sleep(0.2)
    assert rec.batches == [] and sched.wakeups == 0
    sched.arm("after-close", system_wall_ms())  # ignored by a closed scheduler's loop
    await asyncio.sleep(0.05)
    assert rec.batches == []


async def test_check_purges_what_is_due_synchronously():
    rec = Recorder()
    sched = scheduler(rec)
    now = system_wall_ms()
    sched.arm_many([("expired1", now - 5000), ("expired2", now - 10), ("alive", now + 60_000)])
    assert sched.check() == ["expired1", "expired2"]
    assert rec.batches == [["expired1", "expired2"]]
    assert sched.check() == []
    assert list(sched.deadline(k) for k in ("alive",)) == [now + 60_000]
    sched.close()


def test_deadlines_armed_before_the_loop_runs_fire_once_it_does():
    rec = Recorder()
    sched = scheduler(rec)  # no running loop yet, as when re-arming from the store
    now = system_wall_ms()
    sched.arm_many([("x", now + 200), ("y", now + 500)])
    assert sched.wake_at is None  # nothing can be scheduled without a loop

    async def main() -> None:
        sched.start()
        await rec.until(2)

    asyncio.run(main())
    assert rec.batches == [["x"], ["y"]]
    assert sched.wakeups == 2


def test_layers_the_logic_needs_no_loop_and_the_binding_no_textual():
    code = (
        "import sys\n"
        "import chatui.core.vanish\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('asyncio', 'textual')))\n"
        "import chatui.vanish_timer\n"
        "print(sorted(m for m in sys.modules\n"
        "             if m.split('.')[0] in ('textual', 'sqlite3')\n"
        "             or m.startswith(('chatui.ui', 'chatui.client', 'chatui.store'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["[]", "[]"]
