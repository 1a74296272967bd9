"""The reference server's API v1 wire types, written once as msgspec Structs.

The server decodes its request bodies with them, the local adapter decodes the
server's answers with them, and the server's OpenAPI document takes its schema
components from them (docs/server.md), so the three cannot drift apart. msgspec
rather than pydantic because it imports and decodes fast; even so this module is
not on the client's start path: the local adapter imports it on its first decode,
after the first frame (docs/architecture.md, bench/startup.py).

What a Struct checks, and what it leaves to others:

* Shape and types (a missing field, a number where text belongs, a list too long):
  refused with one code per body, ``invalid_request``, as the server always did.
* Rules whose refusal has its own code stay with the server's value rules
  (chatui/server/validate.py): a username's pattern (``invalid_username``), a body's
  size in UTF-8 bytes (413 ``too_large``), a theme's depth. Those limits appear
  here only in the schema, from the same constants, so the document states them.
* The vanish setting is read by :func:`chatui.core.models.parse_vanish` everywhere;
  :data:`Vanish` says the same thing for the document (a test holds them together).
* A field with a default is one an older server may leave out; the reference
  server always sends every field.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import UNSET, Meta, Struct, UnsetType

from chatui.core.models import MAX_BODY_BYTES, MAX_TIMER_SECONDS

USERNAME_PATTERN = r"^[a-z0-9._-]{1,32}$"
TXN_ID_PATTERN = r"^[A-Za-z0-9._~-]{1,128}$"
MAX_PASSWORD_CHARS = 1024  # scrypt on a megabyte-long "password" is a cheap DoS
MAX_TITLE_CHARS = 200
MAX_MEMBERS = 256
MAX_THEME_NAME_CHARS = 64
MAX_SEARCH_QUERY_CHARS = 256  # GET /v1/search's ``q``: a query, not a document
MAX_SEARCH_TERMS = 16  # each term is one more substring test on every candidate message
MAX_SEARCH_LIMIT = 100
DEFAULT_SEARCH_LIMIT = 20

Id = Annotated[str, Meta(min_length=1, description="An opaque id.")]
Username = Annotated[str, Meta(extra_json_schema={"pattern": USERNAME_PATTERN})]
EpochMs = Annotated[int, Meta(description="UTC epoch milliseconds.")]


# --- the vanish setting ---------------------------------------------------------------


class VanishOff(Struct, tag_field="mode", tag="off", forbid_unknown_fields=True, frozen=True):
    """Messages stay."""


class VanishOn(Struct, tag_field="mode", tag="vanish", forbid_unknown_fields=True, frozen=True):
    """A message goes once seen and the chat is closed."""


class VanishTimer(Struct, tag_field="mode", tag="timer", forbid_unknown_fields=True, frozen=True):
    """A message goes ``seconds`` after it was sent (the sender) or first shown."""

    seconds: Annotated[int, Meta(ge=1, le=MAX_TIMER_SECONDS)]


Vanish = VanishOff | VanishOn | VanishTimer
"""A disappearing-message setting: ``{mode: off|vanish}`` or ``{mode: timer, seconds}``."""


# --- messages -------------------------------------------------------------------------


class VanishChange(Struct, tag_field="what", tag="vanish"):
    """Someone changed the thread's vanish setting."""

    vanish: Vanish


class ThemeChange(Struct, tag_field="what", tag="theme"):
    """Someone changed the thread's theme (``name`` null: back to no theme)."""

    name: str | None


Change = VanishChange | ThemeChange
"""With kind ``setting``: what changed."""

Reactions = dict[
    str,
    Annotated[
        list[str],
        Meta(
            min_length=1,
            description="emoji -> the usernames that reacted with it, in the order they "
            "did; emoji in the order of their first reaction.",
        ),
    ],
]


class Message(Struct):
    """One message as the server sends it (answers and ``message`` events)."""

    message_id: Id
    thread_id: Id
    sender: Annotated[str, Meta(min_length=1, description="The sender's username.")]
    body: Annotated[
        str,
        Meta(
            description="Untrusted text; empty for kind `deleted` (an unsent message). "
            "With kind `setting`: the English sentence saying who changed what."
        ),
    ]
    ts: Annotated[int, Meta(description="When the server accepted it, epoch ms.")]
    txn_id: str | None = None
    reply_to: str | None = None
    reactions: Reactions = {}
    vanish: Annotated[
        Vanish,
        Meta(
            description="The thread's setting when the message was sent; always off for "
            "kind `setting`."
        ),
    ] = VanishOff()
    kind: Annotated[
        Literal["text", "setting", "deleted"],
        Meta(
            description="`setting`: a notice that someone changed the thread's vanish "
            "setting or theme; it never vanishes and is never unread. `deleted`: its "
            'sender unsent it; only who and when are left (show "message deleted").'
        ),
    ] = "text"
    change: Change | None = None
    edited_ts: Annotated[
        EpochMs | None,
        Meta(description="When the sender last edited the body; null: never edited."),
    ] = None
    mentions: Annotated[
        list[str],
        Meta(
            description="The members (usernames) the body calls by `@username`, sorted; "
            "never the sender."
        ),
    ] = []


# --- threads --------------------------------------------------------------------------

ThemeName = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=MAX_THEME_NAME_CHARS,
        description='Shown in the notice ("alice changed the theme to NAME"); not blank, '
        "no control characters.",
    ),
]


class SharedTheme(Struct):
    """A thread's shared chat theme: a theme file's fields plus ``name``.

    The server reads only ``name``; the other fields pass through for the clients.
    """

    name: ThemeName


