"""GET /openapi.json: the OpenAPI 3.1 description of API v1.

The paths are hand-written on purpose: the API is small, and writing them down
apart from the code makes them the contract that schema-driven fuzzing
(schemathesis) checks the code against. Every operation lists every status it can
answer with. The schemas they refer to are generated from the wire types
(chatui/core/wire.py) that the server decodes its requests with and the local
adapter its answers with, so the document cannot describe another shape than the
one both sides use. Limits are taken from :mod:`chatui.server.validate` and the
wire module so the numbers cannot drift.
"""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse

from chatui import __version__
from chatui.core import wire
from chatui.server import validate
from chatui.server.errors import ERROR_CODES

_JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {_JSON: {"schema": _ref("Error")}}}


def _ok(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {_JSON: {"schema": _ref(schema)}}}


def _body(schema: str) -> dict[str, Any]:
    return {"required": True, "content": {_JSON: {"schema": _ref(schema)}}}


_E400 = _error(
    "Malformed request: not JSON (`malformed_json`), a missing or wrongly typed field "
    "(`invalid_request`), a bad username (`invalid_username`) or a bad parameter "
    "(`invalid_parameter`)."
)
_E401 = {
    "description": "Missing or invalid bearer token (`unauthorized`).",
    "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
    "content": {_JSON: {"schema": _ref("Error")}},
}
_E404 = _error(
    "No such thread (or message, as named in the path), or the caller is not a member "
    "of the thread (`not_found`; existence is not leaked)."
)
_E409_MESSAGE = _error(
    "A message named in the body or query is not in this thread (`unknown_message`)."
)
_E413 = _error(
    f"A message body over {validate.MAX_BODY_BYTES} bytes of UTF-8, or a request "
    f"body over {validate.MAX_REQUEST_BYTES} bytes (`too_large`)."
)
_E413_THEME = _error(
    f"A theme over {validate.MAX_THEME_BYTES} bytes of compact UTF-8 JSON, or a request "
    f"body over {validate.MAX_REQUEST_BYTES} bytes (`too_large`)."
)

_THREAD_ID = {
    "name": "thread_id",
    "in": "path",
    "required": True,
    "description": "An opaque thread id.",
    "schema": {"type": "string"},
}
_MESSAGE_ID = {
    "name": "message_id",
    "in": "path",
    "required": True,
    "description": "An opaque message id.",
    "schema": {"type": "string"},
}
_AUTH = [{"bearer": []}]


def _schemas() -> dict[str, Any]:
    """The components, generated from the wire types (chatui/core/wire.py).

    msgspec names each Struct's schema after its class; the two unions (the vanish
    setting, a setting change) have no class, so they are added under their names.
    Only what the types cannot say is added here: the error codes, from errors.py.
    """
    names = list(wire.DOCUMENTED)
    top, components = msgspec.json.schema_components(
        wire.DOCUMENTED.values(), ref_template="#/components/schemas/{name}"
    )
    schemas: dict[str, Any] = dict(components)
    schemas["Vanish"] = {
        **top[names.index("Vanish")],
        "description": "A disappearing-message setting: `off`, `vanish` (a message goes "
        "once seen and the chat closed), or `timer` with `seconds` (1 to "
        f"{validate.MAX_VANISH_SECONDS}). `seconds` comes with `timer` only; other fields "
        "are refused (400 `invalid_vanish`).",
    }
    schemas["Change"] = {
        **top[names.index("Change")],
        "description": "With kind `setting`: what changed. `{what: vanish, vanish: Vanish}` "
        "or `{what: theme, name: NAME or null}` (null: back to no theme).",
    }
    error = schemas["Error"]["properties"]["error"]
    error["description"] = "A stable code: " + "; ".join(
        f"`{code}`: {text}" for code, text in ERROR_CODES.items()
    )
    return schemas


