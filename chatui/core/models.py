"""The pure data model shared by every layer.

Everything here is a frozen dataclass so that the UI can cache rendered lines keyed
on an object and know it cannot change underneath the cache. Backends build these
from whatever their server speaks; the UI and the Session only ever see these.

Timestamps are UTC epoch **milliseconds** (``int``), the unit the reference server
uses, so that ordering is exact and nothing depends on float rounding.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

ThreadKey = tuple[str, str]
"""(account_id, thread_id): a thread id is only unique within its account."""

_EMPTY: Mapping[str, tuple[str, ...]] = MappingProxyType({})
_NO_NAMES: Mapping[str, str] = MappingProxyType({})


class Value:
    """Equality, hashing and repr by value, shared by the frozen records below.

    Each record is a ``@dataclass(frozen=True, slots=True, repr=False, eq=False)``
    on this base, and behaves exactly as a plain frozen dataclass: equal when of
    the same class with equal fields, hashed on its fields, shown as
    ``Name(field=value, ...)``. Why not let ``dataclass`` generate these three?
    Python 3.11 compiles each generated method separately when the class is
    defined, ~0.1 ms apiece; shared, they cost nothing, which takes about a third
    off this module's import — paid before the app's first frame
    (bench/startup.py).
    """

    __slots__ = ()

    def _values(self) -> tuple[Any, ...]:
        names = self.__dataclass_fields__  # type: ignore[attr-defined]
        return tuple([getattr(self, name) for name in names])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()  # type: ignore[attr-defined]
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{name}={getattr(self, name)!r}"
            for name, spec in self.__dataclass_fields__.items()  # type: ignore[attr-defined]
            if spec.repr  # secrets are declared field(repr=False): never in a log line
        )
        return f"{self.__class__.__qualname__}({fields})"


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class VanishSetting(Value):
    """A thread's disappearing-message setting (docs/vanish.md)."""

    mode: str = "off"  # "off" | "vanish" | "timer"
    seconds: int | None = None  # only with mode == "timer"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"mode": self.mode}
        if self.mode == "timer":
            data["seconds"] = self.seconds
        return data


VANISH_OFF = VanishSetting()
VANISH_ON = VanishSetting("vanish")
VANISH_MODES = ("off", "vanish", "timer")
MAX_TIMER_SECONDS = 4 * 7 * 24 * 60 * 60
"""The longest timer accepted (four weeks): longer is not "disappearing"."""
MAX_BODY_BYTES = 65_536
"""The longest message body, in bytes of UTF-8: the reference server refuses more
(413), and a Matrix event cannot be larger than this whole."""


class BadVanish(ValueError):
    """A vanish setting that is not ``{mode: off|vanish}`` or ``{mode: timer, seconds}``."""


