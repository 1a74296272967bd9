"""Vanish benchmark: the one-wake-up scheduler against a task per message.

Not a test: it prints figures, with a baseline measured in the same run, because
machines here are noisy and absolute milliseconds mean little.

Each mode runs on a fresh asyncio loop whose selector counts how often the loop woke
up (a ``select`` that waited, returning), so both are measured with the same yardstick:

- ``scheduler``: ``chatui.session.vanish_scheduler.VanishScheduler`` — N messages armed at once
  (``arm_many``) with deadlines spread uniformly over ``--spread`` seconds, starting
  0.5 s out; deletion lateness = the moment ``on_expire`` ran minus the deadline
  (UTC epoch ms), and the scheduler's own wake-up count.
- ``tasks`` (baseline): the same deadlines as plain asyncio sleeps, one task per
  message (``asyncio.create_task(sleep_until(deadline))``), lateness measured the same
  way.

Then, for both: loop wake-ups during 1 s of idling with nothing armed, and during 1 s
with N messages armed an hour out; and the memory held by N armed messages
(tracemalloc), and the time to arm them.

Targets: p99 lateness under 100 ms; no wake-up while idle except at
deadlines.

Run: ``.venv/bin/python bench/vanish.py [--count N] [--spread SECONDS] [--seed N]``
"""

from __future__ import annotations

import argparse
import asyncio
import random
import selectors
import sys
import time
import tracemalloc
from collections.abc import Callable, Coroutine
from typing import Any

from chatui.core.clock import now_ms
from chatui.core.vanish import VanishClock
from chatui.session.vanish_scheduler import VanishScheduler

LEAD_S = 0.5  # the first deadline is this far out, so arming is done before it
IDLE_S = 1.0
Key = tuple[str, str, str]


class CountingSelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
    """The loop's selector, counting the loop's wake-ups: each time it waited and woke.

    A ``select`` with a zero timeout is not counted: the loop polls like that whenever
    callbacks are ready already (e.g. resuming a task after its timer), without sleeping.
    """

    def __init__(self) -> None:
        super().__init__()
        self.selects = 0

    def select(self, timeout: float | None = None) -> list:
        result = super().select(timeout)
        if timeout is None or timeout > 0:
            self.selects += 1
        return result


def run_on_counting_loop(
    main: Callable[[CountingSelector], Coroutine[Any, Any, dict[str, Any]]],
) -> dict[str, Any]:
    selector = CountingSelector()
    with asyncio.Runner(loop_factory=lambda: asyncio.SelectorEventLoop(selector)) as runner:
        return runner.run(main(selector))


def now_ms_float() -> float:
    return time.time_ns() / 1_000_000


def keys(count: int) -> list[Key]:
    return [("account", f"thread{i % 50}", f"message{i}") for i in range(count)]


def make_deadlines(count: int, spread_s: float, seed: int) -> list[int]:
    """Offsets (ms) from the moment of arming, in a random order."""
    rng = random.Random(seed)
    lead, spread = int(LEAD_S * 1000), int(spread_s * 1000)
    return [lead + rng.randrange(spread) for _ in range(count)]


async def idle_wakeups(selector: CountingSelector) -> int:
    """The loop's wake-ups over IDLE_S seconds, minus the one that ends the sleep."""
    before = selector.selects
    await asyncio.sleep(IDLE_S)
    return selector.selects - before - 1


# --- the scheduler ----------------------------------------------------------------------


async def scheduler_mode(
    selector: CountingSelector, offsets: list[int], names: list[Key]
) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    lateness: list[float] = []
    deadline_of: dict[Key, int] = {}

    def on_expire(expired: list[Key]) -> None:
        now = now_ms_float()
        lateness.extend(now - deadline_of[key] for key in expired)
        if len(lateness) == len(names) and not done.done():
            done.set_result(None)

    sched: VanishScheduler[Key] = VanishScheduler(on_expire, clock=VanishClock())
    base = now_ms()
    deadline_of.update((key, base + off) for key, off in zip(names, offsets, strict=True))
    started = time.perf_counter()
    sched.arm_many(deadline_of.items())
    arm_s = time.perf_counter() - started
    selects_before = selector.selects
    await done
    run_selects = selector.selects - selects_before
    wakeups = sched.wakeups
    idle_empty = await idle_wakeups(selector)
    sched.arm_many((key, now_ms() + 3_600_000) for key in names)
    idle_armed = await idle_wakeups(selector)
    idle_sched = sched.wakeups - wakeups
    sched.close()
    return {
        "lateness": lateness,
        "wakeups": wakeups,
        "early": sched.early_wakeups,
        "loop_wakeups": run_selects,
        "idle_empty": idle_empty,
        "idle_armed": idle_armed,
        "idle_sched": idle_sched,
        "arm_s": arm_s,
    }


async def scheduler_memory(selector: CountingSelector, names: list[Key]) -> dict[str, Any]:
    sched: VanishScheduler[Key] = VanishScheduler(lambda _keys: None, clock=VanishClock())
    far = now_ms() + 3_600_000
    items = [(key, far + i) for i, key in enumerate(names)]
    tracemalloc.start()
    sched.arm_many(items)
    held, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    sched.close()
    return {"bytes": held}


# --- the baseline: one task per message -------------------------------------------------


