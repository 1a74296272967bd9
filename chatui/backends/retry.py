"""Retry timing shared by every adapter (and the outbox): one policy, one place.

Full-jitter exponential backoff, so that many clients dropped by one server restart
do not all come back at the same moment, and the server's own ``Retry-After`` hint.
"""

from __future__ import annotations

import random
import time


def backoff_ceiling(failures: int, base: float, cap: float) -> float:
    """The upper bound of the n-th consecutive retry's delay: base·2ⁿ⁻¹, at most ``cap``."""
    return min(cap, base * 2 ** min(failures - 1, 32))


def full_jitter(failures: int, base: float, cap: float) -> float:
    """A delay drawn uniformly below :func:`backoff_ceiling` ("full jitter")."""
    return random.uniform(0, backoff_ceiling(failures, base, cap))


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    import email.utils  # rare (HTTP-date form), and slow to import: only when needed

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())
