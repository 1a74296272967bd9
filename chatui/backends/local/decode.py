"""Server JSON -> chatui's models, for the local adapter.

Server data is untrusted: anything that does not have the shape API v1 promises
raises :class:`MalformedData` (the stream logs and skips that event; a request
turns it into a :class:`~chatui.backends.base.BackendError`). The shape is the wire
types' (chatui/core/wire.py), the ones the server's API document is made from;
msgspec's words say what was wrong ("Expected `str`, got `int` - at `$.sender`").

A few fields are decoration, read leniently here rather than by the types: a
message with odd reactions, an unknown kind or a broken ``change``, or a thread
with a broken theme, is still shown, with what could be read. The vanish setting
is read by the one parser every place uses (:func:`chatui.core.models.parse_vanish`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from chatui.backends.base import BackendError
from chatui.core.mentions import mentions
from chatui.core.models import (
    DELETED,
    VANISH_OFF,
    BadVanish,
    Credentials,
    Identity,
    Message,
    MessageRedacted,
    ReadMarkerMoved,
    Thread,
    TypingChanged,
    VanishSetting,
    parse_vanish,
)

if TYPE_CHECKING:
    from chatui.core import wire


class MalformedData(ValueError):
    """Server JSON that does not have the shape API v1 promises."""


def _int(data: Mapping[str, Any], key: str, default: int | None = None) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        if default is not None and value is None:
            return default
        raise MalformedData(f"missing or invalid {key!r}")
    return int(value)


def mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MalformedData(f"{what} is not an object")
    return value


def _vanish(value: Any) -> VanishSetting:
    """Absent is off (an older server); anything else must pass the one parser."""
    if value is None:
        return VANISH_OFF
    try:
        return parse_vanish(value)
    except BadVanish as err:
        raise MalformedData(f"invalid vanish setting: {err}") from None


def _reactions(value: Any) -> Mapping[str, tuple[str, ...]]:
    """``{emoji: [usernames]}``; anything else there is ignored rather than fatal."""
    if not isinstance(value, Mapping):
        return MappingProxyType({})
    out: dict[str, tuple[str, ...]] = {}
    for emoji, users in value.items():
        if isinstance(emoji, str) and isinstance(users, list):
            out[emoji] = tuple(u for u in users if isinstance(u, str))
    return MappingProxyType(out)


def _change(value: Any) -> Mapping[str, Any] | None:
    """A setting message's ``change``: kept if it is an object (describe_change and
    the UI read it defensively), else None; never a reason to drop the message."""
    if not isinstance(value, Mapping):
        return None
    return MappingProxyType(dict(value))


_MESSAGE_DECORATION = frozenset({"reactions", "vanish", "kind", "change", "edited_ts", "mentions"})
_THREAD_DECORATION = frozenset(
    {"theme", "vanish", "last_message", "unread", "mentions", "created_ts", "created"}
)


def _edited_ts(value: Any) -> int | None:
    """When it was edited: a number, else (absent, null, or odd) never."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def _mentions_me(data: Mapping[str, Any], sender: str, body: str, me: str | None) -> bool:
    """Whether the message calls ``me``: the server's ``mentions`` list; a server from
    before mentions sends none, and then the body is read by the same rule."""
    if me is None or sender == me:
        return False
    named = data.get("mentions")
    if isinstance(named, list):
        return me in named
    return mentions(body, me)


def _as(shape: str, data: Mapping[str, Any], leave_out: frozenset[str]) -> Any:
    """``data`` as the wire type named ``shape``, without the fields read leniently.

    msgspec and the wire types are imported on first use, not with this module:
    whatever imports the adapter before the app's first frame (the benchmark's app
    does, bench/startup.py) should not pay for them there.
    """
    import msgspec

    from chatui.core import wire

    try:
        return msgspec.convert(
            {k: v for k, v in data.items() if k not in leave_out}, getattr(wire, shape)
        )
    except msgspec.ValidationError as err:
        raise MalformedData(str(err)) from None


