"""What the adapter knows about each room, and how a room becomes a chatui Thread.

Matrix gives a client room *state* (name, members, chatui's theme...) in pieces:
the first sync, state deltas in later syncs, state events inside timelines. A
:class:`Room` accumulates them; :meth:`Room.thread` turns the current picture into
the immutable :class:`Thread` the rest of chatui uses.

Room ids are opaque (room version 12 ids carry no server name): nothing here ever
looks inside one. User ids are another matter: their server part is how a bare
username in "new conversation" is completed.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from chatui.backends.matrix.convert import THEME_EVENT, VANISH_EVENT, vanish_from
from chatui.core.models import VANISH_OFF, Message, Thread, VanishSetting

_NO_REACTIONS: Mapping[str, tuple[str, ...]] = MappingProxyType({})
_NO_NAMES: Mapping[str, str] = MappingProxyType({})
MAX_TITLE_NAMES = 3  # "Alice, Bob, Carol and 4 others"
MAX_MEMBER_NAMES = 1_000
"""Display names a Thread carries at most (Room.member_names)."""


@dataclass(slots=True)
class Member:
    membership: str
    displayname: str | None = None


@dataclass(slots=True)
class Room:
    room_id: str
    membership: str = "join"  # "join" | "invite" | "leave"
    name: str | None = None
    alias: str | None = None
    members: dict[str, Member] = field(default_factory=dict)
    heroes: list[str] = field(default_factory=list)
    joined_count: int | None = None
    invited_count: int | None = None
    inviter: str | None = None
    invite_direct: bool = False
    encrypted: bool = False
    theme: Mapping[str, Any] | None = None
    vanish: VanishSetting = VANISH_OFF
    created_ts: int = 0
    seen_ts: int = 0  # when this client first heard of the room (orders invites)
    last_message: Message | None = None
    # The server's count (unread_notifications) follows the user's push rules and is
    # always 0 on a server with push disabled, so the adapter also counts messages
    # from others after our read receipt itself; the thread shows the larger.
    server_unread: int = 0
    own_unread: int = 0
    # The same two ways for mentions: the server's highlight_count (push rules
    # again), and our own count of unread messages from others that mention us.
    server_mentions: int = 0
    own_mentions: int = 0

    @property
    def unread(self) -> int:
        return max(self.server_unread, self.own_unread)

    @property
    def mentions(self) -> int:
        return min(max(self.server_mentions, self.own_mentions), self.unread)

    def mark_read(self) -> None:
        self.server_unread = self.own_unread = 0
        self.server_mentions = self.own_mentions = 0

    def own_read(self) -> None:
        """We read everything up to now (our receipt, or a message of ours)."""
        self.own_unread = self.own_mentions = 0

    def count_unread(self, message: Message) -> None:
        """A new message from someone else: news, maybe calling us."""
        self.own_unread += 1
        if message.mentions_me:
            self.own_mentions += 1

    # --- state ---------------------------------------------------------------------

    def apply_state(self, event: Mapping[str, Any], *, only_new_members: bool = False) -> bool:
        """Fold one state event in; True if it changed something a Thread shows."""
        event_type = event.get("type")
        state_key = event.get("state_key")
        content = event.get("content")
        if not isinstance(state_key, str) or not isinstance(content, Mapping):
            return False
        if event_type == "m.room.member":
            if only_new_members and state_key in self.members:
                return False
            membership = content.get("membership")
            name = content.get("displayname")
            member = Member(
                membership if isinstance(membership, str) else "leave",
                name if isinstance(name, str) and name.strip() else None,
            )
            old = self.members.get(state_key)
            self.members[state_key] = member
            return old != member
        if state_key != "":
            return False
        if event_type == "m.room.name":
            name = content.get("name")
            new = name.strip() if isinstance(name, str) and name.strip() else None
            changed, self.name = new != self.name, new
            return changed
        if event_type == "m.room.canonical_alias":
            alias = content.get("alias")
            new = alias if isinstance(alias, str) and alias else None
            changed, self.alias = new != self.alias, new
            return changed
        if event_type == "m.room.encryption":
            changed, self.encrypted = not self.encrypted, True
            return changed
        if event_type == "m.room.create":
            ts = event.get("origin_server_ts")
            if isinstance(ts, int) and not isinstance(ts, bool):
                self.created_ts = ts
            return False
        if event_type == THEME_EVENT:
            # An empty object clears the theme (state events cannot be deleted).
            theme = MappingProxyType(dict(content)) if content else None
            changed, self.theme = theme != self.theme, theme
            return changed
        if event_type == VANISH_EVENT:
            vanish = vanish_from(content)
            changed, self.vanish = vanish != self.vanish, vanish
            return changed
        return False

    def apply_summary(self, summary: Any) -> None:
        if not isinstance(summary, Mapping):
            return
        heroes = summary.get("m.heroes")
        if isinstance(heroes, list):
            self.heroes = [h for h in heroes if isinstance(h, str)]
        for key, attr in (
            ("m.joined_member_count", "joined_count"),
            ("m.invited_member_count", "invited_count"),
        ):
            value = summary.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                setattr(self, attr, value)

    # --- names -----------------------------------------------------------------------

    def display_name(self, user_id: str) -> str:
        member = self.members.get(user_id)
        if member is not None and member.displayname:
            return member.displayname
        return user_id

    def others(self, me: str, direct_with: str | None = None) -> list[str]:
        """The other people, for naming: the server's heroes, else who we know of."""
        others = [h for h in self.heroes if h != me]
        if not others:
            others = sorted(
                user
                for user, member in self.members.items()
                if user != me and member.membership in ("join", "invite")
            )
        if not others and direct_with and direct_with != me:
            others = [direct_with]
        if not others and self.inviter and self.inviter != me:
            others = [self.inviter]
        return others

    def title(self, me: str, direct_with: str | None = None) -> str:
        """The room name as the Matrix spec computes it: name, alias, then members."""
        if self.name:
            return self.name
        if self.alias:
            return self.alias
        others = self.others(me, direct_with)
        if not others:
            return "Empty room"
        names = [self.display_name(user) for user in others[:MAX_TITLE_NAMES]]
        total = len(others)
        if self.joined_count is not None or self.invited_count is not None:
            total = max(total, (self.joined_count or 0) + (self.invited_count or 0) - 1)
        if total > len(names):
            return f"{', '.join(names)} and {total - len(names)} others"
        return ", ".join(names)

    def member_names(self) -> Mapping[str, str]:
        """The display names known here, by user id (for "who reacted").

        Whoever has one, in or out of the room now: a person who reacted and then
        left is still named. At most :data:`MAX_MEMBER_NAMES`, because the thread
        carrying them is compared on every sync and kept in the store; beyond that
        a person is shown by their id. Lazy loading keeps the list to the people
        whose events this client has seen, so a busy room rarely reaches it.
        """
        names: dict[str, str] = {}
        for user, member in self.members.items():
            if member.displayname and member.displayname != user:
                names[user] = member.displayname
                if len(names) >= MAX_MEMBER_NAMES:
                    break
        return MappingProxyType(names) if names else _NO_NAMES

    def thread(self, account_id: str, me: str, direct_with: str | None = None) -> Thread:
        others = self.others(me, direct_with)
        return Thread(
            account_id=account_id,
            thread_id=self.room_id,
            title=self.title(me, direct_with),
            members=(me, *others),
            last_message=self.last_message,
            unread=self.unread,
            mentions=self.mentions,
            theme=self.theme,
            vanish=self.vanish,
            created_ts=self.created_ts or self.seen_ts,
            membership=self.membership,
            inviter=self.inviter,
            member_names=self.member_names(),
        )

    def note_message(self, message: Message) -> None:
        if self.last_message is None or message.ts >= self.last_message.ts:
            self.last_message = message


