"""Helpers for the Matrix adapter tests: accounts, a live event tap, waiting.

The "other side" in these tests is always tests.backends.matrix.synapse.MatrixUser (raw
httpx), so what the adapter sends is checked by an independent reader and what it
receives was written by one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

from chatui.backends.matrix import MatrixBackend
from chatui.core.models import AccountConfig, Event, MessageReceived, ThreadUpdated
from tests.backends.matrix.synapse import MatrixUser, SynapseServer

WAIT = 30.0


def account_for(synapse: SynapseServer, user: MatrixUser, account_id: str = "mx") -> AccountConfig:
    return AccountConfig(
        account_id=account_id,
        kind="matrix",
        server=synapse.base_url,
        username=user.user_id,
        label="M",
        color="#5fafff",
        token_store="file",
    )


def fast(backend: MatrixBackend) -> MatrixBackend:
    """Shorter long-polls, so that close() in a test never waits on a slow answer."""
    backend.sync_timeout_ms = 5_000
    return backend


async def logged_in(
    synapse: SynapseServer, user: MatrixUser, account_id: str = "mx"
) -> MatrixBackend:
    """A backend logged in with the user's password: its own device, like the app."""
    backend = fast(MatrixBackend(account_for(synapse, user, account_id)))
    await backend.login(user.user_id, user.password or "")
    return backend


async def in_thread(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run one of MatrixUser's blocking calls without stalling the event loop."""
    return await asyncio.to_thread(func, *args, **kwargs)


class Tap:
    """Reads ``backend.events(since)`` in the background and keeps what came."""

    def __init__(self, backend: MatrixBackend, since: str | None = None) -> None:
        self.backend = backend
        self.events: list[Event] = []
        self._changed = asyncio.Event()
        self._task = asyncio.create_task(self._run(since))

    async def _run(self, since: str | None) -> None:
        async for event in self.backend.events(since):
            self.events.append(event)
            self._changed.set()

    async def wait_for(
        self, predicate: Callable[[Event], bool], what: str, timeout: float = WAIT
    ) -> Event:
        """The first event so far or to come that satisfies ``predicate``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        checked = 0
        while True:
            for event in self.events[checked:]:
                if predicate(event):
                    return event
            checked = len(self.events)
            if self._task.done():
                pytest.fail(f"the event stream ended while waiting for {what}")
            remaining = deadline - loop.time()
            if remaining <= 0:
                pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    async def message(self, body: str, what: str | None = None) -> MessageReceived:
        return await self.wait_for(
            lambda e: isinstance(e, MessageReceived) and e.message.body == body,
            what or f"message {body!r}",
        )

    async def thread(self, predicate: Callable[[Any], bool], what: str) -> ThreadUpdated:
        return await self.wait_for(
            lambda e: isinstance(e, ThreadUpdated) and predicate(e.thread), what
        )

    def messages(self) -> list[MessageReceived]:
        return [e for e in self.events if isinstance(e, MessageReceived)]

    def last_cursor(self) -> str | None:
        return next((e.cursor for e in reversed(self.events) if e.cursor), None)

    async def stop(self) -> None:
        await self.backend.close()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(self._task, 10)


def set_display_name(user: MatrixUser, name: str) -> None:
    user.request(
        "PUT", f"/profile/{quote(user.user_id, safe='')}/displayname", json={"displayname": name}
    )
