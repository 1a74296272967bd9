"""Typing notices, both ways, for one Session: when to tell a thread that we are
typing, and who is typing in each thread now.

Ours, throttled: the composer reports every change of its text, but a notice goes
out at most once every :data:`RENEW_S` seconds while the typing goes on, each good
for :data:`TIMEOUT_MS` on the server (so a client that stops saying so, or dies,
drops off the others' screens within seconds), and a stop goes out at once when
the text is sent or cleared — only if a start went out before it. Sending can be
turned off (``enabled``); a stop for a start already sent still goes.

Theirs: each ``TypingChanged`` replaces a thread's list. An adapter that vouches
for its list only for a while (``timeout_ms``: the reference server repeats it
while someone keeps typing) has it expire here too, so a lost "stopped" cannot
leave "alice is typing…" on screen; one whose server always says when someone
stops (Matrix) has it held until then, or until the connection goes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable

from chatui.core.models import ThreadKey

TIMEOUT_MS = 8_000
"""How long one notice of ours holds on the server unless renewed."""
RENEW_S = 4.0
"""At most one notice every this many seconds while typing goes on."""
GRACE_S = 0.5
"""Added to an adapter's ``timeout_ms`` here: the news that renews it takes time."""


class Typing:
    """Who types where, and whether to tell the thread that we do."""

    def __init__(
        self,
        send: Callable[[ThreadKey, bool], None],
        changed: Callable[[ThreadKey], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._send = send
        self._changed = changed
        self._clock = clock
        self.enabled = True
        """Tell others when we type (the user may turn it off)."""
        self._sent: dict[ThreadKey, float] = {}  # key -> when our last start went out
        # key -> user -> until when it holds (monotonic seconds), None: until told
        self._typists: dict[ThreadKey, dict[str, float | None]] = {}
        self._timer: asyncio.TimerHandle | None = None

    # --- ours --------------------------------------------------------------------------

    def ours(self, key: ThreadKey, active: bool) -> None:
        """The composer of ``key`` changed (``active``) or was sent, cleared or left."""
        if active:
            if not self.enabled:
                return
            now = self._clock()
            last = self._sent.get(key)
            if last is not None and now - last < RENEW_S:
                return
            self._sent[key] = now
            self._send(key, True)
        elif self._sent.pop(key, None) is not None:
            self._send(key, False)

    # --- theirs ------------------------------------------------------------------------

    def heard(self, key: ThreadKey, users: Iterable[str], timeout_ms: int | None, me: str) -> None:
        """A thread's list as its server says it is now (``me`` is left out)."""
        until = None if timeout_ms is None else self._clock() + timeout_ms / 1000 + GRACE_S
        now = {user: until for user in users if user != me}
        before = self._typists.pop(key, {})
        if now:
            self._typists[key] = now
        self._arm()
        if list(now) != list(self._live(before)):
            self._changed(key)

    def sent_a_message(self, key: ThreadKey, user: str) -> None:
        """``user``'s message arrived in ``key``: they are done typing it."""
        typists = self._typists.get(key)
        if typists is not None and typists.pop(user, None) is not None:
            if not typists:
                del self._typists[key]
            self._changed(key)

    def forget_account(self, account_id: str) -> None:
        """The account's connection went: what it said of typing is stale."""
        for key in [k for k in self._typists if k[0] == account_id]:
            del self._typists[key]
            self._changed(key)

    def who(self, key: ThreadKey) -> list[str]:
        """Who is typing in ``key`` now (user ids), in the order the server gave."""
        return list(self._live(self._typists.get(key, {})))

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # --- expiry ------------------------------------------------------------------------

    def _live(self, typists: dict[str, float | None]) -> dict[str, float | None]:
        now = self._clock()
        return {u: until for u, until in typists.items() if until is None or until > now}

    def _arm(self) -> None:
        """One wake-up, at the soonest time a list runs out."""
        self.close()
        soonest = min(
            (u for typists in self._typists.values() for u in typists.values() if u is not None),
            default=None,
        )
        if soonest is None:
            return
        with contextlib.suppress(RuntimeError):  # no running loop: checked when asked
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(max(0.0, soonest - self._clock()), self._expire)

    def _expire(self) -> None:
        self._timer = None
        for key in list(self._typists):
            typists = self._typists[key]
            live = self._live(typists)
            if len(live) != len(typists):
                if live:
                    self._typists[key] = live
                else:
                    del self._typists[key]
                self._changed(key)
        self._arm()
