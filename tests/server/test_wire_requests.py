"""Request bodies are read through the wire types, with the error codes clients know.

A body of the wrong shape is refused by its wire type (chatui/core/wire.py) with
``invalid_request`` and words that name the field; rules with their own code (a
username's pattern, a body's size) still answer with that code. The codes are what
clients branch on, so they are exactly the ones the server always gave.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.conftest import Api


@pytest.mark.parametrize(
    ("body", "status", "code", "names"),
    [
        ({"username": 5, "password": "pw"}, 400, "invalid_request", "$.username"),
        ({"username": "zed"}, 400, "invalid_request", "password"),
        ({"username": "zed", "password": ""}, 400, "invalid_request", "$.password"),
        ({"username": "zed", "password": "x" * 1025}, 400, "invalid_request", "$.password"),
        ({"username": "Not A Name", "password": "pw"}, 400, "invalid_username", "username"),
        (["zed", "pw"], 400, "invalid_request", "object"),
    ],
)
def test_a_bad_login_body_gets_the_code_it_always_got(
    alice: Api, body: Any, status: int, code: str, names: str
) -> None:
    response = alice.post("/v1/login", json=body)
    assert (response.status_code, response.json()["error"]) == (status, code)
    assert names in response.json()["message"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"members": "bob"}, 400, "invalid_request"),
        ({"members": [5]}, 400, "invalid_request"),
        ({"members": ["BOB!"]}, 400, "invalid_username"),
        ({"members": ["bob"] * 257}, 400, "invalid_request"),
        ({"members": ["bob"], "title": 7}, 400, "invalid_request"),
        ({"members": ["bob"], "title": "t" * 201}, 400, "invalid_request"),
        ({"members": ["nobody"]}, 409, "unknown_user"),
    ],
)
def test_a_bad_new_thread_gets_the_code_it_always_got(
    alice: Api, bob: Api, body: Any, status: int, code: str
) -> None:
    response = alice.post("/v1/threads", json=body)
    assert (response.status_code, response.json()["error"]) == (status, code)


def test_a_hostile_message_body_gets_the_code_it_always_got(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    url = f"/v1/threads/{thread}/messages"
    cases: list[tuple[str, dict[str, Any], int, str]] = [
        ("a", {"json": {"body": ["hi"]}}, 400, "invalid_request"),
        ("b", {"json": {"body": ""}}, 400, "invalid_request"),
        ("c", {"json": {"body": "hi", "reply_to": {"id": 1}}}, 400, "invalid_request"),
        ("d", {"json": {"body": "é" * 40_000}}, 413, "too_large"),
        ("e", {"content": b"[" * 100_000}, 400, "malformed_json"),
        ("f", {"json": {"body": "hi", "reply_to": "m999999"}}, 409, "unknown_message"),
    ]
    for txn, kwargs, status, code in cases:
        response = alice.put(f"{url}/{txn}", **kwargs)
        assert (response.status_code, response.json()["error"]) == (status, code), txn
    assert "$.reply_to" in alice.put(f"{url}/c", json={"body": "x", "reply_to": 5}).text
    marker = alice.post(f"/v1/threads/{thread}/read", json={"message_id": 7})
    assert (marker.status_code, marker.json()["error"]) == (400, "invalid_request")
    assert alice.history(thread) == []
