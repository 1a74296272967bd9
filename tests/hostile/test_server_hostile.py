"""The hostile corpus through the real reference server and the ``local`` adapter.

The server stores text verbatim (it is the client's job to make it safe to show),
so every storable case must come back byte for byte, over history and over the
live stream. What cannot be stored must be refused with a clear 4xx and leave no
trace: lone surrogates (400) and the 1 MB body (413).
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from chatui.backends.base import BadRequestError
from chatui.backends.local import LocalBackend
from chatui.core.models import (
    AccountConfig,
    ConnectionChanged,
    ConnectionState,
    MessageReceived,
)
from chatui.server import validate
from chatui.server.runner import ServerThread
from tests.conftest import make_user
from tests.hostile import corpus

pytestmark = pytest.mark.timeout(60)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _thread(server: ServerThread, token: str, title: str | None = None) -> str:
    response = httpx.post(
        f"{server.url}/v1/threads",
        json={"members": ["bob"], "title": title},
        headers=_auth(token),
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()["thread_id"]


def _history(server: ServerThread, token: str, thread_id: str) -> list[dict]:
    response = httpx.get(
        f"{server.url}/v1/threads/{thread_id}/messages",
        params={"limit": 1000},
        headers=_auth(token),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["messages"]


def _backend(server: ServerThread, token: str) -> LocalBackend:
    backend = LocalBackend(AccountConfig("local-bob", "local", server.url, "bob", "L", "#5fafff"))
    backend.token = token
    return backend


async def test_every_storable_case_round_trips_byte_for_byte(server: ServerThread) -> None:
    alice, bob = make_user(server, "alice"), make_user(server, "bob")
    thread_id = _thread(server, alice.token, corpus.HOSTILE_TITLE)
    backend = _backend(server, bob.token)
    received: list[str] = []
    connected = asyncio.Event()

    async def listen() -> None:
        async for event in backend.events():
            if isinstance(event, MessageReceived):
                received.append(event.message.body)
            elif isinstance(event, ConnectionChanged) and event.state is ConnectionState.CONNECTED:
                connected.set()

    listener = asyncio.create_task(listen())
    try:
        async with asyncio.timeout(20):
            await connected.wait()
        async with httpx.AsyncClient(base_url=server.url, headers=_auth(alice.token)) as client:
            for number, case in enumerate(corpus.SENDABLE):
                response = await client.put(
                    f"/v1/threads/{thread_id}/messages/case-{number}",
                    json={"body": case.body},
                    timeout=30,
                )
                assert response.status_code == 200, (case.name, response.text)
        expected = [case.body for case in corpus.SENDABLE]
        async with asyncio.timeout(20):
            while len(received) < len(expected):
                await asyncio.sleep(0.02)
        assert received == expected  # the live stream, in order, unaltered
        history = await backend.history(thread_id, limit=1000)
        assert [m.body for m in history] == expected
        thread = await backend.thread(thread_id)
        assert thread.title == corpus.HOSTILE_TITLE
    finally:
        await backend.close()
        listener.cancel()
        await asyncio.gather(listener, return_exceptions=True)


@pytest.mark.parametrize(
    ("field", "raw"),
    [
        ("body", b'{"body": "HX91 high\\ud800 low"}'),
        ("body", b'{"body": "\\udfff"}'),
        ("body", b'{"body": "pair halves the wrong way \\udc00\\ud800"}'),
    ],
    ids=["high", "low", "reversed-pair"],
)
def test_lone_surrogates_in_a_json_escape_are_refused(
    server: ServerThread, field: str, raw: bytes
) -> None:
    """JSON may spell a lone surrogate as an escape; no UTF-8 text can hold one."""
    alice = make_user(server, "alice")
    make_user(server, "bob")
    thread_id = _thread(server, alice.token)
    response = httpx.put(
        f"{server.url}/v1/threads/{thread_id}/messages/t1",
        content=raw,
        headers={**_auth(alice.token), "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert _history(server, alice.token, thread_id) == []


def test_lone_surrogates_in_a_title_are_refused(server: ServerThread) -> None:
    alice = make_user(server, "alice")
    make_user(server, "bob")
    response = httpx.post(
        f"{server.url}/v1/threads",
        content=b'{"members": ["bob"], "title": "HX91 \\ud800"}',
        headers={**_auth(alice.token), "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400


def test_the_one_megabyte_body_is_refused_and_not_stored(server: ServerThread) -> None:
    alice = make_user(server, "alice")
    make_user(server, "bob")
    thread_id = _thread(server, alice.token)
    response = httpx.put(
        f"{server.url}/v1/threads/{thread_id}/messages/big",
        json={"body": corpus.OVERSIZE.body},
        headers=_auth(alice.token),
        timeout=30,
    )
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert _history(server, alice.token, thread_id) == []


def test_the_limit_is_bytes_of_utf8_at_the_edge(server: ServerThread) -> None:
    alice = make_user(server, "alice")
    make_user(server, "bob")
    thread_id = _thread(server, alice.token)
    fits = "é" * (validate.MAX_BODY_BYTES // 2)  # two bytes each: exactly the limit
    over = fits + "x"
    url = f"{server.url}/v1/threads/{thread_id}/messages"
    ok = httpx.put(f"{url}/fits", json={"body": fits}, headers=_auth(alice.token), timeout=30)
    too = httpx.put(f"{url}/over", json={"body": over}, headers=_auth(alice.token), timeout=30)
    assert (ok.status_code, too.status_code) == (200, 413)
    assert [m["body"] for m in _history(server, alice.token, thread_id)] == [fits]


async def test_the_adapter_reports_an_oversized_send_as_a_permanent_refusal(
    server: ServerThread,
) -> None:
    """413 is not worth retrying: BadRequestError, with the server's reason."""
    alice = make_user(server, "alice")
    make_user(server, "bob")
    thread_id = _thread(server, alice.token)
    backend = _backend(server, alice.token)
    try:
        with pytest.raises(BadRequestError) as refused:
            await backend.send(thread_id, corpus.OVERSIZE.body, "big-1")
    finally:
        await backend.close()
    assert refused.value.status == 413
    assert "bytes" in str(refused.value)