class Annotations:
    """Reactions (``m.reaction`` / ``m.annotation``) by target event, and back.

    Synapse no longer bundles reaction counts with events, so the adapter keeps the
    tally itself from every reaction it sees (sync and history alike). It is also
    how an un-react finds the reaction event to redact.
    """

    def __init__(self, max_targets: int = 20_000) -> None:
        self.max_targets = max_targets
        # target event id -> key -> sender -> reaction event id
        self._by_target: OrderedDict[str, dict[str, dict[str, str]]] = OrderedDict()
        # reaction event id -> (target, key, sender)
        self._by_reaction: dict[str, tuple[str, str, str]] = {}

    def add(self, reaction_id: str, target: str, key: str, sender: str) -> bool:
        """Record one reaction; False if it was already known."""
        if reaction_id in self._by_reaction:
            return False
        keys = self._by_target.setdefault(target, {})
        self._by_target.move_to_end(target)
        senders = keys.setdefault(key, {})
        if sender in senders:
            return False  # one reaction per (sender, key), as Synapse enforces
        senders[sender] = reaction_id
        self._by_reaction[reaction_id] = (target, key, sender)
        while len(self._by_target) > self.max_targets:
            _, dropped = self._by_target.popitem(last=False)
            for per_sender in dropped.values():
                for rid in per_sender.values():
                    self._by_reaction.pop(rid, None)
        return True

    def remove(self, reaction_id: str) -> str | None:
        """Forget a redacted reaction; the target it was on, or None if unknown."""
        found = self._by_reaction.pop(reaction_id, None)
        if found is None:
            return None
        target, key, sender = found
        keys = self._by_target.get(target, {})
        senders = keys.get(key, {})
        if senders.get(sender) == reaction_id:
            del senders[sender]
            if not senders:
                keys.pop(key, None)
        return target

    def find(self, target: str, key: str, sender: str) -> str | None:
        return self._by_target.get(target, {}).get(key, {}).get(sender)

    def reactions(self, target: str) -> Mapping[str, tuple[str, ...]]:
        keys = self._by_target.get(target)
        if not keys:
            return _NO_REACTIONS
        return MappingProxyType({k: tuple(s) for k, s in keys.items() if s})


class MessageCache:
    """The most recent messages by event id, so a reaction or an edit can re-emit one."""

    def __init__(self, size: int = 5_000) -> None:
        self.size = size
        self._items: OrderedDict[str, Message] = OrderedDict()

    def get(self, event_id: str) -> Message | None:
        return self._items.get(event_id)

    def put(self, message: Message) -> None:
        self._items[message.message_id] = message
        self._items.move_to_end(message.message_id)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def pop(self, event_id: str) -> Message | None:
        return self._items.pop(event_id, None)


def server_name(user_id: str) -> str | None:
    """The server part of a *user* id (``@alice:example.org`` -> ``example.org``)."""
    if user_id.startswith("@") and ":" in user_id:
        return user_id.split(":", 1)[1] or None
    return None


def full_user_id(name: str, my_user_id: str) -> str:
    """A user id from what a person typed: ``bob`` becomes ``@bob:<my server>``."""
    name = name.strip()
    if name.startswith("@") and ":" in name:
        return name
    local = name.lstrip("@")
    server = server_name(my_user_id)
    return f"@{local}:{server}" if server else f"@{local}"