class Theme(Struct):
    """A chat theme to share: a theme file's fields plus ``name``, or ``{}`` for none.

    The server reads only ``name``; the other fields pass through for the clients
    (size and nesting limits: chatui/server/validate.py).
    """

    name: ThemeName | UnsetType = UNSET


class Thread(Struct):
    """A thread as one member sees it."""

    thread_id: Id
    title: str | None = None
    members: list[str] = []
    theme: Annotated[
        SharedTheme | None, Meta(description="The shared theme, or null: none set.")
    ] = None
    vanish: Vanish = VanishOff()
    last_message: Message | None = None
    unread: Annotated[
        int,
        Meta(
            ge=0,
            description="Messages from others after the caller's read marker (setting "
            "notices do not count).",
        ),
    ] = 0
    mentions: Annotated[
        int,
        Meta(ge=0, description="Of the unread messages, how many mention the caller."),
    ] = 0
    created_ts: EpochMs = 0


class ThreadList(Struct):
    threads: list[Thread]


class MessageList(Struct):
    """A page of one thread's history, oldest first, and where to page on from it."""

    messages: list[Message]
    older: Annotated[
        str | None,
        Meta(
            description="Pass as `before` for the page before this one (the first "
            "message's id); null: nothing older is shown in the thread (or the page is empty)."
        ),
    ] = None
    newer: Annotated[
        str | None,
        Meta(
            description="Pass as `after` for the page after this one (the last message's "
            "id); null: nothing newer is shown in the thread now (or the page is empty)."
        ),
    ] = None


class SearchResults(Struct):
    """A page of messages that match a search, from every thread of the caller."""

    messages: Annotated[
        list[Message],
        Meta(description="Newest first; each names its thread (`thread_id`)."),
    ]
    next: Annotated[
        str | None,
        Meta(description="Pass as `before` for the next page; null: there are no more."),
    ] = None


# --- requests -------------------------------------------------------------------------


class Credentials(Struct):
    """A username and password, to register or log in."""

    username: Username
    password: Annotated[str, Meta(min_length=1, max_length=MAX_PASSWORD_CHARS)]


class NewThread(Struct):
    members: Annotated[
        list[Username],
        Meta(
            max_length=MAX_MEMBERS,
            description="Usernames besides the caller, who is always a member.",
        ),
    ]
    title: Annotated[str, Meta(max_length=MAX_TITLE_CHARS)] | None = None


class NewMessage(Struct):
    body: Annotated[
        str,
        Meta(min_length=1, description=f"1 to {MAX_BODY_BYTES} bytes of UTF-8 (413 beyond)."),
    ]
    reply_to: Annotated[
        str | None, Meta(description="A live message of the same thread (else 409).")
    ] = None


class ReadMarker(Struct):
    message_id: Annotated[str, Meta(description="A message of this thread (else 409).")]


class EditMessage(Struct):
    body: Annotated[
        str,
        Meta(min_length=1, description=f"The new text: 1 to {MAX_BODY_BYTES} bytes of UTF-8."),
    ]


MAX_TYPING_MS = 120_000
DEFAULT_TYPING_MS = 30_000


class TypingNotice(Struct):
    """The caller started (or goes on) typing in the thread, or stopped."""

    typing: bool
    timeout_ms: Annotated[
        int,
        Meta(
            ge=1,
            le=MAX_TYPING_MS,
            description="How long the notice holds unless renewed (the server then takes "
            "the caller off the list and says so).",
        ),
    ] = DEFAULT_TYPING_MS


# --- other answers and events ---------------------------------------------------------


class Session(Struct):
    """A new token for an account (register, login)."""

    user_id: Id
    username: Annotated[str, Meta(min_length=1)]
    token: Annotated[str, Meta(min_length=1, description="Send as `Authorization: Bearer`.")]


class Me(Struct):
    user_id: Id
    username: Annotated[str, Meta(min_length=1)]


class Redaction(Struct):
    thread_id: Id
    message_id: Id
    expired: Annotated[
        bool,
        Meta(
            description="The sender's vanish timer ran out: recipients may keep their copy "
            "until their own timer ends."
        ),
    ]


class ReadEvent(Struct):
    thread_id: Id
    message_id: Id
    user: Annotated[str, Meta(description="Whose read marker moved.")]


class Hello(Struct):
    cursor: str


class TypingEvent(Struct):
    """Ephemeral (no `id:`): who is typing in a thread now."""

    thread_id: Id
    users: Annotated[
        list[str],
        Meta(description="Everyone typing there now (the recipient maybe included)."),
    ]
    timeout_ms: Annotated[
        int,
        Meta(
            ge=0,
            description="The list holds this long without news: the longest time any of "
            "them has left (each renewal is told again).",
        ),
    ]


class Error(Struct):
    """Every refusal: ``{"error": CODE, "message": TEXT}``."""

    error: Annotated[str, Meta(description="A stable code clients may branch on.")]
    message: Annotated[str, Meta(description="For people; may change.")]


DOCUMENTED: dict[str, Any] = {
    "Error": Error,
    "Credentials": Credentials,
    "Session": Session,
    "Me": Me,
    "Vanish": Vanish,
    "Message": Message,
    "Change": Change,
    "Theme": Theme,
    "Thread": Thread,
    "NewThread": NewThread,
    "ThreadList": ThreadList,
    "NewMessage": NewMessage,
    "MessageList": MessageList,
    "SearchResults": SearchResults,
    "ReadMarker": ReadMarker,
    "EditMessage": EditMessage,
    "TypingNotice": TypingNotice,
    "Redaction": Redaction,
    "ReadEvent": ReadEvent,
    "TypingEvent": TypingEvent,
    "Hello": Hello,
}
"""The API document's component name for each wire type (the unions have no class name)."""
