"""Matrix event JSON -> chatui :class:`Message` (pure functions, no I/O).

Only the plain ``body`` of a message is ever used: ``formatted_body`` is HTML that
another client wrote, and chatui renders nothing from a server as markup. Message
types chatui cannot show (images, files, unknown ``msgtype``\\ s) become one line that
says what they are; encrypted events become a clear placeholder, one per event.

chatui's own settings ride on Matrix under the ``chat.chatui.*`` namespace (see
docs/matrix.md): other clients ignore them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chatui.core import notices
from chatui.core.mentions import mentions
from chatui.core.models import (
    DELETED,
    VANISH_OFF,
    BadVanish,
    Message,
    VanishSetting,
    parse_vanish,
)

# --- chatui's namespaced extensions (documented in docs/matrix.md) --------------------

THEME_EVENT = "chat.chatui.theme"
"""Room state (state_key ""): the thread's chat theme, the theme object itself."""
VANISH_EVENT = "chat.chatui.vanish"
"""Room state (state_key ""): the thread's vanish setting, {"mode", "seconds"?}."""
VANISH_FIELD = "chat.chatui.vanish"
"""A field in an m.room.message's content: the vanish setting it was sent under."""

SETTING_EVENTS = (THEME_EVENT, VANISH_EVENT)
"""The state events that show in the conversation as a "setting" notice line."""
EXPIRED_REASON = "chat.chatui.expired"
"""The ``reason`` of a redaction that chatui sent because a vanish timer ran out
(Backend.expire): other chatui clients keep their own copy until their own timer
ends, instead of dropping it at once as for an ordinary deletion."""

ENCRYPTED_BODY = "🔒 encrypted — not supported yet"

MESSAGE_TYPES = ("m.room.message", "m.room.encrypted", "m.sticker")
"""Timeline event types that become a line in the conversation."""

_MEDIA_WORDS = {
    "m.image": "image",
    "m.file": "file",
    "m.audio": "audio",
    "m.video": "video",
    "m.location": "location",
}


def is_state(event: Mapping[str, Any]) -> bool:
    return isinstance(event.get("state_key"), str)


def relation(content: Mapping[str, Any]) -> Mapping[str, Any]:
    rel = content.get("m.relates_to")
    return rel if isinstance(rel, Mapping) else {}


def reply_target(content: Mapping[str, Any]) -> str | None:
    reply = relation(content).get("m.in_reply_to")
    if isinstance(reply, Mapping) and isinstance(reply.get("event_id"), str):
        return reply["event_id"]
    return None


def edit_target(event: Mapping[str, Any]) -> str | None:
    """The event an ``m.replace`` edit replaces, or None for an ordinary message."""
    content = event.get("content")
    if not isinstance(content, Mapping):
        return None
    rel = relation(content)
    if rel.get("rel_type") == "m.replace" and isinstance(rel.get("event_id"), str):
        return rel["event_id"]
    return None


def annotation(event: Mapping[str, Any]) -> tuple[str, str] | None:
    """(target event id, key) of an ``m.reaction`` annotation, else None."""
    if event.get("type") != "m.reaction":
        return None
    content = event.get("content")
    if not isinstance(content, Mapping):
        return None
    rel = relation(content)
    target, key = rel.get("event_id"), rel.get("key")
    if (
        rel.get("rel_type") == "m.annotation"
        and isinstance(target, str)
        and isinstance(key, str)
        and 0 < len(key) <= 64  # an emoji, maybe with modifiers; not an essay
    ):
        return target, key
    return None


def redacted_id(event: Mapping[str, Any]) -> str | None:
    """What an ``m.room.redaction`` removes (top level before room v11, content after)."""
    if event.get("type") != "m.room.redaction":
        return None
    content = event.get("content")
    if isinstance(content, Mapping) and isinstance(content.get("redacts"), str):
        return content["redacts"]
    redacts = event.get("redacts")
    return redacts if isinstance(redacts, str) else None