async def sleep_until(deadline_ms: int, lateness: list[float]) -> None:
    await asyncio.sleep(max(0.0, (deadline_ms - now_ms_float()) / 1000))
    lateness.append(now_ms_float() - deadline_ms)


async def tasks_mode(
    selector: CountingSelector, offsets: list[int], names: list[Key]
) -> dict[str, Any]:
    lateness: list[float] = []
    base = now_ms()
    started = time.perf_counter()
    tasks = [asyncio.create_task(sleep_until(base + off, lateness)) for off in offsets]
    arm_s = time.perf_counter() - started
    selects_before = selector.selects
    await asyncio.gather(*tasks)
    run_selects = selector.selects - selects_before
    idle_empty = await idle_wakeups(selector)
    far = now_ms() + 3_600_000
    parked = [asyncio.create_task(sleep_until(far, [])) for _ in names]
    await asyncio.sleep(0)  # let them all reach their sleep
    idle_armed = await idle_wakeups(selector)
    for task in parked:
        task.cancel()
    await asyncio.gather(*parked, return_exceptions=True)
    return {
        "lateness": lateness,
        "loop_wakeups": run_selects,
        "idle_empty": idle_empty,
        "idle_armed": idle_armed,
        "arm_s": arm_s,
    }


async def tasks_memory(selector: CountingSelector, names: list[Key]) -> dict[str, Any]:
    far = now_ms() + 3_600_000
    tracemalloc.start()
    parked = [asyncio.create_task(sleep_until(far, [])) for _ in names]
    await asyncio.sleep(0)  # each task has started and holds its timer handle
    held, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    for task in parked:
        task.cancel()
    await asyncio.gather(*parked, return_exceptions=True)
    return {"bytes": held}


# --- report -----------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ratio(ours: float, base: float) -> str:
    return f"{ours / base:6.2f}x" if base > 0 else "     -"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="armed messages (10,000)")
    parser.add_argument(
        "--spread", type=float, default=3.0, help="deadlines spread over this many seconds (3)"
    )
    parser.add_argument("--seed", type=int, default=5, help="random seed for the deadlines")
    args = parser.parse_args()
    if args.count < 1 or args.spread <= 0:
        parser.error("--count must be at least 1 and --spread above 0")

    names = keys(args.count)
    offsets = make_deadlines(args.count, args.spread, args.seed)
    distinct = len(set(offsets))
    print(
        f"{args.count:,} messages, deadlines over {args.spread:g} s from +{LEAD_S:g} s"
        f" ({distinct:,} distinct ms); python {sys.version.split()[0]}"
    )
    ours = run_on_counting_loop(lambda sel: scheduler_mode(sel, offsets, names))
    base = run_on_counting_loop(lambda sel: tasks_mode(sel, offsets, names))
    ours_mem = run_on_counting_loop(lambda sel: scheduler_memory(sel, names))
    base_mem = run_on_counting_loop(lambda sel: tasks_memory(sel, names))

    rows: list[tuple[str, str, str, str]] = []
    for label, q in (("p50", 0.50), ("p99", 0.99), ("max", 1.0)):
        a, b = percentile(ours["lateness"], q), percentile(base["lateness"], q)
        rows.append((f"lateness {label} (ms)", f"{a:9.2f}", f"{b:9.2f}", ratio(a, b)))
    rows.append(
        (
            "loop wake-ups, whole run",
            f"{ours['loop_wakeups']:9,}",
            f"{base['loop_wakeups']:9,}",
            ratio(ours["loop_wakeups"], base["loop_wakeups"]),
        )
    )
    rows.append(("scheduler wake-ups", f"{ours['wakeups']:9,}", f"{'-':>9}", ""))
    rows.append(
        (
            f"loop wake-ups, {IDLE_S:g} s idle, none armed",
            f"{ours['idle_empty']:9,}",
            f"{base['idle_empty']:9,}",
            "",
        )
    )
    rows.append(
        (
            f"loop wake-ups, {IDLE_S:g} s idle, {args.count:,} armed +1 h",
            f"{ours['idle_armed']:9,}",
            f"{base['idle_armed']:9,}",
            "",
        )
    )
    a_ms, b_ms = ours["arm_s"] * 1000, base["arm_s"] * 1000
    rows.append(("time to arm all (ms)", f"{a_ms:9.1f}", f"{b_ms:9.1f}", ratio(a_ms, b_ms)))
    a_kb, b_kb = ours_mem["bytes"] / 1024, base_mem["bytes"] / 1024
    rows.append(
        ("memory held while armed (KiB)", f"{a_kb:9,.0f}", f"{b_kb:9,.0f}", ratio(a_kb, b_kb))
    )

    width = max(len(r[0]) for r in rows)
    print(f"{'':{width}}  {'scheduler':>9}  {'tasks':>9}  {'ratio':>7}")
    for name, a, b, r in rows:
        print(f"{name:{width}}  {a}  {b}  {r:>7}")

    p99 = percentile(ours["lateness"], 0.99)
    print(
        f"scheduler: p99 lateness {p99:.1f} ms (target < 100 ms: "
        f"{'met' if p99 < 100 else 'MISSED'}); {ours['wakeups']:,} wake-ups for"
        f" {distinct:,} distinct deadlines ({ours['early']} early);"
        f" {ours['idle_sched']} scheduler wake-ups while idle (target 0)"
    )


if __name__ == "__main__":
    main()
