"""The one wall clock: UTC epoch milliseconds, as every timestamp in chatui is.

One definition so that every layer (server, adapters, store, vanish timers, the
views) reads time the same way: an ``int`` (ordering is exact), floored from the
nanosecond clock rather than rounded from a float (a float's rounding could put a
message a millisecond into the future). Tests and the vanish clock inject their
own callables where they need to; this is the default they stand in for.
"""

from __future__ import annotations

import time


def now_ms() -> int:
    """UTC epoch milliseconds from the system clock (floored, never rounded up)."""
    return time.time_ns() // 1_000_000