_EVENTS_DESCRIPTION = """\
The caller's live event stream as Server-Sent Events, for threads they are a member of.

Each event is `event: KIND`, `id: CURSOR` and one `data:` line of JSON:

* `hello` — always first; data `{"cursor": C}` and `id: C`, the position the stream
  starts from: the current cursor when neither `since` nor `Last-Event-ID` is given
  (the stream then carries only later events), else the given cursor.
* `thread` — data: a Thread as the recipient sees it now. Sent when a thread is
  created, when its vanish setting or theme changed (followed by the `message` of
  kind `setting` announcing it), after a redaction (its preview and unread counts
  may change), and to the reader alone after their read marker moved.
* `message` — data: a Message. Also sent again for a message whose reactions or
  text (an edit: `edited_ts` is set) changed: it carries the message as it is now
  (replace the copy you hold).
* `redaction` — data: `{thread_id, message_id, expired}`. Not expired: its sender
  unsent it, and it stays as a tombstone (kind `deleted`, empty body; show "message
  deleted"). `expired`: its sender's vanish timer ran out, and it is gone entirely.
* `read` — data: `{thread_id, message_id, user}`; `user` has read up to the message.
* `typing` — data: `{thread_id, users, timeout_ms}`, who is typing there now (the
  recipient too, if they are). Ephemeral: it has no `id:`, is sent only to streams
  open at the time, and is never replayed. Sent on every notice (renewals too) and
  when one runs out, so the list holds `timeout_ms` without news.

A comment line `: ping` is sent after 15 s without events. Store the last `id:`
seen (the hello's included) and reconnect with `since` or the `Last-Event-ID`
header (which wins if both are given) to receive every later event exactly once.
A malformed cursor, one from another database, or one newer than any event → 400.
"""


_SEARCH_DESCRIPTION = f"""\
Text messages whose text holds every word and phrase of `q`, from the threads the
caller is a member of only, newest first, `limit` at a time (at most
{validate.MAX_SEARCH_LIMIT}).

Matching ignores case and accents (`cafe` finds `Café`) and finds words inside words
and prefixes (`lunc` finds `lunch`), also in scripts without spaces. Never returned:
setting notices, unsent (tombstones) or expired messages, messages sent with vanish
mode on, and every message of a thread whose vanish mode is on now.

Page on by passing the answer's `next` as `before`; `next` is null on the last page.
"""


