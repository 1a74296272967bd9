"""Who is typing where, on the reference server: in memory, and told to the members'
live streams as ``typing`` events (docs/server.md).

Typing is ephemeral by nature: it is not kept in the database and has no place in
the resumable stream (a reconnecting client has no use for who was typing while it
was away), so these events carry no ``id:`` and never move a client's cursor. Each
notice lasts ``timeout_ms`` unless renewed; the server takes the typist off the list
when it runs out, and says so, so a client that stopped without saying "stopped"
(it crashed, the network went) does not leave "alice is typing…" behind. Every
notice is told again, also a renewal that changes nothing, so a client may expire
what it shows on its own after ``timeout_ms`` without news.

Lives on the server's event loop: the route and the expiry timers call it there.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from chatui.server import ids
from chatui.server.events import Broadcaster


class TypingRooms:
    """The typing lists of every thread, and their expiry."""

    def __init__(
        self, broadcaster: Broadcaster, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.broadcaster = broadcaster
        self._clock = clock
        # thread row id -> username -> when their notice runs out (monotonic seconds)
        self._until: dict[int, dict[str, float]] = {}
        self._timers: dict[tuple[int, str], asyncio.TimerHandle] = {}

    def users(self, tid: int) -> list[str]:
        """Who is typing in thread ``tid`` now, in the order they started."""
        now = self._clock()
        return [user for user, until in self._until.get(tid, {}).items() if until > now]

    def set(
        self, tid: int, user: str, typing: bool, timeout_ms: int, audience: frozenset[int]
    ) -> None:
        """``user`` is typing in ``tid`` for the next ``timeout_ms`` (or stopped); the
        thread's members (``audience``, user ids) hear the list as it is now."""
        timer = self._timers.pop((tid, user), None)
        if timer is not None:
            timer.cancel()
        typists = self._until.setdefault(tid, {})
        if typing:
            typists[user] = self._clock() + timeout_ms / 1000
            loop = asyncio.get_running_loop()
            self._timers[(tid, user)] = loop.call_later(
                timeout_ms / 1000, self._expire, tid, user, audience
            )
        elif typists.pop(user, None) is None:
            if not typists:
                del self._until[tid]
            return  # was not typing: nothing to tell
        self._tell(tid, audience)

    def _expire(self, tid: int, user: str, audience: frozenset[int]) -> None:
        self._timers.pop((tid, user), None)
        typists = self._until.get(tid, {})
        if typists.pop(user, None) is not None:
            self._tell(tid, audience)

    def _tell(self, tid: int, audience: frozenset[int]) -> None:
        now = self._clock()
        typists = self._until.get(tid, {})
        for user in [u for u, until in typists.items() if until <= now]:
            del typists[user]
        if not typists:
            self._until.pop(tid, None)
        left = max((until - now for until in typists.values()), default=0.0)
        self.broadcaster.publish(
            audience,
            "typing",
            {
                "thread_id": ids.thread_id(tid),
                "users": list(typists),
                "timeout_ms": int(left * 1000),
            },
        )

    def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._until.clear()
