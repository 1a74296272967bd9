"""Server JSON -> chatui's models, for the local adapter.

Server data is untrusted: anything that does not have the shape API v1 promises
raises :class:`MalformedData` (the stream logs and skips that event; a request
turns it into a :class:`~chatui.backends.base.BackendError`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from chatui.backends.base import BackendError
from chatui.core.models import (
    VANISH_OFF,
    BadVanish,
    Credentials,
    Message,
    Thread,
    VanishSetting,
    parse_vanish,
)


class MalformedData(ValueError):
    """Server JSON that does not have the shape API v1 promises."""


def required_str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # tolerate numeric ids
    raise MalformedData(f"missing or invalid {key!r}")


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise MalformedData(f"invalid {key!r}")


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


def message_from_json(account_id: str, data: Any) -> Message:
    """API v1 message JSON -> Message; MalformedData if it does not fit.

    ``kind`` "setting" marks a notice that someone changed the thread's vanish
    setting or theme; any other kind (or none: an older server) is plain text.
    """
    data = mapping(data, "message")
    body = data.get("body")
    if not isinstance(body, str):
        raise MalformedData("missing or invalid 'body'")
    setting = data.get("kind") == "setting"
    return Message(
        account_id=account_id,
        thread_id=required_str(data, "thread_id"),
        message_id=required_str(data, "message_id"),
        sender=required_str(data, "sender"),
        body=body,
        ts=_int(data, "ts"),
        txn_id=_opt_str(data, "txn_id"),
        reply_to=_opt_str(data, "reply_to"),
        reactions=_reactions(data.get("reactions")),
        # Notices never vanish, whatever the server says.
        vanish=VANISH_OFF if setting else _vanish(data.get("vanish")),
        kind="setting" if setting else "text",
        change=_change(data.get("change")) if setting else None,
    )


def thread_from_json(account_id: str, data: Any) -> Thread:
    """API v1 thread JSON -> Thread; MalformedData if it does not fit."""
    data = mapping(data, "thread")
    members = data.get("members")
    if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
        raise MalformedData("missing or invalid 'members'")
    title = data.get("title")
    if title is not None and not isinstance(title, str):
        raise MalformedData("invalid 'title'")
    theme = data.get("theme")
    if theme is not None and not isinstance(theme, Mapping):
        theme = None  # cosmetic: a broken theme must not hide the thread
    last = data.get("last_message")
    last_message = message_from_json(account_id, last) if last is not None else None
    unread = _int(data, "unread", 0)
    created = data.get("created_ts", data.get("created"))
    return Thread(
        account_id=account_id,
        thread_id=required_str(data, "thread_id"),
        title=title or None,
        members=tuple(members),
        last_message=last_message,
        unread=max(0, unread),
        theme=MappingProxyType(dict(theme)) if theme is not None else None,
        vanish=_vanish(data.get("vanish")),
        created_ts=int(created)
        if isinstance(created, int | float) and not isinstance(created, bool)
        else 0,
    )


def credentials(data: Any) -> Credentials:
    try:
        data = mapping(data, "login answer")
        token = data.get("token")
        if not isinstance(token, str) or not token:
            raise MalformedData("missing 'token'")
        return Credentials(
            user_id=required_str(data, "user_id"),
            username=required_str(data, "username"),
            token=token,
        )
    except MalformedData as err:
        raise BackendError(f"the server sent a malformed login answer: {err}") from err
