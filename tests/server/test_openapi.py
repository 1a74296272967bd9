"""GET /openapi.json describes every route, and the server answers as it says.

The paths are hand-written, so these tests hold them to the code: every route
is in it with its methods, every ``$ref`` resolves, and a scripted session through
every operation gets only statuses the description lists, with bodies that match
the documented schemas (checked by a small validator for the subset of JSON Schema
the description uses).
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from starlette.routing import Route

from chatui.server.runner import ServerThread
from tests.server.conftest import Api


@pytest.fixture
def spec(server: ServerThread) -> dict[str, Any]:
    response = httpx.get(f"{server.url}/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def _app_routes(server: ServerThread) -> set[tuple[str, str]]:
    app = server._server.config.app  # the very app being served
    return {
        (route.path, method.lower())
        for route in app.routes
        if isinstance(route, Route)
        for method in route.methods or ()
        if method != "HEAD"
    }


def test_every_route_is_described_and_nothing_else(server: ServerThread, spec: dict) -> None:
    assert spec["openapi"].startswith("3.1")
    described = {
        (path, method)
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "put", "post", "delete", "patch"}
    }
    assert described == _app_routes(server)
    assert len(described) == 20


def _resolve(spec: dict, node: Any) -> Any:
    if isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return target
    return node


def _walk(node: Any):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_every_ref_resolves_and_every_operation_is_complete(spec: dict) -> None:
    for node in _walk(spec):
        if "$ref" in node:
            assert _resolve(spec, node) is not None, node["$ref"]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            assert operation["operationId"], (path, method)
            assert operation["responses"], (path, method)
            secured = operation.get("security", spec["security"]) != []
            if secured:
                assert "401" in operation["responses"], (path, method)
            for name in re.findall(r"{(\w+)}", path):
                params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
                assert name in params, (path, method, name)


def _check(spec: dict, schema: Any, value: Any, where: str) -> None:
    """Validate ``value`` against the JSON Schema subset the description uses."""
    schema = _resolve(spec, schema)
    if "oneOf" in schema:
        matches = 0
        for option in schema["oneOf"]:
            try:
                _check(spec, option, value, where)
                matches += 1
            except AssertionError:
                pass
        assert matches == 1, f"{where}: {value!r} matches {matches} of oneOf"
        return
    if "anyOf" in schema:
        for option in schema["anyOf"]:
            try:
                _check(spec, option, value, where)
            except AssertionError:
                continue
            return
        raise AssertionError(f"{where}: {value!r} matches none of anyOf")
    types = schema.get("type")
    if types is not None:
        names = {types} if isinstance(types, str) else set(types)
        python = {
            "object": dict,
            "array": list,
            "string": str,
            "integer": int,
            "null": type(None),
            "boolean": bool,
        }
        assert any(isinstance(value, python[n]) for n in names), f"{where}: {value!r} not {types}"
        if isinstance(value, bool):
            assert "boolean" in names, where
    if "enum" in schema:
        assert value in schema["enum"], where
    if isinstance(value, str) and "pattern" in schema:
        assert re.search(schema["pattern"], value), where
    if isinstance(value, int) and "minimum" in schema:
        assert value >= schema["minimum"], where
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{where}: missing {key}"
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                _check(spec, sub, value[key], f"{where}.{key}")
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key, item in value.items():
                if key not in schema.get("properties", {}):
                    _check(spec, extra, item, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            _check(spec, schema["items"], item, f"{where}[{i}]")


def _conforms(spec: dict, template: str, response: httpx.Response) -> None:
    method = response.request.method.lower()
    operation = spec["paths"][template][method]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method} {template}: undocumented {status}"
    documented = operation["responses"][status]
    content = documented.get("content")
    if content is None:
        assert response.content == b"", f"{method} {template} {status}: unexpected body"
        return
    media = response.headers["content-type"].split(";")[0]
    assert media in content, f"{method} {template} {status}: {media} not documented"
    if media == "application/json":
        _check(spec, content[media]["schema"], response.json(), f"{method} {template} {status}")


def test_a_session_through_every_operation_matches_the_description(
    server: ServerThread, spec: dict, alice: Api, bob: Api, anonymous: Api
) -> None:
    seen: set[tuple[str, str]] = set()

    def call(api: Api, method: str, template: str, path: str, **kwargs: Any) -> httpx.Response:
        response = api.request(method, path, **kwargs)
        _conforms(spec, template, response)
        seen.add((template, method.lower()))
        return response

    T = "/v1/threads/{thread_id}"
    creds = {"username": "carol", "password": "pw-carol"}
    call(anonymous, "POST", "/v1/register", "/v1/register", json=creds)
    call(anonymous, "POST", "/v1/register", "/v1/register", json=creds)  # 409
    call(anonymous, "POST", "/v1/register", "/v1/register", json={"username": "X"})
    call(anonymous, "POST", "/v1/login", "/v1/login", json=creds)
    call(anonymous, "POST", "/v1/login", "/v1/login", json={**creds, "password": "no"})
    call(anonymous, "POST", "/v1/login", "/v1/login", json={**creds, "username": "nobody"})
    call(anonymous, "POST", "/v1/login", "/v1/login", content=b"{")
    call(alice, "GET", "/v1/me", "/v1/me")
    call(anonymous, "GET", "/v1/me", "/v1/me")
    thread = call(alice, "POST", "/v1/threads", "/v1/threads", json={"members": ["bob"]}).json()
    call(alice, "POST", "/v1/threads", "/v1/threads", json={"members": ["ghost"]})
    call(alice, "GET", "/v1/threads", "/v1/threads")
    tid = thread["thread_id"]
    call(bob, "GET", T, f"/v1/threads/{tid}")
    call(bob, "GET", T, "/v1/threads/t424242")
    sent = call(alice, "PUT", T + "/messages/{id}", f"/v1/threads/{tid}/messages/a1",
                json={"body": "hi"}).json()  # fmt: skip
    call(bob, "PUT", T + "/messages/{id}", f"/v1/threads/{tid}/messages/b1",
         json={"body": "re", "reply_to": sent["message_id"]})  # fmt: skip
    call(bob, "PUT", T + "/messages/{id}", f"/v1/threads/{tid}/messages/b2",
         json={"body": "x" * 70_000})  # fmt: skip
    call(bob, "PUT", T + "/messages/{id}", f"/v1/threads/{tid}/messages/b3", json={})
    call(bob, "GET", T + "/messages", f"/v1/threads/{tid}/messages", params={"limit": 1})
    call(bob, "GET", T + "/messages", f"/v1/threads/{tid}/messages", params={"limit": 0})
    mid = sent["message_id"]
    call(bob, "POST", T + "/read", f"/v1/threads/{tid}/read", json={"message_id": mid})
    call(bob, "POST", T + "/read", f"/v1/threads/{tid}/read", json={})
    call(bob, "POST", T + "/read", f"/v1/threads/{tid}/read", json={"message_id": "m0"})
    call(bob, "GET", T + "/messages", f"/v1/threads/{tid}/messages", params={"before": "x"})
    history = f"/v1/threads/{tid}/messages"
    call(bob, "GET", T + "/messages", history, params={"around": mid, "limit": 3})
    call(bob, "GET", T + "/messages", history, params={"after": mid})
    call(bob, "GET", T + "/messages", history, params={"after": mid, "before": mid})  # 400
    call(bob, "GET", T + "/messages", history, params={"around": "m0"})  # 409
    call(bob, "GET", "/v1/search", "/v1/search", params={"q": "hi", "limit": 1})
    call(bob, "GET", "/v1/search", "/v1/search", params={"q": "   "})  # 400
    call(bob, "GET", "/v1/search", "/v1/search", params={"q": "hi", "before": "nope"})  # 400
    call(anonymous, "GET", "/v1/search", "/v1/search", params={"q": "hi"})  # 401
    call(bob, "DELETE", T + "/messages/{id}", f"/v1/threads/{tid}/messages/{mid}")
    call(alice, "DELETE", T + "/messages/{id}", f"/v1/threads/{tid}/messages/{mid}")
    call(alice, "DELETE", T + "/messages/{id}", f"/v1/threads/{tid}/messages/m0")
    call(alice, "DELETE", T + "/messages/{id}", f"/v1/threads/{tid}/messages/{mid}",
         params={"expired": "maybe"})  # fmt: skip
    live = call(alice, "PUT", T + "/messages/{id}", f"/v1/threads/{tid}/messages/a2",
                json={"body": "react to me"}).json()["message_id"]  # fmt: skip
    on_message = f"/v1/threads/{tid}/messages/{live}"
    call(alice, "PATCH", T + "/messages/{id}", on_message, json={"body": "react to me, @bob"})
    call(bob, "PATCH", T + "/messages/{id}", on_message, json={"body": "not mine"})  # 403
    call(alice, "PATCH", T + "/messages/{id}", on_message, json={"body": ""})  # 400
    call(alice, "PATCH", T + "/messages/{id}", on_message, json={"body": "x" * 70_000})  # 413
    call(alice, "PATCH", T + "/messages/{id}", f"/v1/threads/{tid}/messages/{mid}",
         json={"body": "deleted"})  # fmt: skip  # 404: unsent
    typing = f"/v1/threads/{tid}/typing"
    call(bob, "PUT", T + "/typing", typing, json={"typing": True, "timeout_ms": 5_000})
    call(bob, "PUT", T + "/typing", typing, json={"typing": False})
    call(bob, "PUT", T + "/typing", typing, json={"typing": "yes"})  # 400
    call(bob, "PUT", T + "/typing", "/v1/threads/t424242/typing", json={"typing": True})
    call(anonymous, "PUT", T + "/typing", typing, json={"typing": True})  # 401
    reaction = T + "/messages/{message_id}/reactions/{emoji}"
    on_live = f"/v1/threads/{tid}/messages/{live}/reactions"
    call(bob, "PUT", reaction, f"{on_live}/%F0%9F%91%8D")
    call(alice, "PUT", reaction, f"{on_live}/%F0%9F%91%8D")
    call(bob, "PUT", reaction, f"{on_live}/a%20b")  # 400: whitespace
    call(bob, "PUT", reaction, f"/v1/threads/{tid}/messages/{mid}/reactions/x")  # 404: deleted
    call(bob, "DELETE", reaction, f"{on_live}/%F0%9F%91%8D")
    call(bob, "DELETE", reaction, f"{on_live}/%FF")  # 400: not UTF-8
    theme = {"name": "Dusk", "mine_bubble": ["#112233", "#445566"], "dark": True}
    call(bob, "PUT", T + "/theme", f"/v1/threads/{tid}/theme", json=theme)
    call(bob, "PUT", T + "/theme", f"/v1/threads/{tid}/theme", json={"name": ""})
    call(bob, "PUT", T + "/theme", f"/v1/threads/{tid}/theme",
         json={"name": "big", "x": "y" * 20_000})  # fmt: skip
    call(bob, "PUT", T + "/vanish", f"/v1/threads/{tid}/vanish",
         json={"mode": "timer", "seconds": 300})  # fmt: skip
    call(bob, "PUT", T + "/vanish", f"/v1/threads/{tid}/vanish", json={"mode": "timer"})
    # The notices and the reactions are in what history and the thread list say.
    call(bob, "GET", T + "/messages", f"/v1/threads/{tid}/messages")
    call(alice, "GET", T, f"/v1/threads/{tid}")
    call(alice, "PUT", T + "/theme", f"/v1/threads/{tid}/theme", json={})
    call(alice, "PUT", T + "/vanish", f"/v1/threads/{tid}/vanish", json={"mode": "off"})
    call(alice, "GET", "/v1/threads", "/v1/threads")
    call(alice, "DELETE", T + "/messages/{id}", f"/v1/threads/{tid}/messages/{live}",
         params={"expired": "true"})  # fmt: skip
    call(bob, "GET", "/v1/events", "/v1/events", params={"since": "nonsense"})
    call(anonymous, "GET", "/v1/events", "/v1/events")
    call(anonymous, "GET", "/openapi.json", "/openapi.json")
    leaving = call(anonymous, "POST", "/v1/login", "/v1/login", json=creds).json()["token"]
    as_leaving = {"Authorization": f"Bearer {leaving}"}
    call(anonymous, "POST", "/v1/logout", "/v1/logout", headers=as_leaving)  # 204
    call(anonymous, "POST", "/v1/logout", "/v1/logout", headers=as_leaving)  # 401: revoked
    with bob.stream("GET", "/v1/events") as stream:
        assert str(stream.status_code) in spec["paths"]["/v1/events"]["get"]["responses"]
        assert stream.headers["content-type"].startswith("text/event-stream")
        seen.add(("/v1/events", "get"))

    everything = {(path, method) for path, item in spec["paths"].items() for method in item}
    assert seen == everything
