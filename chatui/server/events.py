"""The live event stream: GET /v1/events as Server-Sent Events.

Wire format (one block per event, blank line between)::

    event: hello                 <- always first: where this stream starts
    id: 3f9a2c1e-41
    data: {"cursor": "3f9a2c1e-41"}

    event: message               <- thread | message | redaction | read
    id: 3f9a2c1e-42              <- the cursor after this event
    data: {...}

    event: typing                <- ephemeral: no id, not replayed on resume
    data: {"thread_id": ..., "users": [...], "timeout_ms": ...}

    : ping                       <- a comment every ~15 s while idle

Without ``since``/``Last-Event-ID`` the stream starts at "now" and ``hello`` carries
the current cursor; with one it resumes right after it (``hello`` then repeats it).
Either way a client that stores the last ``id:`` it saw (hello included) and
reconnects with it gets every later event exactly once: the cursor is the id of a
row in the events table, and events are read back in id order.

Waking: the Database calls :meth:`Broadcaster.notify_threadsafe` after each commit
with the users concerned (from whatever thread wrote); each stream waits on its own
:class:`asyncio.Event`, so delivery is immediate and idle streams cost nothing.
The heartbeat is for the network, not for polling: it keeps proxies from timing the
stream out and lets a client notice a dead server.

Ephemeral events (who is typing: chatui/server/typing.py) are not rows: the
Broadcaster hands them to the streams open now (:meth:`Broadcaster.publish`), each
of which writes them without an ``id:``, so they never move a client's cursor.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import anyio
from starlette.types import Receive, Scope, Send

from chatui.server.db import Caller, Database

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
BATCH = 200
MAX_EPHEMERAL = 100
"""Ephemeral events kept for one stream that is not reading them (the oldest go)."""


class Broadcaster:
    """Wakes the live streams of users who have new events. Lives on one event loop."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiters: dict[int, set[asyncio.Event]] = {}
        # Per open stream (its wake event): ephemeral events it has yet to write.
        self._ephemeral: dict[asyncio.Event, list[str]] = {}
        self.closed = False
        self.stream_count = 0  # a plain int, so other threads may read it safely

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.closed = False

    def notify_threadsafe(self, user_ids: frozenset[int]) -> None:
        """Safe from any thread: schedules the wake-up on the server's loop."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._wake(user_ids)
        else:
            # RuntimeError: the loop closed between the check and the call.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._wake, user_ids)

    def _wake(self, user_ids: frozenset[int]) -> None:
        for uid in user_ids:
            for event in self._waiters.get(uid, ()):
                event.set()

    def publish(self, user_ids: frozenset[int], kind: str, data: dict[str, Any]) -> None:
        """Hand an ephemeral event to the open streams of ``user_ids`` (on the loop).

        Nothing is kept for streams that are not open: ephemeral means exactly that.
        """
        text = format_ephemeral(kind, data)
        for uid in user_ids:
            for event in self._waiters.get(uid, ()):
                queue = self._ephemeral.setdefault(event, [])
                queue.append(text)
                del queue[:-MAX_EPHEMERAL]
                event.set()

    def take(self, wake: asyncio.Event) -> list[str]:
        """The ephemeral events waiting for the stream that waits on ``wake``."""
        return self._ephemeral.pop(wake, [])

    def subscribe(self, user_id: int) -> asyncio.Event:
        event = asyncio.Event()
        self._waiters.setdefault(user_id, set()).add(event)
        self.stream_count += 1
        return event

    def unsubscribe(self, user_id: int, event: asyncio.Event) -> None:
        waiters = self._waiters.get(user_id)
        self._ephemeral.pop(event, None)
        if waiters is not None and event in waiters:
            waiters.discard(event)
            self.stream_count -= 1
            if not waiters:
                del self._waiters[user_id]

    def close(self) -> None:
        """End every stream (server shutdown), so that no connection holds it open."""
        self.closed = True
        for waiters in self._waiters.values():
            for event in waiters:
                event.set()


def format_event(kind: str, cursor: str, data: dict[str, Any]) -> str:
    # json.dumps escapes CR and LF inside strings, so data is always one line.
    return f"event: {kind}\nid: {cursor}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def format_ephemeral(kind: str, data: dict[str, Any]) -> str:
    """An event without ``id:``: a client's resume point stays where it was."""
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


class EventStream:
    """An ASGI response that streams one user's events until the client goes away.

    Written as a raw ASGI app rather than a StreamingResponse so that it watches for
    ``http.disconnect`` itself: uvicorn silently drops writes to a closed socket, so
    without this a dead client's stream would live on.
    """

    media_type = "text/event-stream"

    def __init__(
        self,
        db: Database,
        broadcaster: Broadcaster,
        caller: Caller,
        after: int,
        *,
        heartbeat: float = HEARTBEAT_SECONDS,
    ) -> None:
        self.db = db
        self.broadcaster = broadcaster
        self.caller = caller
        self.after = after
        self.heartbeat = heartbeat

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream; charset=utf-8"),
                    (b"cache-control", b"no-cache"),
                    (b"x-accel-buffering", b"no"),  # nginx: do not buffer the stream
                ],
            }
        )
        disconnected = False
        async with anyio.create_task_group() as tasks:

            async def watch_disconnect() -> None:
                nonlocal disconnected
                while (await receive())["type"] != "http.disconnect":
                    pass
                disconnected = True
                tasks.cancel_scope.cancel()

            tasks.start_soon(watch_disconnect)
            await self._pump(send)
            tasks.cancel_scope.cancel()
        if not disconnected:
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _pump(self, send: Send) -> None:
        async def write(text: str) -> None:
            await send({"type": "http.response.body", "body": text.encode(), "more_body": True})

        uid = self.caller.user_id
        wake = self.broadcaster.subscribe(uid)
        try:
            start = self.db.cursor(self.after)
            await write(format_event("hello", start, {"cursor": start}))
            after = self.after
            while not self.broadcaster.closed:
                # Clear before reading: a commit landing during the read sets it
                # again, so nothing can slip between the read and the wait.
                wake.clear()
                ephemeral = self.broadcaster.take(wake)
                if ephemeral:
                    await write("".join(ephemeral))
                events, after, more = await anyio.to_thread.run_sync(
                    self.db.events_after, self.caller, after, BATCH
                )
                if events:
                    await write("".join(format_event(k, c, d) for c, k, d in events))
                if more:
                    continue
                with anyio.move_on_after(self.heartbeat) as idle:
                    await wake.wait()
                if idle.cancelled_caught:
                    await write(": ping\n\n")
        finally:
            self.broadcaster.unsubscribe(uid, wake)
