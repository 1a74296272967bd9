"""The HTTP side of refusals: the error the HTTP layer answers with, and its JSON shape.

Every failure a client can cause ends up as ``{"error": CODE, "message": TEXT}``
with a fitting HTTP status (docs/server.md). ``CODE`` is a stable machine-readable
word clients may branch on; ``TEXT`` is for people and may change. The Database and
the value rules raise domain refusals without a status
(:mod:`chatui.server.refusals`); :func:`from_refusal` gives each its status, here
and nowhere else. ``ApiError`` itself is raised only by the HTTP layer, for what
only it knows (a missing token, closed registration).
"""

from __future__ import annotations

from chatui.server.refusals import (
    BadCredentials,
    Forbidden,
    Invalid,
    NoSuchUser,
    NotFound,
    Refused,
    TooLarge,
    TooManyReactions,
    UnknownMessage,
    UnknownUser,
    UsernameTaken,
)


class ApiError(Exception):
    """A request the server refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def to_json(self) -> dict[str, str]:
        return {"error": self.code, "message": self.message}


# Where each domain refusal (chatui/server/refusals.py) is answered with which HTTP
# status: the one place the storage layer's words meet HTTP. A subclass not listed
# answers with its nearest listed base class's status.
_STATUS: dict[type[Refused], int] = {
    Refused: 400,
    Invalid: 400,
    TooLarge: 413,
    BadCredentials: 401,
    NoSuchUser: 401,
    Forbidden: 403,
    NotFound: 404,
    # 409, not 404, for a message named in the body or query: the thread in the path
    # exists, and a 404 would tell the client the thread itself is gone.
    UnknownMessage: 409,
    UnknownUser: 409,
    UsernameTaken: 409,
    TooManyReactions: 409,
}


def from_refusal(refusal: Refused) -> ApiError:
    """The HTTP answer to a refusal of the storage layer or the value rules."""
    status = next(_STATUS[cls] for cls in type(refusal).__mro__ if cls in _STATUS)
    return ApiError(status, refusal.code, refusal.message)


# The codes in use, so that openapi.py can list them and tests can refer to them.
ERROR_CODES: dict[str, str] = {
    "malformed_json": "the request body is not valid JSON (or not UTF-8)",
    "invalid_request": "a field is missing, has the wrong type or a bad value",
    "invalid_username": "a username does not match ^[a-z0-9._-]{1,32}$",
    "unknown_user": "a named member has no account on this server",
    "unknown_message": "a message named in the body or query is not in the thread",
    "invalid_parameter": "a query or path parameter is malformed or out of range",
    "invalid_cursor": "an event cursor is malformed, from another database, or too new; or "
    "a search's `before` is not a cursor from a search answer",
    "invalid_vanish": "a vanish setting is not {mode: off|vanish} or {mode: timer, seconds}",
    "invalid_theme": "a theme is not an object with a name of 1 to 64 characters, or "
    "nests too deeply",
    "invalid_emoji": "a reaction is empty, over 64 bytes of UTF-8, or holds whitespace or "
    "control characters",
    "too_many_reactions": "one person already put the most different reactions allowed on "
    "this message",
    "unauthorized": "the bearer token is missing or not valid",
    "bad_credentials": "wrong username or password",
    "no_such_user": "no account has this username (said only by a server with open "
    "registration, where registering tells whether a name is taken anyway; otherwise "
    "such a login is bad_credentials)",
    "registration_closed": "this server does not accept new accounts",
    "forbidden": "the caller may not do this (e.g. delete another user's message)",
    "not_found": "no such thread or message (as named in the path), or the caller is not "
    "a member of the thread",
    "method_not_allowed": "the path exists but not with this method",
    "username_taken": "the username is already registered",
    "too_large": "the message body, the theme or the whole request is too large",
    "internal_error": "a bug in the server",
}
