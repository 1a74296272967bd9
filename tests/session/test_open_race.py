"""A message that arrives while a conversation's first page is on its way.

The page was cut on the server before the message was sent; the live stream brings
the message before the page arrives. Both must be on screen once the page is in:
nothing that arrived is lost because the conversation was still loading.
"""

from __future__ import annotations

import asyncio

from chatui.backends.local import LocalBackend
from chatui.core.models import ConnectionState, Message
from chatui.server.runner import ServerThread
from chatui.session.session import LinkedAccount, Session
from tests.conftest import make_user
from tests.session.helpers import TIMEOUT, linked, until


class SlowFirstPage(LocalBackend):
    """A real adapter whose first newest-page answer is held back after the server
    gave it, as a slow network holds an answer: the test says when it lands."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.answered = asyncio.Event()
        self.land = asyncio.Event()

    async def history(self, thread_id: str, before: str | None = None, limit: int = 50):
        page: list[Message] = await super().history(thread_id, before=before, limit=limit)
        if before is None and not self.land.is_set():
            self.answered.set()
            await self.land.wait()
        return page


async def test_a_message_that_came_while_the_first_page_loaded_is_kept(
    server: ServerThread,
) -> None:
    make_user(server, "alice")
    bob = make_user(server, "bob")
    thread_id = server.database.create_thread("alice", ["bob"], "Lunch")["thread_id"]
    server.database.add_message(thread_id, "alice", "before")
    plain = linked(server.url, bob)
    backend = SlowFirstPage(plain.config)
    session = Session([LinkedAccount(plain.config, backend, plain.token)])
    key = ("home", thread_id)
    await session.start()
    try:
        await until(
            lambda: key in session.inbox and session.states["home"][0] is ConnectionState.CONNECTED,
            "the thread, live",
        )
        opening = asyncio.create_task(session.open_thread(key))
        await asyncio.wait_for(backend.answered.wait(), TIMEOUT)  # cut before "while"
        assert not session.is_loaded(key)  # "Loading…" until the page is in
        server.database.add_message(thread_id, "alice", "while loading")
        await until(lambda: session.inbox.get(key).last_message.body == "while loading", "it, live")
        backend.land.set()
        await asyncio.wait_for(opening, TIMEOUT)
        assert session.is_loaded(key)
        assert [m.body for m in session.messages(key)] == ["before", "while loading"]
    finally:
        await session.stop()