def _paths() -> dict[str, Any]:
    thread = "/v1/threads/{thread_id}"
    return {
        "/v1/register": {
            "post": {
                "operationId": "register",
                "summary": "Create an account (only when the server allows registration).",
                "security": [],
                "requestBody": _body("Credentials"),
                "responses": {
                    "201": _ok("The new account and its first token.", "Session"),
                    "400": _E400,
                    "403": _error("Registration is closed on this server (`registration_closed`)."),
                    "409": _error("The username is taken (`username_taken`)."),
                    "413": _E413,
                },
            }
        },
        "/v1/login": {
            "post": {
                "operationId": "login",
                "summary": "Exchange username and password for a new bearer token.",
                "security": [],
                "requestBody": _body("Credentials"),
                "responses": {
                    "200": _ok("A new token.", "Session"),
                    "400": _E400,
                    "401": _error(
                        "Wrong username or password (`bad_credentials`). A server with "
                        "open registration says `no_such_user` when no account has the "
                        "username (registering tells whether a name is taken there "
                        "anyway); a closed one answers `bad_credentials` for both."
                    ),
                    "413": _E413,
                },
            }
        },
        "/v1/logout": {
            "post": {
                "operationId": "logout",
                "summary": "Revoke the bearer token this request carries (only that one).",
                "responses": {
                    "204": {"description": "The token no longer works."},
                    "401": _E401,
                },
            }
        },
        "/v1/me": {
            "get": {
                "operationId": "me",
                "summary": "Who the token belongs to.",
                "responses": {"200": _ok("The caller.", "Me"), "401": _E401},
            }
        },
        "/v1/threads": {
            "get": {
                "operationId": "listThreads",
                "summary": "The caller's threads, newest activity first.",
                "responses": {"200": _ok("The threads.", "ThreadList"), "401": _E401},
            },
            "post": {
                "operationId": "createThread",
                "summary": "Start a thread with the given members (and the caller).",
                "requestBody": _body("NewThread"),
                "responses": {
                    "201": _ok("The new thread.", "Thread"),
                    "400": _E400,
                    "401": _E401,
                    "409": _error("A named member has no account here (`unknown_user`)."),
                    "413": _E413,
                },
            },
        },
        thread: {
            "get": {
                "operationId": "getThread",
                "summary": "One thread as the caller sees it.",
                "parameters": [_THREAD_ID],
                "responses": {"200": _ok("The thread.", "Thread"), "401": _E401, "404": _E404},
            }
        },
        f"{thread}/messages": {
            "get": {
                "operationId": "history",
                "summary": "A page of history, oldest first.",
                "description": "Up to `limit` messages: the newest ones, or those that "
                "come right before `before`, right after `after`, or around `around` (that "
                "message, if it is shown, with its neighbours on both sides, half and half "
                "where the thread allows: open a thread at a search result). At most one "
                "of the three (else 400). Page on with the answer's `older` (as `before`) "
                "and `newer` (as `after`); null says nothing more is shown that way.",
                "parameters": [
                    _THREAD_ID,
                    *(
                        {
                            "name": name,
                            "in": "query",
                            "required": False,
                            "description": f"{text} A message of this thread, deleted ones "
                            "too (else 409).",
                            "schema": {"type": "string"},
                        }
                        for name, text in (
                            ("before", "The page ends just before this message."),
                            ("after", "The page starts just after this message."),
                            ("around", "The page is centred on this message."),
                        )
                    ),
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "schema": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": validate.MAX_LIMIT,
                            "default": validate.DEFAULT_LIMIT,
                        },
                    },
                ],
                "responses": {
                    "200": _ok("The messages.", "MessageList"),
                    "400": _E400,
                    "401": _E401,
                    "404": _E404,
                    "409": _E409_MESSAGE,
                },
            }
        },
        f"{thread}/messages/{{id}}": {
            "put": {
                "operationId": "sendMessage",
                "summary": "Send a message, idempotently.",
                "description": "Sending again with the same `txn_id` (in the same thread, "
                "by the same user) returns the message created first and never a duplicate, "
                "whatever the body.",
                "parameters": [
                    _THREAD_ID,
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "description": "The txn_id: a client-chosen id for this send.",
                        "schema": {"type": "string", "pattern": validate.TXN_ID_PATTERN},
                    },
                ],
                "requestBody": _body("NewMessage"),
                "responses": {
                    "200": _ok("The message.", "Message"),
                    "400": _E400,
                    "401": _E401,
                    "404": _E404,
                    "409": _E409_MESSAGE,
                    "413": _E413,
                },
            },
            "patch": {
                "operationId": "editMessage",
                "summary": "Replace the text of one of the caller's own messages.",
                "description": "The old text is overwritten, not kept (and the server "
                "checkpoints its write-ahead log, so it is gone from its files at once). "
                "The message keeps its place and its `ts` (a vanish deadline never moves) "
                "and gains `edited_ts`; every member gets a `message` event with the new "
                "text. The same text again changes nothing.",
                "parameters": [_THREAD_ID, {**_MESSAGE_ID, "name": "id"}],
                "requestBody": _body("EditMessage"),
                "responses": {
                    "200": _ok("The message as it is now.", "Message"),
                    "400": _E400,
                    "401": _E401,
                    "403": _error(
                        "Only the sender may edit a message, and only a text message (`forbidden`)."
                    ),
                    "404": _error(
                        "No such thread or shown message (an unsent or expired one is "
                        "gone), or the caller is not a member (`not_found`)."
                    ),
                    "413": _E413,
                },
            },
            "delete": {
                "operationId": "deleteMessage",
                "summary": "Unsend one of the caller's own messages.",
                "description": "The server forgets the body, the quote, the reactions and "
                "the mentions; the message stays as a tombstone (kind `deleted`, empty "
                'body) in history, so that everyone sees "message deleted" in its '
                "place. With `expired=true` (the sender's vanish timer ran out) it goes "
                "entirely and the redaction event says so. Either way the server "
                "checkpoints its write-ahead log, so that the text is gone from its files "
                "at once.",
                "parameters": [
                    _THREAD_ID,
                    {**_MESSAGE_ID, "name": "id"},
                    {
                        "name": "expired",
                        "in": "query",
                        "required": False,
                        "description": "The deletion is a vanish-timer expiry.",
                        "schema": {"type": "boolean", "default": False},
                    },
                ],
                "responses": {
                    "204": {"description": "Deleted (or already deleted)."},
                    "400": _error("`expired` is not true or false (`invalid_parameter`)."),
                    "401": _E401,
                    "403": _error("Only the sender may delete a message (`forbidden`)."),
                    "404": _E404,
                },
            },
        },
        f"{thread}/messages/{{message_id}}/reactions/{{emoji}}": {
            op: {
                "operationId": f"{op}Reaction",
                "summary": f"{'Add' if op == 'put' else 'Take back'} the caller's reaction.",
                "description": "Idempotent. A change reaches every member as a `message` "
                "event carrying the message with its current reactions.",
                "parameters": [
                    _THREAD_ID,
                    _MESSAGE_ID,
                    {
                        "name": "emoji",
                        "in": "path",
                        "required": True,
                        "description": f"The reaction, percent-encoded: 1 to "
                        f"{validate.MAX_EMOJI_BYTES} bytes of UTF-8 without whitespace or "
                        "control characters (else 400 `invalid_emoji`).",
                        "schema": {"type": "string", "minLength": 1},
                    },
                ],
                "responses": {
                    "200": _ok("The message with its reactions now.", "Message"),
                    "400": _error("A bad reaction (`invalid_emoji`)."),
                    "401": _E401,
                    "404": _error(
                        "No such thread or live message, or the caller is not a member "
                        "(`not_found`)."
                    ),
                    **(
                        {
                            "409": _error(
                                f"The caller already put {validate.MAX_REACTIONS_PER_USER} "
                                "different reactions on this message (`too_many_reactions`)."
                            )
                        }
                        if op == "put"
                        else {}
                    ),
                },
            }
            for op in ("put", "delete")
        },
        f"{thread}/read": {
            "post": {
                "operationId": "markRead",
                "summary": "Move the caller's read marker forward (never backward).",
                "parameters": [_THREAD_ID],
                "requestBody": _body("ReadMarker"),
                "responses": {
                    "204": {"description": "Done."},
                    "400": _E400,
                    "401": _E401,
                    "404": _E404,
                    "409": _E409_MESSAGE,
                    "413": _E413,
                },
            }
        },
        f"{thread}/typing": {
            "put": {
                "operationId": "setTyping",
                "summary": "Say that the caller is typing in the thread, or stopped.",
                "description": "The members' open event streams get a `typing` event with "
                "everyone typing there now. A notice holds `timeout_ms` unless renewed; "
                "then the server takes the caller off the list and says so. Nothing is "
                "stored.",
                "parameters": [_THREAD_ID],
                "requestBody": _body("TypingNotice"),
                "responses": {
                    "204": {"description": "Told."},
                    "400": _E400,
                    "401": _E401,
                    "404": _E404,
                    "413": _E413,
                },
            }
        },
        f"{thread}/theme": {
            "put": {
                "operationId": "setTheme",
                "summary": "Share a chat theme with the thread (`{}`: no theme).",
                "description": "If it changes the theme, the caller adds a message of kind "
                '`setting` ("alice changed the theme to Sunset") and every member gets '
                "a `thread` event, then that `message` event.",
                "parameters": [_THREAD_ID],
                "requestBody": _body("Theme"),
                "responses": {
                    "200": _ok("The thread with its theme now.", "Thread"),
                    "400": _error(
                        "Not a JSON object, no usable name, or nested too deeply "
                        "(`malformed_json`, `invalid_request`, `invalid_theme`)."
                    ),
                    "401": _E401,
                    "404": _E404,
                    "413": _E413_THEME,
                },
            }
        },
        f"{thread}/vanish": {
            "put": {
                "operationId": "setVanish",
                "summary": "Set the thread's vanish mode for everyone in it.",
                "description": "If it changes the setting, the caller adds a message of "
                'kind `setting` ("alice turned on vanish mode") and every member gets a '
                "`thread` event, then that `message` event. Messages keep the setting in "
                "force when they were sent.",
                "parameters": [_THREAD_ID],
                "requestBody": _body("Vanish"),
                "responses": {
                    "200": _ok("The thread with its vanish setting now.", "Thread"),
                    "400": _error(
                        "Not a valid vanish setting (`malformed_json`, `invalid_request`, "
                        "`invalid_vanish`)."
                    ),
                    "401": _E401,
                    "404": _E404,
                    "413": _E413,
                },
            }
        },
        "/v1/search": {
            "get": {
                "operationId": "search",
                "summary": "Find messages by their text, in every thread of the caller.",
                "description": _SEARCH_DESCRIPTION,
                "parameters": [
                    {
                        "name": "q",
                        "in": "query",
                        "required": True,
                        "description": 'Words (all must occur) and `"quoted phrases"`; '
                        f"at most {validate.MAX_SEARCH_TERMS} of them.",
                        "schema": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": validate.MAX_SEARCH_QUERY_CHARS,
                        },
                    },
                    {
                        "name": "before",
                        "in": "query",
                        "required": False,
                        "description": "The previous answer's `next`: the page after it.",
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "schema": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": validate.MAX_SEARCH_LIMIT,
                            "default": validate.DEFAULT_SEARCH_LIMIT,
                        },
                    },
                ],
                "responses": {
                    "200": _ok("The matching messages, newest first.", "SearchResults"),
                    "400": _error(
                        "`q` is missing, blank, too long or has too many words, or `limit` "
                        "is out of range (`invalid_parameter`); `before` is not a cursor from "
                        "a search answer (`invalid_cursor`)."
                    ),
                    "401": _E401,
                },
            }
        },
        "/v1/events": {
            "get": {
                "operationId": "events",
                "summary": "The live event stream (Server-Sent Events), resumable.",
                "description": _EVENTS_DESCRIPTION,
                "parameters": [
                    {
                        "name": "since",
                        "in": "query",
                        "required": False,
                        "description": "Resume after this cursor (an event's `id:`).",
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "Last-Event-ID",
                        "in": "header",
                        "required": False,
                        "description": "As `since`; wins when both are given.",
                        "schema": {"type": "string"},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "An endless `text/event-stream`.",
                        "content": {
                            "text/event-stream": {
                                "schema": {"type": "string"},
                                "x-event-data": {
                                    "description": "Event data by kind (`event:` field).",
                                    "oneOf": [
                                        _ref("Hello"),
                                        _ref("Thread"),
                                        _ref("Message"),
                                        _ref("Redaction"),
                                        _ref("ReadEvent"),
                                        _ref("TypingEvent"),
                                    ],
                                },
                            }
                        },
                    },
                    "400": _error("A bad cursor (`invalid_cursor`)."),
                    "401": _E401,
                },
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This description.",
                "security": [],
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": {_JSON: {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    }


def build_spec() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "chatui reference server",
            "version": f"1 (chatui {__version__})",
            "description": "HTTP API v1 of the chatui reference server. Errors are "
            '`{"error": CODE, "message": TEXT}`. IDs and cursors are opaque strings.',
        },
        "servers": [{"url": "/"}],
        "security": _AUTH,
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


_SPEC = build_spec()


async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(_SPEC)