def parse_vanish(value: Any) -> VanishSetting:
    """The one reading of a vanish setting's JSON, wherever it comes from.

    The server refuses what this refuses (400 ``invalid_vanish``), the local
    adapter calls such a server answer malformed, the Matrix adapter reads it as
    off and the store as a broken row: one rule, so that a setting one side
    accepts is never one the other cannot read. Pure Python, not the wire structs
    (chatui/core/wire.py, whose ``Vanish`` says the same in the API document),
    because the store runs this for cached threads before the first frame, where
    msgspec's import would cost more than all the parsing (bench/startup.py).
    """
    if not isinstance(value, Mapping):
        raise BadVanish("the vanish setting must be a JSON object")
    for key in value:
        if key != "mode" and key != "seconds":
            raise BadVanish(f"unknown field {str(key)[:40]!r}")
    mode = value.get("mode")
    if mode not in VANISH_MODES:
        raise BadVanish("mode must be one of off, vanish, timer")
    if mode != "timer":
        if "seconds" in value:
            raise BadVanish("seconds goes with mode timer only")
        return VANISH_OFF if mode == "off" else VANISH_ON
    seconds = value.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise BadVanish("mode timer needs seconds, a whole number")
    if not 1 <= seconds <= MAX_TIMER_SECONDS:
        raise BadVanish(f"seconds must be from 1 to {MAX_TIMER_SECONDS} (four weeks)")
    return VanishSetting("timer", seconds)


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class Identity(Value):
    """Who an account is logged in as on its server."""

    user_id: str
    username: str


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class Credentials(Value):
    """What a successful login returns; the token goes to the token store only."""

    user_id: str
    username: str
    token: str = field(repr=False)


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class Message(Value):
    """One message in one thread of one account."""

    account_id: str
    thread_id: str
    message_id: str
    sender: str  # the sender's username (display form)
    body: str  # untrusted: always render through chatui.core.sanitize
    ts: int  # when the server accepted it, UTC epoch ms
    txn_id: str | None = None
    reply_to: str | None = None
    # emoji -> the users who reacted with it
    reactions: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _EMPTY)
    vanish: VanishSetting = VANISH_OFF
    pending: bool = False  # a local echo the server has not accepted yet
    # What kind of line this is, so the UI may style it: "text", "notice" (a bot's
    # or server's message), "emote" (body already reads "* alice waves"), "media"
    # (body is a description like "[image: cat.png]"), "encrypted" (a placeholder
    # for content this client cannot decrypt), "setting" (someone changed the
    # thread's shared setting: ``change`` says what, ``body`` is the English
    # sentence from chatui.core.notices.describe_change), "deleted" (unsent by its
    # sender: ``body`` is empty and the UI shows "message deleted"; see tombstone()).
    kind: str = "text"
    # The sender's display name where the network has one (Matrix); ``sender``
    # stays the stable id that Session.me() and reactions compare against.
    sender_name: str | None = None
    # With ``pending``: the server refused it for good, and why (chatui.session.outbox); the
    # user may retry or discard it.
    failed: str | None = None
    # With kind "setting": {"what": "vanish", "vanish": {"mode", "seconds"?}} or
    # {"what": "theme", "name": NAME or None (the default theme again)}.
    change: Mapping[str, Any] | None = None
    # When the sender last edited it (UTC epoch ms; None: never). The body is the
    # newest text; the old one is forgotten (docs/server.md, docs/matrix.md).
    edited_ts: int | None = None
    # It calls this account by name (``@username`` on the reference server,
    # ``m.mentions`` on Matrix): the UI highlights it, the list counts it.
    mentions_me: bool = False

    @property
    def thread_key(self) -> ThreadKey:
        return (self.account_id, self.thread_id)

    @property
    def edited(self) -> bool:
        """The sender changed the text after sending it (shown as "edited")."""
        return self.edited_ts is not None

    @property
    def deleted(self) -> bool:
        """Unsent by its sender: a tombstone that shows "message deleted" in its place."""
        return self.kind == DELETED


DELETED = "deleted"
"""``Message.kind`` of a message its sender unsent: the line stays, its text does not."""


def tombstone(message: Message) -> Message:
    """What is left of ``message`` once its sender unsent it: who and when, no text.

    Unsending is not vanishing: a vanished message disappears entirely, an unsent
    one leaves this in its place so that everyone sees "message deleted". The
    vanish setting is kept, so a tombstone of a vanishing message still goes when
    the message would have (unsending never makes anything last longer).
    """
    return Message(
        account_id=message.account_id,
        thread_id=message.thread_id,
        message_id=message.message_id,
        sender=message.sender,
        body="",
        ts=message.ts,
        txn_id=message.txn_id,
        vanish=message.vanish,
        kind=DELETED,
        sender_name=message.sender_name,
    )


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class Thread(Value):
    """A conversation as one account sees it."""

    account_id: str
    thread_id: str
    title: str | None  # None: name it after the other members
    members: tuple[str, ...]
    last_message: Message | None = None
    unread: int = 0
    theme: Mapping[str, Any] | None = None
    vanish: VanishSetting = VANISH_OFF
    created_ts: int = 0  # UTC epoch ms
    # "join": a conversation we are in; "invite": someone invited us and we have not
    # answered (see Backend.accept_invite / decline_invite); "leave": we left or
    # were removed (the Session may drop it from the list).
    membership: str = "join"
    inviter: str | None = None  # with membership "invite": who invited us
    # Member id -> the display name the network knows them by, for those that have
    # one other than their id (Matrix). Not only the ``members`` named above (those
    # are the few the title names): anyone the adapter has a name for, so that
    # "who reacted" can name a person who never wrote a line here.
    member_names: Mapping[str, str] = field(default_factory=lambda: _NO_NAMES)
    # Of the ``unread`` messages, how many mention us (Message.mentions_me).
    mentions: int = 0

    @property
    def one_to_one(self) -> bool:
        """Just us and one other person (where "seen" is shown)."""
        return len(set(self.members)) == 2

    def name_of(self, member: str) -> str:
        """``member``'s display name where the network has one, else the id itself."""
        return self.member_names.get(member) or member

    @property
    def key(self) -> ThreadKey:
        return (self.account_id, self.thread_id)

    @property
    def activity_ts(self) -> int:
        """When anything last happened here: what the merged list sorts by."""
        if self.last_message is not None:
            return max(self.last_message.ts, self.created_ts)
        return self.created_ts

    def display_title(self, me: str) -> str:
        """The title, or the other members' names for an untitled conversation."""
        if self.title:
            return self.title
        others = [m for m in self.members if m != me]
        return ", ".join(others) if others else me


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class SearchPage(Value):
    """One page of a server-side search (``Backend.search``).

    ``results`` are newest first; each message names its thread
    (``Message.thread_key``). ``next_cursor`` asks the same backend for the page
    after this one; None: there are no more.
    """

    results: tuple[Message, ...] = ()
    next_cursor: str | None = None


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class HistoryWindow(Value):
    """A page of one thread around one message (``Backend.history_around``): how a
    thread opens at a search result.

    ``messages`` are oldest first, the anchor among them unless it is no longer
    shown (an expired message keeps only its place). ``older`` goes to
    ``Backend.history(before=...)`` for the page before, ``newer`` to
    ``Backend.history_after(after=...)`` for the page after; None: the thread ends
    that way (on the newer side: for now).
    """

    anchor: str
    messages: tuple[Message, ...] = ()
    older: str | None = None
    newer: str | None = None


