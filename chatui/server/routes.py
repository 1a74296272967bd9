"""The HTTP API v1 route handlers (docs/server.md).

Each handler does three things only: authenticate, turn the request into plain
values (refusing malformed ones with a clear 4xx), and call one Database method in
the thread pool so that SQLite and scrypt never stall the event loop. A request
body's shape is its wire type's (chatui/core/wire.py, :func:`body_as`); all other
rules about values live in :mod:`chatui.server.validate` and the Database.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar
from urllib.parse import unquote_to_bytes

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from chatui.core import wire
from chatui.server import validate
from chatui.server.db import Caller, Database
from chatui.server.errors import ApiError
from chatui.server.events import EventStream
from chatui.server.refusals import Invalid, TooLarge
from chatui.server.typing import TypingRooms

T = TypeVar("T")
S = TypeVar("S", bound=msgspec.Struct)


def _db(request: Request) -> Database:
    return request.app.state.db


async def _call(fn: Callable[..., T], *args: Any) -> T:
    return await run_in_threadpool(fn, *args)


def _encode(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


async def _answer(status: int, fn: Callable[..., Any], *args: Any) -> Response:
    """Call ``fn`` and encode its result in the thread pool, then answer with it.

    Encoding happens off the event loop too: the thread list of a user with
    thousands of threads is megabytes of JSON.
    """
    body = await run_in_threadpool(lambda: _encode(fn(*args)))
    return Response(body, status_code=status, media_type="application/json")


def _bearer(request: Request) -> str:
    """The request's bearer token; 401 when there is none."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "unauthorized", "send Authorization: Bearer TOKEN")
    return token


async def authenticate(request: Request) -> Caller:
    token = _bearer(request)
    caller = await _call(_db(request).authenticate, token)
    if caller is None:
        raise ApiError(401, "unauthorized", "the token is not valid (log in again)")
    return caller


