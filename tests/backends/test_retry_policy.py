"""The one retry policy (chatui/backends/retry.py): for any attempt count a long outage
can produce, the wait is a finite number of seconds within the cap, and never shorter
than the server's Retry-After.

The outbox keeps its attempt count across restarts without bound; before this policy
its ``base * 2**attempts`` overflowed after 1,024 failures and killed the sender.
"""

from __future__ import annotations

import math
import random

from hypothesis import given
from hypothesis import strategies as st

from chatui.backends.retry import RetryPolicy

ATTEMPTS = st.integers(min_value=-10, max_value=10**6)
BASES = st.floats(min_value=0.001, max_value=10.0)
CAPS = st.floats(min_value=0.01, max_value=3600.0)
SEEDS = st.integers(min_value=0, max_value=2**32)


@given(attempt=ATTEMPTS, base=BASES, cap=CAPS, seed=SEEDS)
def test_any_attempt_count_gives_a_finite_wait_within_the_cap(
    attempt: int, base: float, cap: float, seed: int
) -> None:
    delay = RetryPolicy(base, cap).delay(attempt, rng=random.Random(seed))
    assert math.isfinite(delay)
    assert 0.0 <= delay <= cap


@given(
    attempt=ATTEMPTS,
    base=BASES,
    cap=CAPS,
    retry_after=st.floats(min_value=0.0, max_value=600.0),
    seed=SEEDS,
)
def test_the_wait_is_never_shorter_than_retry_after(
    attempt: int, base: float, cap: float, retry_after: float, seed: int
) -> None:
    delay = RetryPolicy(base, cap).delay(attempt, retry_after, rng=random.Random(seed))
    assert math.isfinite(delay)
    assert retry_after <= delay <= max(cap, retry_after)


@given(
    attempt=ATTEMPTS,
    retry_after=st.one_of(
        st.floats(allow_nan=True, allow_infinity=True), st.floats(min_value=600.0)
    ),
)
def test_a_wild_retry_after_cannot_park_the_client(attempt: int, retry_after: float) -> None:
    """NaN, infinite, negative or absurdly long hints: at most max_retry_after."""
    policy = RetryPolicy(1.0, 30.0, max_retry_after=600.0)
    delay = policy.delay(attempt, retry_after)
    assert math.isfinite(delay)
    assert 0.0 <= delay <= 600.0


def test_the_ceiling_doubles_from_the_base_up_to_the_cap() -> None:
    policy = RetryPolicy(0.5, 30.0)
    assert [policy.ceiling(n) for n in range(1, 9)] == [0.5, 1, 2, 4, 8, 16, 30, 30]
    assert policy.ceiling(10**6) == 30.0


def test_the_draws_spread_over_the_whole_range() -> None:
    """Full jitter: clients dropped together do not come back together."""
    policy = RetryPolicy(1.0, 30.0)
    rng = random.Random(7)
    draws = [policy.delay(5000, rng=rng) for _ in range(2000)]
    assert min(draws) < 3.0 and max(draws) > 27.0
