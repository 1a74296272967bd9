"""Turning a backend's background reader task into the ``events()`` async iterator.

Both adapters read their server in a task of their own (so that ``close()`` can end
it at once, and a slow consumer never holds a socket read) and hand events over
through a queue. This is that hand-over, written once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

Put = Callable[[Any], None]

END = object()
"""Put into a stream's queue to end its consumer (what close() does)."""


async def events_from_task(
    run: Callable[[Put], Awaitable[None]],
    running: set[asyncio.Task],
    *,
    name: str | None = None,
    queues: list[asyncio.Queue] | None = None,
) -> AsyncIterator[Any]:
    """Start ``run(put)`` as a task and yield whatever it puts, until it ends.

    ``running`` holds the task while it runs (so ``close()`` can cancel it);
    ``queues``, if given, holds this stream's queue while it is consumed (for
    adapters that also push into live streams from outside the task). Closing the
    iterator early cancels the task. The queue is unbounded because ``put`` must
    never block the reader; the consumer (the Session) folds events synchronously,
    so it stays short.
    """
    queue: asyncio.Queue[Any] = asyncio.Queue()
    if queues is not None:
        queues.append(queue)
    task = asyncio.create_task(run(queue.put_nowait), name=name)
    running.add(task)

    def finished(done: asyncio.Task) -> None:
        running.discard(done)
        queue.put_nowait(END)

    task.add_done_callback(finished)
    try:
        while True:
            item = await queue.get()
            if item is END:
                break
            yield item
    finally:
        if queues is not None:
            queues.remove(queue)
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