def message_from_json(account_id: str, data: Any, me: str | None = None) -> Message:
    """API v1 message JSON -> Message; MalformedData if it does not fit.

    ``kind`` "setting" marks a notice that someone changed the thread's vanish
    setting or theme, "deleted" an unsent message (its tombstone: no text whatever
    the server says); any other kind (or none: an older server) is plain text.
    ``me``: our username, for ``mentions_me``.
    """
    data = mapping(data, "message")
    given: wire.Message = _as("Message", data, _MESSAGE_DECORATION)
    kind = data.get("kind")
    setting = kind == "setting"
    if kind == DELETED:
        return Message(
            account_id=account_id,
            thread_id=given.thread_id,
            message_id=given.message_id,
            sender=given.sender,
            body="",
            ts=given.ts,
            txn_id=given.txn_id or None,
            vanish=_vanish(data.get("vanish")),
            kind=DELETED,
        )
    return Message(
        account_id=account_id,
        thread_id=given.thread_id,
        message_id=given.message_id,
        sender=given.sender,
        body=given.body,
        ts=given.ts,
        txn_id=given.txn_id or None,
        reply_to=given.reply_to or None,
        reactions=_reactions(data.get("reactions")),
        # Notices never vanish, whatever the server says.
        vanish=VANISH_OFF if setting else _vanish(data.get("vanish")),
        kind="setting" if setting else "text",
        change=_change(data.get("change")) if setting else None,
        edited_ts=None if setting else _edited_ts(data.get("edited_ts")),
        mentions_me=not setting and _mentions_me(data, given.sender, given.body, me),
    )


def thread_from_json(account_id: str, data: Any, me: str | None = None) -> Thread:
    """API v1 thread JSON -> Thread; MalformedData if it does not fit."""
    data = mapping(data, "thread")
    given: wire.Thread = _as("Thread", data, _THREAD_DECORATION)
    theme = data.get("theme")
    if theme is not None and not isinstance(theme, Mapping):
        theme = None  # cosmetic: a broken theme must not hide the thread
    last = data.get("last_message")
    last_message = message_from_json(account_id, last, me) if last is not None else None
    unread = _int(data, "unread", 0)
    mentioned = data.get("mentions")
    if isinstance(mentioned, bool) or not isinstance(mentioned, int):
        mentioned = 0  # an older server: none counted
    created = data.get("created_ts", data.get("created"))
    return Thread(
        account_id=account_id,
        thread_id=given.thread_id,
        title=given.title or None,
        members=tuple(given.members),
        last_message=last_message,
        unread=max(0, unread),
        mentions=min(max(0, mentioned), max(0, unread)),
        theme=MappingProxyType(dict(theme)) if theme is not None else None,
        vanish=_vanish(data.get("vanish")),
        created_ts=int(created)
        if isinstance(created, int | float) and not isinstance(created, bool)
        else 0,
    )


def identity(data: Any) -> Identity:
    """API v1 ``/v1/me`` JSON -> Identity; MalformedData if it does not fit."""
    given: wire.Me = _as("Me", mapping(data, "identity"), frozenset())
    return Identity(user_id=given.user_id, username=given.username)


def redaction(account_id: str, data: Any, cursor: str | None) -> MessageRedacted:
    """A ``redaction`` event; only a true ``expired`` is an expiry (anything else there
    is read as a plain deletion rather than losing the deletion)."""
    data = mapping(data, "redaction event")
    given: wire.Redaction = _as("Redaction", {**data, "expired": False}, frozenset())
    return MessageRedacted(
        account_id,
        given.thread_id,
        given.message_id,
        cursor,
        expired=data.get("expired") is True,
    )


def read_marker(account_id: str, data: Any, cursor: str | None) -> ReadMarkerMoved:
    """A ``read`` event: ``user`` has read up to the message."""
    given: wire.ReadEvent = _as("ReadEvent", mapping(data, "read event"), frozenset())
    return ReadMarkerMoved(account_id, given.thread_id, given.message_id, given.user, cursor)


def typing(account_id: str, data: Any) -> TypingChanged:
    """A ``typing`` event: who is typing in the thread now. Ephemeral: no cursor."""
    given: wire.TypingEvent = _as("TypingEvent", mapping(data, "typing event"), frozenset())
    return TypingChanged(
        account_id,
        given.thread_id,
        tuple(dict.fromkeys(u for u in given.users if u)),
        timeout_ms=given.timeout_ms,
    )


def credentials(data: Any) -> Credentials:
    try:
        given: wire.Session = _as("Session", mapping(data, "login answer"), frozenset())
    except MalformedData as err:
        raise BackendError(f"the server sent a malformed login answer: {err}") from err
    return Credentials(user_id=given.user_id, username=given.username, token=given.token)
