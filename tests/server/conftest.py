"""Helpers for the server tests: an authenticated HTTP client and an SSE reader.

Everything goes over real HTTP to the live ``server`` fixture (tests/conftest.py).
Timeouts are generous ceilings for waiting, never assertions about speed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from chatui.server.runner import ServerThread
from tests.conftest import make_user

TIMEOUT = httpx.Timeout(10.0)


class Api(httpx.Client):
    """An httpx client logged in as one user."""

    def __init__(self, server: ServerThread, username: str, token: str | None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        super().__init__(base_url=server.url, headers=headers, timeout=TIMEOUT)
        self.server = server
        self.username = username

    def new_thread(self, *members: str, title: str | None = None) -> dict[str, Any]:
        response = self.post("/v1/threads", json={"members": list(members), "title": title})
        assert response.status_code == 201, response.text
        return response.json()

    def say(self, thread_id: str, body: str, txn_id: str | None = None) -> dict[str, Any]:
        txn_id = txn_id or f"txn-{uuid.uuid4().hex}"
        response = self.put(f"/v1/threads/{thread_id}/messages/{txn_id}", json={"body": body})
        assert response.status_code == 200, response.text
        return response.json()

    def history(self, thread_id: str, **params: Any) -> list[dict[str, Any]]:
        response = self.get(f"/v1/threads/{thread_id}/messages", params=params)
        assert response.status_code == 200, response.text
        return response.json()["messages"]

    def events(self, since: str | None = None, last_event_id: str | None = None) -> SseReader:
        return SseReader(self, since=since, last_event_id=last_event_id)


@dataclass(frozen=True)
class Sse:
    kind: str
    id: str | None
    data: Any


class SseReader:
    """Reads GET /v1/events one event (or comment) at a time."""

    def __init__(
        self, api: Api, *, since: str | None = None, last_event_id: str | None = None
    ) -> None:
        params = {"since": since} if since is not None else {}
        headers = {"Last-Event-ID": last_event_id} if last_event_id is not None else {}
        self._context = api.stream("GET", "/v1/events", params=params, headers=headers)
        self.response = self._context.__enter__()
        self._lines = self.response.iter_lines()

    def next(self, *, comments: bool = False) -> Sse:
        """The next event; with ``comments`` a ``: text`` line comes back as kind ":"."""
        fields: dict[str, str] = {}
        for line in self._lines:
            if line.startswith(":"):
                if comments:
                    return Sse(":", None, line[1:].strip())
                continue
            if line == "":
                if fields:
                    return Sse(
                        fields.get("event", "message"),
                        fields.get("id"),
                        json.loads(fields.get("data", "null")),
                    )
                continue
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        raise EOFError("the event stream ended")

    def next_of(self, kind: str) -> Sse:
        while True:
            event = self.next()
            if event.kind == kind:
                return event

    def close(self) -> None:
        self._context.__exit__(None, None, None)

    def __enter__(self) -> SseReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def login_as(server: ServerThread, username: str) -> Api:
    return Api(server, username, make_user(server, username).token)


@pytest.fixture
def alice(server: ServerThread) -> Iterator[Api]:
    with login_as(server, "alice") as api:
        yield api


@pytest.fixture
def bob(server: ServerThread) -> Iterator[Api]:
    with login_as(server, "bob") as api:
        yield api


@pytest.fixture
def carol(server: ServerThread) -> Iterator[Api]:
    with login_as(server, "carol") as api:
        yield api


@pytest.fixture
def anonymous(server: ServerThread) -> Iterator[Api]:
    with Api(server, "", None) as api:
        yield api
