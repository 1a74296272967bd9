"""GET /openapi.json: the hand-written OpenAPI 3.1 description of API v1.

Hand-written on purpose: the API is small, and writing it down apart from the code
makes it the contract that schema-driven fuzzing (schemathesis) checks the code
against. Limits are taken from :mod:`chatui.server.validate` so the numbers cannot
drift. Every operation lists every status it can answer with.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from chatui import __version__
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

_VANISH = {
    "description": "A disappearing-message setting: `off`, `vanish` (a message goes once "
    "seen and the chat closed), or `timer` with `seconds` (1 to "
    f"{validate.MAX_VANISH_SECONDS}). `seconds` comes with `timer` only; other fields "
    "are refused (400 `invalid_vanish`).",
    "oneOf": [
        {
            "type": "object",
            "required": ["mode"],
            "additionalProperties": False,
            "properties": {"mode": {"type": "string", "enum": ["off", "vanish"]}},
        },
        {
            "type": "object",
            "required": ["mode", "seconds"],
            "additionalProperties": False,
            "properties": {
                "mode": {"type": "string", "enum": ["timer"]},
                "seconds": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": validate.MAX_VANISH_SECONDS,
                },
            },
        },
    ],
}

_THEME_NAME = {
    "type": "string",
    "minLength": 1,
    "maxLength": validate.MAX_THEME_NAME_CHARS,
    "description": 'Shown in the notice ("alice changed the theme to NAME"); not blank, '
    "no control characters.",
}

_THEME = {
    "type": "object",
    "description": "A chat theme in its wire form: a theme file's fields plus `name`, or "
    "`{}` to go back to no theme. The server reads only `name`; the other fields pass "
    f"through for the clients. At most {validate.MAX_THEME_BYTES} bytes as compact "
    f"UTF-8 JSON (413 beyond) and {validate.MAX_THEME_DEPTH} levels of nesting; else "
    "400 `invalid_theme`.",
    "properties": {"name": _THEME_NAME},
}

_CHANGE = {
    "description": "With kind `setting`: what changed. `{what: vanish, vanish: Vanish}` or "
    "`{what: theme, name: NAME or null}` (null: back to no theme).",
    "oneOf": [
        {
            "type": "object",
            "required": ["what", "vanish"],
            "properties": {
                "what": {"type": "string", "enum": ["vanish"]},
                "vanish": _ref("Vanish"),
            },
        },
        {
            "type": "object",
            "required": ["what", "name"],
            "properties": {
                "what": {"type": "string", "enum": ["theme"]},
                "name": {"type": ["string", "null"]},
            },
        },
    ],
}

_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {
                "type": "string",
                "description": "A stable code: "
                + "; ".join(f"`{code}`: {text}" for code, text in ERROR_CODES.items()),
            },
            "message": {"type": "string", "description": "For people; may change."},
        },
    },
    "Credentials": {
        "type": "object",
        "required": ["username", "password"],
        "properties": {
            "username": {"type": "string", "pattern": validate.USERNAME_PATTERN},
            "password": {
                "type": "string",
                "minLength": 1,
                "maxLength": validate.MAX_PASSWORD_CHARS,
            },
        },
    },
    "Session": {
        "type": "object",
        "required": ["user_id", "username", "token"],
        "properties": {
            "user_id": {"type": "string"},
            "username": {"type": "string"},
            "token": {"type": "string", "description": "Send as `Authorization: Bearer`."},
        },
    },
    "Me": {
        "type": "object",
        "required": ["user_id", "username"],
        "properties": {"user_id": {"type": "string"}, "username": {"type": "string"}},
    },
    "Vanish": _VANISH,
    "Message": {
        "type": "object",
        "required": [
            "message_id",
            "thread_id",
            "sender",
            "body",
            "ts",
            "txn_id",
            "reply_to",
            "reactions",
            "vanish",
            "kind",
            "change",
        ],
        "properties": {
            "message_id": {"type": "string"},
            "thread_id": {"type": "string"},
            "sender": {"type": "string", "description": "The sender's username."},
            "body": {
                "type": "string",
                "description": "Untrusted text; empty only for a deleted message "
                "returned again for a retried txn_id. With kind `setting`: the English "
                "sentence saying who changed what.",
            },
            "ts": {"type": "integer", "description": "When the server accepted it, epoch ms."},
            "txn_id": {"type": ["string", "null"]},
            "reply_to": {"type": ["string", "null"]},
            "reactions": {
                "type": "object",
                "description": "emoji -> the usernames that reacted with it, in the order "
                "they did; emoji in the order of their first reaction.",
                "additionalProperties": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "string"},
                },
            },
            "vanish": {
                **_ref("Vanish"),
                "description": "The thread's setting when the message was sent; always "
                "off for kind `setting`.",
            },
            "kind": {
                "type": "string",
                "enum": ["text", "setting"],
                "description": "`setting`: a notice that someone changed the thread's "
                "vanish setting or theme; it never vanishes and is never unread.",
            },
            "change": {"oneOf": [_ref("Change"), {"type": "null"}]},
        },
    },
    "Change": _CHANGE,
    "Theme": _THEME,
    "Thread": {
        "type": "object",
        "required": [
            "thread_id",
            "title",
            "members",
            "theme",
            "vanish",
            "last_message",
            "unread",
            "created_ts",
        ],
        "properties": {
            "thread_id": {"type": "string"},
            "title": {"type": ["string", "null"]},
            "members": {"type": "array", "items": {"type": "string"}},
            "theme": {
                "description": "The shared theme (with a `name`), or null: none set.",
                "oneOf": [
                    {"type": "object", "required": ["name"], "properties": {"name": _THEME_NAME}},
                    {"type": "null"},
                ],
            },
            "vanish": _ref("Vanish"),
            "last_message": {"oneOf": [_ref("Message"), {"type": "null"}]},
            "unread": {
                "type": "integer",
                "minimum": 0,
                "description": "Messages from others after the caller's read marker "
                "(setting notices do not count).",
            },
            "created_ts": {"type": "integer"},
        },
    },
    "NewThread": {
        "type": "object",
        "required": ["members"],
        "properties": {
            "members": {
                "type": "array",
                "maxItems": validate.MAX_MEMBERS,
                "description": "Usernames besides the caller, who is always a member.",
                "items": {"type": "string", "pattern": validate.USERNAME_PATTERN},
            },
            "title": {"type": ["string", "null"], "maxLength": validate.MAX_TITLE_CHARS},
        },
    },
    "ThreadList": {
        "type": "object",
        "required": ["threads"],
        "properties": {"threads": {"type": "array", "items": _ref("Thread")}},
    },
    "NewMessage": {
        "type": "object",
        "required": ["body"],
        "properties": {
            "body": {
                "type": "string",
                "minLength": 1,
                "description": f"1 to {validate.MAX_BODY_BYTES} bytes of UTF-8 (413 beyond).",
            },
            "reply_to": {
                "type": ["string", "null"],
                "description": "A live message of the same thread (else 409).",
            },
        },
    },
    "MessageList": {
        "type": "object",
        "required": ["messages"],
        "properties": {"messages": {"type": "array", "items": _ref("Message")}},
    },
    "ReadMarker": {
        "type": "object",
        "required": ["message_id"],
        "properties": {
            "message_id": {
                "type": "string",
                "description": "A message of this thread (else 409).",
            }
        },
    },
    "Redaction": {
        "type": "object",
        "required": ["thread_id", "message_id", "expired"],
        "properties": {
            "thread_id": {"type": "string"},
            "message_id": {"type": "string"},
            "expired": {
                "type": "boolean",
                "description": "The sender's vanish timer ran out: recipients may keep "
                "their copy until their own timer ends.",
            },
        },
    },
    "ReadEvent": {
        "type": "object",
        "required": ["thread_id", "message_id", "user"],
        "properties": {
            "thread_id": {"type": "string"},
            "message_id": {"type": "string"},
            "user": {"type": "string", "description": "Whose read marker moved."},
        },
    },
    "Hello": {
        "type": "object",
        "required": ["cursor"],
        "properties": {"cursor": {"type": "string"}},
    },
}

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
* `message` — data: a Message. Also sent again for a message whose reactions
  changed: it carries the current reactions (replace the copy you hold).
* `redaction` — data: `{thread_id, message_id, expired}`; the message was deleted
  (`expired`: by its sender's vanish timer).
* `read` — data: `{thread_id, message_id, user}`; `user` has read up to the message.

A comment line `: ping` is sent after 15 s without events. Store the last `id:`
seen (the hello's included) and reconnect with `since` or the `Last-Event-ID`
header (which wins if both are given) to receive every later event exactly once.
A malformed cursor, one from another database, or one newer than any event → 400.
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
                    "401": _error("Wrong username or password (`bad_credentials`)."),
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
                "description": "Up to `limit` messages that come before `before` "
                "(default: the newest ones). Page back by passing the first message's id.",
                "parameters": [
                    _THREAD_ID,
                    {
                        "name": "before",
                        "in": "query",
                        "required": False,
                        "description": "A message of this thread, deleted ones too (else 409).",
                        "schema": {"type": "string"},
                    },
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
            "delete": {
                "operationId": "deleteMessage",
                "summary": "Delete one of the caller's own messages.",
                "description": "The server forgets the body and the reactions. With "
                "`expired=true` (the sender's vanish timer ran out) the redaction event "
                "says so, and the server also checkpoints its write-ahead log, so that "
                "the text is gone from its files at once.",
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
            "schemas": _SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


_SPEC = build_spec()


async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(_SPEC)
