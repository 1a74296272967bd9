"""A server answer that breaks the wire types is a clear BackendError, not a crash.

The local adapter reads answers through the same wire types the server's document
is made of (chatui/core/wire.py); what the user sees when a server sends something
else is one sentence naming what was wrong and where.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from chatui.backends.base import BackendError
from chatui.backends.local import LocalBackend
from chatui.core.models import AccountConfig
from tests.backends.fake_server import FakeServer

GOOD_MESSAGE: dict[str, Any] = {
    "message_id": "m1",
    "thread_id": "t1",
    "sender": "alice",
    "body": "hi",
    "ts": 1_700_000_000_000,
    "txn_id": "txn-1",
    "reply_to": None,
    "reactions": {},
    "vanish": {"mode": "off"},
    "kind": "text",
    "change": None,
}


def _answering(message: Any, me: Any) -> Starlette:
    async def send(request: Request) -> JSONResponse:
        return JSONResponse(message)

    async def whoami(request: Request) -> JSONResponse:
        return JSONResponse(me)

    return Starlette(
        routes=[
            Route("/v1/threads/{tid}/messages/{txn}", send, methods=["PUT"]),
            Route("/v1/me", whoami),
        ]
    )


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ({**GOOD_MESSAGE, "message_id": 5}, "Expected `str`, got `int` - at `$.message_id`"),
        ({**GOOD_MESSAGE, "ts": "yesterday"}, "Expected `int`, got `str` - at `$.ts`"),
        ({k: v for k, v in GOOD_MESSAGE.items() if k != "sender"}, "`sender`"),
        ({**GOOD_MESSAGE, "vanish": {"mode": "timer"}}, "mode timer needs seconds"),
        (["not", "a", "message"], "not an object"),
    ],
)
async def test_a_malformed_answer_is_a_backend_error_naming_the_fault(
    message: Any, words: str
) -> None:
    with FakeServer(_answering(message, {"user_id": "u1"})) as server:
        backend = LocalBackend(AccountConfig("fake", "local", server.url, "alice", "F", "#fff"))
        backend.token = "secret"
        try:
            with pytest.raises(BackendError) as raised:
                await backend.send("t1", "hi", "txn-1")
            assert type(raised.value) is BackendError
            assert str(raised.value).startswith("the server sent a malformed message: ")
            assert words in str(raised.value)
            with pytest.raises(BackendError, match=r"malformed identity: .*`username`"):
                await backend.whoami()
        finally:
            await backend.close()


async def test_a_well_formed_answer_still_reads() -> None:
    with FakeServer(_answering(GOOD_MESSAGE, {"user_id": "u1", "username": "alice"})) as server:
        backend = LocalBackend(AccountConfig("fake", "local", server.url, "alice", "F", "#fff"))
        backend.token = "secret"
        try:
            message = await backend.send("t1", "hi", "txn-1")
            identity = await backend.whoami()
        finally:
            await backend.close()
    assert (message.message_id, message.body, message.txn_id) == ("m1", "hi", "txn-1")
    assert identity.username == "alice"
