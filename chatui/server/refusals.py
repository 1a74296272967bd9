"""What the server's storage and value rules refuse, in their own words: no HTTP here.

The Database is called by the HTTP routes and, directly, by the demo and the
benchmarks that seed it, so its refusals are domain errors (a user name is taken,
a thread is not there) rather than HTTP answers. Each carries the stable error
code clients branch on (docs/server.md) and a message for people; the HTTP layer
turns them into a status in one place (:mod:`chatui.server.errors`).
"""

from __future__ import annotations

from typing import ClassVar


class Refused(Exception):
    """A request the server's rules refuse; ``code`` is the stable error word."""

    code: ClassVar[str] = "invalid_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(Refused):
    """A value breaks a rule (a missing field, a bad username, a bad vanish setting).

    The code says which rule, so it is given with each refusal: ``invalid_request``,
    ``invalid_username``, ``invalid_parameter``, ``invalid_vanish``, ...
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code  # type: ignore[misc]  # an instance's own word


class InvalidCursor(Invalid):
    """An event cursor that is malformed, from another database, or too new."""

    def __init__(self, message: str) -> None:
        super().__init__("invalid_cursor", message)


class TooLarge(Refused):
    """A message body, a theme or a whole request over its size limit."""

    code = "too_large"


class NotFound(Refused):
    """No such thread or message, or the caller is not a member of the thread.

    Deliberately one refusal for both: a non-member must not learn that a thread
    exists.
    """

    code = "not_found"

    def __init__(self, what: str = "thread") -> None:
        super().__init__(f"no such {what}")


class UnknownUser(Refused):
    """A named member has no account on this server."""

    code = "unknown_user"

    def __init__(self, *names: str) -> None:
        super().__init__(f"no user named {', '.join(names)}")


class UnknownMessage(Refused):
    """A message named in the body or query (not the path) is not in the thread."""

    code = "unknown_message"

    def __init__(self, where: str) -> None:
        super().__init__(f"{where}: no such message in this thread")


class UsernameTaken(Refused):
    code = "username_taken"


class BadCredentials(Refused):
    code = "bad_credentials"

    def __init__(self) -> None:
        super().__init__("wrong username or password")


class NoSuchUser(BadCredentials):
    """A login for a name that has no account, said as such only when the caller asks
    (the HTTP layer does where registration is open).

    Open registration already tells anyone whether a name is taken (409
    ``username_taken``), so there this reveals nothing new and lets a client say
    "create it" instead of "wrong password". With registration closed a login keeps
    the one answer for both, so that names cannot be probed. A subclass, so that
    whoever handles BadCredentials handles this too.
    """

    code = "no_such_user"

    def __init__(self, username: str) -> None:
        Refused.__init__(self, f"no user named {username!r} on this server")


class Forbidden(Refused):
    """The caller may not do this (e.g. delete another user's message)."""

    code = "forbidden"


class TooManyReactions(Refused):
    code = "too_many_reactions"
