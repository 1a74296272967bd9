"""The one error type the reference server raises, and its JSON shape.

Every failure a client can cause ends up as ``{"error": CODE, "message": TEXT}``
with a fitting HTTP status (docs/server.md). ``CODE`` is a stable machine-readable
word clients may branch on; ``TEXT`` is for people and may change. The Database
raises these too, so that seeding code (demo, benchmarks) gets the same clear
errors as HTTP clients.
"""

from __future__ import annotations


class ApiError(Exception):
    """A request the server refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def to_json(self) -> dict[str, str]:
        return {"error": self.code, "message": self.message}


def bad_request(code: str, message: str) -> ApiError:
    return ApiError(400, code, message)


def not_found(what: str = "thread") -> ApiError:
    # Deliberately the same answer for "does not exist" and "you are not a member":
    # a non-member must not learn that a thread exists.
    return ApiError(404, "not_found", f"no such {what}")


def unknown_user(*names: str) -> ApiError:
    return ApiError(409, "unknown_user", f"no user named {', '.join(names)}")


def unknown_message(where: str) -> ApiError:
    # 409, not 404: the thread in the path exists; what the body or query names does
    # not. A 404 would tell the client the thread itself is gone.
    return ApiError(409, "unknown_message", f"{where}: no such message in this thread")


# The codes in use, so that openapi.py can list them and tests can refer to them.
ERROR_CODES: dict[str, str] = {
    "malformed_json": "the request body is not valid JSON (or not UTF-8)",
    "invalid_request": "a field is missing, has the wrong type or a bad value",
    "invalid_username": "a username does not match ^[a-z0-9._-]{1,32}$",
    "unknown_user": "a named member has no account on this server",
    "unknown_message": "a message named in the body or query is not in the thread",
    "invalid_parameter": "a query or path parameter is malformed or out of range",
    "invalid_cursor": "an event cursor is malformed, from another database, or too new",
    "invalid_vanish": "a vanish setting is not {mode: off|vanish} or {mode: timer, seconds}",
    "invalid_theme": "a theme is not an object with a name of 1 to 64 characters, or "
    "nests too deeply",
    "invalid_emoji": "a reaction is empty, over 64 bytes of UTF-8, or holds whitespace or "
    "control characters",
    "too_many_reactions": "one person already put the most different reactions allowed on "
    "this message",
    "unauthorized": "the bearer token is missing or not valid",
    "bad_credentials": "wrong username or password",
    "registration_closed": "this server does not accept new accounts",
    "forbidden": "the caller may not do this (e.g. delete another user's message)",
    "not_found": "no such thread or message (as named in the path), or the caller is not "
    "a member of the thread",
    "method_not_allowed": "the path exists but not with this method",
    "username_taken": "the username is already registered",
    "too_large": "the message body, the theme or the whole request is too large",
    "internal_error": "a bug in the server",
}
