"""Retry timing shared by everything that waits and tries again: one policy, one place.

The outbox, the Session's account start and both adapters' reconnect loops all ask
:class:`RetryPolicy` how long to wait before attempt *n*. Full-jitter exponential
backoff, so that many clients dropped by one server restart do not all come back at
the same moment; capped, so that a long outage never means a long silence once the
server is back; and never shorter than the server's own ``Retry-After`` hint.

The attempt count may be anything a long outage produces (the outbox keeps it across
restarts): the exponent is clamped before any arithmetic, so no count can overflow.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Callable

from chatui.core.clock import now_ms
from chatui.core.models import ConnectionChanged, ConnectionState, Event

_MAX_EXPONENT = 62
"""2**62 times any sane base is far above any cap: doubling further changes nothing,
and a float never sees an integer too large to convert."""


class RetryPolicy:
    """How long to wait before the n-th consecutive retry (n >= 1).

    A plain class rather than a dataclass: it is defined at import, before the app's
    first frame, and a dataclass costs ~0.5 ms there.
    """

    __slots__ = ("base", "cap", "max_retry_after")

    def __init__(self, base: float, cap: float, max_retry_after: float = 600.0) -> None:
        """``base``: the first retry waits up to this (seconds); ``cap``: no backoff
        waits longer; ``max_retry_after``: a server's Retry-After is honoured up to
        this, so that a broken or hostile server cannot park us for days."""
        self.base = base
        self.cap = cap
        self.max_retry_after = max_retry_after

    def __repr__(self) -> str:
        return f"RetryPolicy(base={self.base}, cap={self.cap})"

    def ceiling(self, attempt: int) -> float:
        """The longest the n-th retry may wait: base·2ⁿ⁻¹, at most ``cap``."""
        exponent = min(max(attempt, 1) - 1, _MAX_EXPONENT)
        return max(0.0, min(self.cap, self.base * float(1 << exponent)))

    def delay(
        self,
        attempt: int,
        retry_after: float | None = None,
        *,
        rng: random.Random | None = None,
    ) -> float:
        """Seconds to wait before the n-th retry: drawn uniformly in
        ``[0, ceiling(n)]`` ("full jitter"), raised to the server's ``retry_after``
        when it gave one (up to ``max_retry_after``)."""
        draw = (rng or random).uniform(0.0, self.ceiling(attempt))
        hint = self.honoured(retry_after)
        return draw if hint is None else max(draw, hint)

    def honoured(self, retry_after: float | None) -> float | None:
        """The part of a server's Retry-After this policy waits for: at most
        ``max_retry_after`` seconds; None when absent or unusable (negative, NaN,
        infinite)."""
        if retry_after is None or not math.isfinite(retry_after) or retry_after < 0:
            return None
        return min(float(retry_after), self.max_retry_after)


def backoff_ceiling(failures: int, base: float, cap: float) -> float:
    """The upper bound of the n-th consecutive retry's delay (see :class:`RetryPolicy`)."""
    return RetryPolicy(base, cap).ceiling(failures)


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # not "²": isdigit() alone says yes to it
        return float(value)
    import email.utils  # rare (HTTP-date form), and slow to import: only when needed

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def due_at(delay: float) -> int:
    """When a try ``delay`` seconds from now is due, in UTC epoch ms (what
    ``ConnectionChanged.retry_at`` carries, for the status bar's countdown)."""
    return now_ms() + round(delay * 1000)


class RetryWait:
    """The wait between two tries that a person can cut short ("retry now").

    ``wait(delay)`` sleeps up to ``delay`` seconds and returns early once
    ``wake()`` is called (a wake before the wait counts for the next one, so a key
    pressed just as a try fails is not lost). One per retry loop.
    """

    __slots__ = ("_woken",)

    def __init__(self) -> None:
        self._woken: asyncio.Event | None = None  # made on first use, inside a loop

    def _event(self) -> asyncio.Event:
        if self._woken is None:
            self._woken = asyncio.Event()
        return self._woken

    async def wait(self, delay: float) -> bool:
        """Wait ``delay`` seconds or until woken; True when woken."""
        woken = self._event()
        try:
            async with asyncio.timeout(max(0.0, delay)):
                await woken.wait()
        except TimeoutError:
            return False
        finally:
            woken.clear()
        return True

    def wake(self) -> None:
        self._event().set()

    async def reconnect_after(
        self, delay: float, account_id: str, reason: str, put: Callable[[Event], None]
    ) -> None:
        """Say the account is reconnecting, why, and when the next try is due (the
        status bar counts it down), then wait for it; ``wake`` starts it at once."""
        put(
            ConnectionChanged(
                account_id,
                ConnectionState.RECONNECTING,
                reason,
                retry_at=due_at(delay),
            )
        )
        await self.wait(delay)