async def json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, read with a size cap (413 beyond it)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > validate.MAX_REQUEST_BYTES:
        raise _request_too_large()
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > validate.MAX_REQUEST_BYTES:
                raise _request_too_large()
            chunks.append(chunk)
    except ClientDisconnect:
        raise Invalid("invalid_request", "the client went away mid-request") from None
    raw = b"".join(chunks)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        # RecursionError: thousands of nested brackets, a cheap way to crash naive code.
        raise Invalid("malformed_json", "the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise Invalid("invalid_request", "the request body must be a JSON object")
    return data


def _request_too_large() -> TooLarge:
    return TooLarge(f"the request body is over {validate.MAX_REQUEST_BYTES} bytes")


async def body_as(request: Request, shape: type[S]) -> S:
    """The request body as its wire type; a body of the wrong shape is 400
    ``invalid_request`` with msgspec's words, which name the field (``$.body``).

    The JSON is parsed by :func:`json_object` first, so what counts as malformed
    JSON (and the cap on the size) is the same for every body.
    """
    data = await json_object(request)
    try:
        return msgspec.convert(data, shape)
    except msgspec.ValidationError as err:
        raise Invalid("invalid_request", str(err)) from None


# --- accounts --------------------------------------------------------------------


async def register(request: Request) -> Response:
    if not request.app.state.open_registration:
        raise ApiError(
            403,
            "registration_closed",
            "this server does not accept new accounts (start it with --open-registration)",
        )
    given = await body_as(request, wire.Credentials)
    return await _answer(201, _db(request).create_user, given.username, given.password)


async def login(request: Request) -> Response:
    given = await body_as(request, wire.Credentials)
    # "No such user" only where anyone may register: there POST /v1/register tells
    # whether a name is taken anyway; a closed server keeps one answer for both.
    reveal = bool(request.app.state.open_registration)
    return await _answer(
        200, partial(_db(request).login, say_unknown=reveal), given.username, given.password
    )


async def logout(request: Request) -> Response:
    """Revoke the bearer token the request carries (and only that one): a client that
    unlinks an account leaves nothing behind that still works."""
    await authenticate(request)  # an unknown token is 401, as everywhere
    await _call(_db(request).revoke_token, _bearer(request))
    return Response(status_code=204)


async def me(request: Request) -> Response:
    caller = await authenticate(request)
    return JSONResponse(_db(request).me(caller))


# --- threads ---------------------------------------------------------------------


async def create_thread(request: Request) -> Response:
    caller = await authenticate(request)
    new = await body_as(request, wire.NewThread)
    return await _answer(201, _db(request).new_thread, caller, new.members, new.title)


async def list_threads(request: Request) -> Response:
    caller = await authenticate(request)
    db = _db(request)
    return await _answer(200, lambda: {"threads": db.list_threads(caller)})


async def get_thread(request: Request) -> Response:
    caller = await authenticate(request)
    thread_id = request.path_params["thread_id"]
    return await _answer(200, _db(request).get_thread, caller, thread_id)


# --- messages --------------------------------------------------------------------


async def send_message(request: Request) -> Response:
    caller = await authenticate(request)
    thread_id = request.path_params["thread_id"]
    txn_id = validate.txn_id(request.path_params["id"])
    new = await body_as(request, wire.NewMessage)
    body = validate.message_body(new.body)
    return await _answer(200, _db(request).send, caller, thread_id, txn_id, body, new.reply_to)


async def history(request: Request) -> Response:
    """A page of history: the newest, or ``before``, ``after`` or ``around`` a message."""
    caller = await authenticate(request)
    thread_id = request.path_params["thread_id"]
    query = request.query_params
    limit = validate.limit(query.get("limit"))
    anchors = {name: query.get(name) for name in ("before", "after", "around")}
    db = _db(request)
    return await _answer(200, lambda: db.history_page(caller, thread_id, limit=limit, **anchors))


async def search(request: Request) -> Response:
    """Messages matching ``q`` in every thread of the caller (chatui/server/search.py)."""
    caller = await authenticate(request)
    query = request.query_params
    limit = validate.search_limit(query.get("limit"))
    q = query.get("q")
    before = query.get("before")
    return await _answer(200, _db(request).search, caller, q, before, limit)


async def delete_message(request: Request) -> Response:
    """``?expired=true``: the sender's vanish timer ran out (docs/vanish.md)."""
    caller = await authenticate(request)
    params = request.path_params
    expired = validate.flag(request.query_params.get("expired"), "expired")
    db = _db(request)
    await _call(lambda: db.redact(caller, params["thread_id"], params["id"], expired=expired))
    return Response(status_code=204)


async def edit_message(request: Request) -> Response:
    """Replace the text of the caller's own message (the old text is forgotten)."""
    caller = await authenticate(request)
    params = request.path_params
    given = await body_as(request, wire.EditMessage)
    body = validate.message_body(given.body)
    db = _db(request)
    return await _answer(200, lambda: db.edit(caller, params["thread_id"], params["id"], body))


async def typing(request: Request) -> Response:
    """The caller is typing in the thread (for ``timeout_ms``), or stopped: ephemeral,
    told to the members' open streams only (chatui/server/typing.py)."""
    caller = await authenticate(request)
    notice = await body_as(request, wire.TypingNotice)
    tid, audience = await _call(
        _db(request).typing_audience, caller, request.path_params["thread_id"]
    )
    rooms: TypingRooms = request.app.state.typing
    rooms.set(tid, caller.username, notice.typing, notice.timeout_ms, audience)
    return Response(status_code=204)


async def mark_read(request: Request) -> Response:
    caller = await authenticate(request)
    marker = await body_as(request, wire.ReadMarker)
    thread_id = request.path_params["thread_id"]
    await _call(_db(request).mark_read, caller, thread_id, marker.message_id)
    return Response(status_code=204)


# --- events ----------------------------------------------------------------------


async def events(request: Request) -> EventStream:
    """``Last-Event-ID`` wins over ``since``: a browser-style reconnect keeps the
    original URL (with its old ``since``) and sends the newer position as the header."""
    caller = await authenticate(request)
    db = _db(request)
    raw = request.headers.get("last-event-id") or request.query_params.get("since")
    if raw:
        after = await _call(db.parse_cursor, raw)
    else:
        after = await _call(db.last_event_id)
    return EventStream(
        db, request.app.state.broadcaster, caller, after, heartbeat=request.app.state.heartbeat
    )


# --- shared settings and reactions -------------------------------------------------


async def set_vanish(request: Request) -> Response:
    caller = await authenticate(request)
    data = await json_object(request)
    thread_id = request.path_params["thread_id"]
    return await _answer(200, _db(request).set_vanish, caller, thread_id, data)


async def set_theme(request: Request) -> Response:
    caller = await authenticate(request)
    data = await json_object(request)
    thread_id = request.path_params["thread_id"]
    return await _answer(200, _db(request).set_theme, caller, thread_id, data)


def _emoji(request: Request) -> str:
    """The ``{emoji}`` path segment, percent-decoded as strict UTF-8.

    The server decodes paths leniently (a stray ``%FF`` would become U+FFFD), so
    the segment is decoded again from the raw path, where invalid UTF-8 is a 400.
    """
    raw = request.scope.get("raw_path")
    if not isinstance(raw, bytes):  # an ASGI server that does not pass the raw path
        return request.path_params["emoji"]
    # The route matched, so the last raw segment is the emoji (an escaped "/" in it
    # would have made the decoded path one segment longer, matching no route).
    try:
        return unquote_to_bytes(raw.rsplit(b"/", 1)[-1]).decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("invalid_emoji", "the reaction is not valid UTF-8") from None


async def reaction(request: Request) -> Response:
    caller = await authenticate(request)
    params = request.path_params
    emoji = _emoji(request)
    add = request.method == "PUT"
    db = _db(request)
    return await _answer(
        200, lambda: db.react(caller, params["thread_id"], params["message_id"], emoji, add=add)
    )


# --- the route table ----------------------------------------------------------------


def _by_method(**handlers: Callable[[Request], Any]) -> Callable[[Request], Any]:
    """One endpoint for several methods on one path.

    Starlette answers 405 for a path with the ``Allow`` header of the first route
    matching it only; one route per path keeps ``Allow`` complete.
    """

    async def dispatch(request: Request) -> Any:
        return await handlers[request.method.lower()](request)

    return dispatch


def api_routes() -> list[Route]:
    from chatui.server.openapi import openapi

    thread = "/v1/threads/{thread_id}"
    # PUT .../messages/{id} takes a txn_id, PATCH and DELETE .../messages/{id} a
    # message_id: one path (OpenAPI forbids two templates differing only in
    # parameter names).
    return [
        Route("/v1/register", register, methods=["POST"]),
        Route("/v1/login", login, methods=["POST"]),
        Route("/v1/logout", logout, methods=["POST"]),
        Route("/v1/me", me, methods=["GET"]),
        Route(
            "/v1/threads",
            _by_method(get=list_threads, head=list_threads, post=create_thread),
            methods=["GET", "POST"],
        ),
        Route(thread, get_thread, methods=["GET"]),
        Route(f"{thread}/messages", history, methods=["GET"]),
        Route(
            f"{thread}/messages/{{id}}",
            _by_method(put=send_message, patch=edit_message, delete=delete_message),
            methods=["PUT", "PATCH", "DELETE"],
        ),
        Route(
            f"{thread}/messages/{{message_id}}/reactions/{{emoji}}",
            reaction,
            methods=["PUT", "DELETE"],
        ),
        Route(f"{thread}/read", mark_read, methods=["POST"]),
        Route(f"{thread}/typing", typing, methods=["PUT"]),
        Route(f"{thread}/theme", set_theme, methods=["PUT"]),
        Route(f"{thread}/vanish", set_vanish, methods=["PUT"]),
        Route("/v1/search", search, methods=["GET"]),
        Route("/v1/events", events, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ]