class ConnectionState(enum.Enum):
    """How one account's live connection is doing; shown in the status area."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    ERROR = "error"  # needs the user: bad token, server refuses us
    OFFLINE = "offline"


# --- events: what Backend.events() yields --------------------------------------------
#
# ``cursor`` is the opaque resume point after this event (None for events that are not
# part of the server's stream, like ConnectionChanged).


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class ThreadUpdated(Value):
    """A thread was created, or its title/members/theme/vanish/unread changed."""

    thread: Thread
    cursor: str | None = None


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class MessageReceived(Value):
    """A message arrived on the live stream."""

    message: Message
    cursor: str | None = None


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class MessageRedacted(Value):
    """A message was deleted by its sender: it goes from wherever it is shown.

    ``expired``: the sender's client deleted it because its vanish timer ran out
    there. Each device runs its own timer (docs/vanish.md), so a recipient's copy
    that this device has already received keeps its own deadline instead of
    going at once.
    """

    account_id: str
    thread_id: str
    message_id: str
    cursor: str | None = None
    expired: bool = False


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class ReadMarkerMoved(Value):
    """``user`` has read ``thread_id`` up to and including ``message_id``."""

    account_id: str
    thread_id: str
    message_id: str
    user: str
    cursor: str | None = None


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class TypingChanged(Value):
    """Who is typing in ``thread_id`` now: the whole list (ourselves maybe included).

    Ephemeral: no server replays it. ``cursor`` is None, except where an adapter
    marks its stream's place on whatever event comes last (a Matrix sync answer's
    last event carries its ``next_batch``): then it must be kept like any other.
    ``timeout_ms``: how long the adapter vouches for the list without further news
    (the reference server repeats it while someone keeps typing); None means until
    the next TypingChanged (Matrix's homeserver says when someone stops).
    """

    account_id: str
    thread_id: str
    users: tuple[str, ...]
    timeout_ms: int | None = None
    cursor: str | None = None


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class ConnectionChanged(Value):
    """The account's live connection changed state (shown in the status area)."""

    account_id: str
    state: ConnectionState
    detail: str = ""  # a short human reason, e.g. "server unreachable"
    cursor: str | None = None
    retry_at: int | None = None
    """RECONNECTING: when the next try is due (UTC epoch ms), for a countdown that
    counts; None when no try is scheduled."""
    signed_out: bool = False
    """ERROR because the server refused the token: only logging in again helps."""


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class HistoryReset(Value):
    """The server no longer knew the stored cursor: events since then are lost.

    The backend dropped the unusable cursor and resumed the stream from ``cursor``
    (the server's "now"; None if not known yet). What the client cached may be stale
    or hold messages deleted meanwhile: it must refetch, and tell the user.
    ``reason`` is the server's answer, untrusted text.
    """

    account_id: str
    reason: str
    cursor: str | None = None


Event = (
    ThreadUpdated
    | MessageReceived
    | MessageRedacted
    | ReadMarkerMoved
    | TypingChanged
    | ConnectionChanged
    | HistoryReset
)


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class AccountConfig(Value):
    """A linked account's non-secret settings, as kept in config.toml.

    The token is never here: it lives in the keyring (or, when the user chose so
    plainly, a 0600 file); see chatui.profile.tokens.
    """

    account_id: str  # short, unique in the profile, e.g. "work" or "local-alice"
    kind: str  # the backend's entry-point name: "local", "matrix", ...
    server: str  # base URL of the server (homeserver for Matrix)
    username: str
    label: str  # the short tag shown on each thread row, e.g. "A" or "work"
    color: str  # the label's color, any Rich color string such as "#5fafff"
    token_store: str = "keyring"  # "keyring" | "file"
    network: str = ""  # what a person calls the server ("Northwind"); "" = from the address
