"""A started demo (two real servers, seeded, bots live) and a Session on it.

The bots answer quickly here (well under the two seconds a user is promised) so
that waiting for replies keeps the suite fast; what is tested is that they answer
and how, not how long they pause.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from chatui.demo.servers import DemoWorld
from chatui.session.session import Session

FAST_REPLIES = (0.1, 0.1)  # fixed, so replies to one message land together
WAIT = 30.0  # seconds: generous for a busy machine, never reached when things work


@pytest.fixture
def world(tmp_path: Path) -> Iterator[DemoWorld]:
    demo = DemoWorld(tmp_path / "demo", username="you", reply_delay=FAST_REPLIES)
    with demo:
        yield demo


@pytest.fixture
async def session(world: DemoWorld) -> AsyncIterator[Session]:
    session = Session(world.linked_accounts())
    await session.start()
    try:
        yield session
    finally:
        await session.stop()


async def wait_for(predicate: Callable[[], object], what: str, timeout: float = WAIT):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if loop.time() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.05)


async def wait_connected(session: Session) -> None:
    """Until every account's live stream is open, so no live event can be missed."""
    from chatui.core.models import ConnectionState

    await wait_for(
        lambda: all(s is ConnectionState.CONNECTED for s, _ in session.states.values()),
        "every demo account to connect",
    )