def is_expiry(event: Mapping[str, Any]) -> bool:
    """A redaction chatui sent because the message's vanish timer ran out."""
    content = event.get("content")
    if isinstance(content, Mapping) and content.get("reason") == EXPIRED_REASON:
        return True
    return event.get("reason") == EXPIRED_REASON  # top level, as some servers put it


def redacted_by(event: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The redaction that emptied ``event`` (``unsigned.redacted_because``), if any."""
    unsigned = event.get("unsigned")
    if not isinstance(unsigned, Mapping):
        return None
    because = unsigned.get("redacted_because")
    return because if isinstance(because, Mapping) else None


def bundled_edit(event: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The newest edit the homeserver bundled with ``event``
    (``unsigned.m.relations.m.replace``: the whole edit event, spec v1.7), if any."""
    unsigned = event.get("unsigned")
    relations = unsigned.get("m.relations") if isinstance(unsigned, Mapping) else None
    edit = relations.get("m.replace") if isinstance(relations, Mapping) else None
    if isinstance(edit, Mapping) and isinstance(edit.get("content"), Mapping):
        return edit
    return None


def mentions_me(
    content: Mapping[str, Any], sender: str, me: str | None, my_name: str | None
) -> bool:
    """Whether a message's content calls ``me``.

    ``m.mentions`` (spec v1.7) says so outright: our id in ``user_ids``, or
    ``room: true`` (everyone). A message without it comes from an older client, and
    is read the way the spec's older rules read it: our display name or our user id
    as a word of the body, or ``@`` plus our localpart (chatui.core.mentions).
    """
    if me is None or sender == me:
        return False
    declared = content.get("m.mentions")
    if isinstance(declared, Mapping):
        ids = declared.get("user_ids")
        return (isinstance(ids, list) and me in ids) or declared.get("room") is True
    body = content.get("body")
    if not isinstance(body, str) or not body:
        return False
    localpart = me[1:].split(":", 1)[0] if me.startswith("@") else me
    return (
        mentions(body, me, at_sign=False)
        or mentions(body, localpart)
        or bool(my_name and my_name != me and mentions(body, my_name, at_sign=False))
    )


def mentioned_ids(body: str, members: Mapping[str, str | None], me: str) -> list[str]:
    """The members (user id -> display name) that ``body`` calls by ``@``: their
    display name, their localpart or their whole user id after an ``@``. What goes
    into ``m.mentions.user_ids`` when we send; never ourselves."""
    if "@" not in body:
        return []
    found: list[str] = []
    for user, name in members.items():
        if user == me:
            continue
        localpart = user[1:].split(":", 1)[0] if user.startswith("@") else user
        names = [user[1:] if user.startswith("@") else user, localpart]
        if name:
            names.append(name)
        if any(mentions(body, candidate) for candidate in names):
            found.append(user)
    return found


def strip_reply_fallback(body: str) -> str:
    """Drop the "> <@alice:x> quoted text" lines that older clients put before a reply."""
    if not body.startswith(">"):
        return body
    lines = body.split("\n")
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    if index < len(lines) and lines[index] == "":
        rest = "\n".join(lines[index + 1 :])
        return rest or body
    return body


def render_content(
    event_type: str, content: Mapping[str, Any], sender_name: str
) -> tuple[str, str] | None:
    """(body, kind) for a message-like event's content; None if there is nothing to show."""
    if event_type == "m.room.encrypted":
        return ENCRYPTED_BODY, "encrypted"
    body = content.get("body")
    body = body if isinstance(body, str) else None
    if event_type == "m.sticker":
        return (f"[sticker: {body}]" if body else "[sticker]"), "media"
    msgtype = content.get("msgtype")
    if not isinstance(msgtype, str):
        return None  # a redacted message (content emptied), or garbage
    if msgtype in ("m.text", "m.notice"):
        if body is None:
            return None
        if reply_target(content) is not None:
            body = strip_reply_fallback(body)
        return body, "notice" if msgtype == "m.notice" else "text"
    if msgtype == "m.emote":
        if body is not None and reply_target(content) is not None:
            body = strip_reply_fallback(body)
        return f"* {sender_name} {body or ''}".rstrip(), "emote"
    word = _MEDIA_WORDS.get(msgtype)
    if word is not None:
        return (f"[{word}: {body}]" if body else f"[{word}]"), "media"
    if body:  # an unknown msgtype: the spec says show the body
        return body, "text"
    return f"[unsupported message: {msgtype[:40]}]", "media"


def vanish_from(value: Any) -> VanishSetting:
    """A vanish setting from Matrix JSON (a state event's content, or the field in a
    message), read by the one parser; anything it refuses is "off", never an error:
    any Matrix client may write these."""
    try:
        return parse_vanish(value)
    except BadVanish:
        return VANISH_OFF


def event_to_message(
    account_id: str,
    room_id: str,
    event: Mapping[str, Any],
    *,
    sender_name: str | None,
    reactions: Mapping[str, tuple[str, ...]],
    me: str | None = None,
    my_name: str | None = None,
) -> Message | None:
    """One timeline event -> a Message, or None when it is not a visible message.

    A message someone redacted is its tombstone (kind "deleted": "message
    deleted"), unless chatui redacted it because its vanish timer ran out: a
    vanished message leaves nothing. ``me`` / ``my_name``: for ``mentions_me``.
    """
    event_type = event.get("type")
    if event_type not in MESSAGE_TYPES or is_state(event):
        return None
    event_id, sender, ts = event.get("event_id"), event.get("sender"), event.get("origin_server_ts")
    content = event.get("content")
    if not (isinstance(event_id, str) and isinstance(sender, str) and isinstance(content, Mapping)):
        return None
    if isinstance(ts, bool) or not isinstance(ts, int | float):
        return None
    if edit_target(event) is not None:
        return None  # an edit is folded into its target, not shown as a line
    redaction = redacted_by(event)
    if redaction is not None:
        if is_expiry(redaction):
            return None
        return Message(
            account_id=account_id,
            thread_id=room_id,
            message_id=event_id,
            sender=sender,
            body="",
            ts=int(ts),
            kind=DELETED,
            sender_name=sender_name,
        )
    rendered = render_content(event_type, content, sender_name or sender)
    if rendered is None:
        return None
    body, kind = rendered
    unsigned = event.get("unsigned")
    txn_id = unsigned.get("transaction_id") if isinstance(unsigned, Mapping) else None
    return Message(
        account_id=account_id,
        thread_id=room_id,
        message_id=event_id,
        sender=sender,
        body=body,
        ts=int(ts),
        txn_id=txn_id if isinstance(txn_id, str) else None,
        reply_to=reply_target(content),
        reactions=reactions,
        vanish=vanish_from(content.get(VANISH_FIELD)),
        kind=kind,
        sender_name=sender_name,
        mentions_me=kind in ("text", "notice", "emote")
        and mentions_me(content, sender, me, my_name),
    )


def edited_body(event: Mapping[str, Any], sender_name: str) -> tuple[str, str] | None:
    """The new (body, kind) an ``m.replace`` edit carries, from ``m.new_content``."""
    new = new_content(event)
    if new is None:
        return None
    return render_content(str(event.get("type")), new, sender_name)


def new_content(event: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """An edit's ``m.new_content`` (what the message says now), if it has one."""
    content = event.get("content")
    new = content.get("m.new_content") if isinstance(content, Mapping) else None
    return new if isinstance(new, Mapping) else None


def apply_edit(
    message: Message, edit: Mapping[str, Any], me: str | None, my_name: str | None
) -> Message | None:
    """``message`` as ``edit`` (an ``m.replace`` event) leaves it, or None when the
    edit does not count: the spec's rules — the same sender, the same event type, a
    ``m.new_content`` that renders — and never a tombstone brought back, nor an
    edit older than the one already applied."""
    if message.deleted or edit.get("sender") != message.sender:
        return None
    if message.kind not in ("text", "notice", "emote"):
        return None
    if redacted_by(edit) is not None:
        return None
    ts = edit.get("origin_server_ts")
    if isinstance(ts, bool) or not isinstance(ts, int | float):
        return None
    if message.edited_ts is not None and int(ts) < message.edited_ts:
        return None
    rendered = edited_body(edit, message.sender_name or message.sender)
    new = new_content(edit)
    if rendered is None or new is None:
        return None
    body, kind = rendered
    return Message(
        account_id=message.account_id,
        thread_id=message.thread_id,
        message_id=message.message_id,
        sender=message.sender,
        body=body,
        ts=message.ts,
        txn_id=message.txn_id,
        reply_to=message.reply_to,
        reactions=message.reactions,
        vanish=message.vanish,
        kind=kind,
        sender_name=message.sender_name,
        edited_ts=int(ts),
        mentions_me=mentions_me(new, message.sender, me, my_name),
    )


def _previous_content(event: Mapping[str, Any]) -> tuple[bool, Any]:
    """(known, content) of the state this event replaced: ``unsigned.prev_content``.

    No previous event at all counts as known and empty (the default setting); a
    replaced event whose content the server did not send is unknown.
    """
    unsigned = event.get("unsigned")
    unsigned = unsigned if isinstance(unsigned, Mapping) else {}
    for holder in (unsigned, event):  # top-level prev_content: older servers
        if "prev_content" in holder:
            return True, holder["prev_content"]
    if isinstance(unsigned.get("replaces_state"), str) or isinstance(
        event.get("replaces_state"), str
    ):
        return False, None
    return True, {}


def theme_name(content: Any) -> str | None:
    """The theme's name as a notice says it; None for an empty (reset) theme."""
    if not isinstance(content, Mapping):
        return None
    name = content.get("name")
    return name if isinstance(name, str) and name.strip() else None


def setting_change(event: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ``Message.change`` a chatui setting state event makes, or None when it is
    not one or changed nothing (the same setting set again)."""
    event_type = event.get("type")
    if event_type not in SETTING_EVENTS or event.get("state_key") != "":
        return None
    content = event.get("content")
    unsigned = event.get("unsigned")
    if isinstance(unsigned, Mapping) and "redacted_because" in unsigned:
        return None  # its content is gone: it says nothing any more
    if not isinstance(content, Mapping):
        return None
    known, previous = _previous_content(event)
    if event_type == VANISH_EVENT:
        setting = vanish_from(content)
        if known and vanish_from(previous) == setting:
            return None
        return notices.vanish_change(setting)
    if known and (dict(previous) if isinstance(previous, Mapping) else {}) == dict(content):
        return None
    return notices.theme_change(theme_name(content))


def setting_message(
    account_id: str, room_id: str, event: Mapping[str, Any], *, sender_name: str | None
) -> Message | None:
    """A chatui setting state event -> the ``kind="setting"`` notice line, or None.

    The body is the sentence every chatui client says ("Alice turned on vanish
    mode"); such a line never vanishes itself.
    """
    change = setting_change(event)
    if change is None:
        return None
    event_id, sender, ts = event.get("event_id"), event.get("sender"), event.get("origin_server_ts")
    if not (isinstance(event_id, str) and isinstance(sender, str)):
        return None
    if isinstance(ts, bool) or not isinstance(ts, int | float):
        return None
    return Message(
        account_id=account_id,
        thread_id=room_id,
        message_id=event_id,
        sender=sender,
        body=notices.describe_change(sender_name or sender, change),
        ts=int(ts),
        vanish=VANISH_OFF,
        kind="setting",
        sender_name=sender_name,
        change=change,
    )
