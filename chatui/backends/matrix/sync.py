"""Folding /sync answers into room state and chatui events (pure: no I/O here).

The adapter does the HTTP (including filling ``limited`` timelines through
/messages); :class:`SyncProcessor` takes each answer, updates what it knows about
every room, and returns the chatui events to hand to the Session, in order:

* a room the stream has not announced yet gets a :class:`ThreadUpdated` *before*
  its messages, so the Session never has to refetch the thread list for it;
* then the room's timeline in server order: :class:`MessageReceived` for each
  message (chatui's theme/vanish state events are lines too, ``kind="setting"``,
  which never count as unread), a re-emitted :class:`MessageReceived` for a
  message whose reactions or text changed (edits), :class:`MessageRedacted` for
  redactions (``expired`` when chatui sent it because a vanish timer ran out);
* then a :class:`ThreadUpdated` when anything the thread list shows changed (the
  server's unread count, the name, chatui's theme/vanish state...): it comes after
  the messages so that the server's count is the one that stays;
* then read receipts as :class:`ReadMarkerMoved`.

One malformed event is logged and skipped; one broken room does not stop the rest.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from chatui.backends.matrix.convert import (
    MESSAGE_TYPES,
    SETTING_EVENTS,
    annotation,
    apply_edit,
    bundled_edit,
    edit_target,
    event_to_message,
    is_expiry,
    is_state,
    redacted_id,
    setting_message,
)
from chatui.backends.matrix.rooms import Annotations, Member, MessageCache, Room
from chatui.core.clock import now_ms
from chatui.core.models import (
    Event,
    Message,
    MessageReceived,
    MessageRedacted,
    ReadMarkerMoved,
    Thread,
    ThreadUpdated,
    TypingChanged,
    tombstone,
)

log = logging.getLogger(__name__)

HISTORY_TYPES = [*MESSAGE_TYPES, *SETTING_EVENTS, "m.reaction"]
"""What /messages is asked for: lines to show (messages, and chatui's setting
changes as notice lines), and the reactions to tally on them."""


def sync_filter(timeline_limit: int) -> dict[str, Any]:
    """The /sync filter: rooms' timelines, state, receipts, typing and m.direct; no
    presence.

    Members are lazy-loaded (only the senders we see, plus the server's "heroes" in
    each room's summary), which keeps a big room's first sync small.
    """
    return {
        "presence": {"not_types": ["*"]},
        "account_data": {"types": ["m.direct"]},
        # The timeline is not narrowed by type: it must carry state events (names,
        # members, chatui's settings, which are also notice lines) and redactions.
        "room": {
            "state": {"lazy_load_members": True},
            "timeline": {"limit": timeline_limit, "lazy_load_members": True},
            "ephemeral": {"types": ["m.receipt", "m.typing"]},
            "account_data": {"not_types": ["*"]},
        },
    }


def history_filter() -> dict[str, Any]:
    return {"types": HISTORY_TYPES, "lazy_load_members": True}


def _edit_order(edit: Mapping[str, Any]) -> tuple[int, str]:
    """Edits oldest first (the last one applied wins), as the spec orders them."""
    ts = edit.get("origin_server_ts")
    event_id = edit.get("event_id")
    return (
        ts if isinstance(ts, int) and not isinstance(ts, bool) else 0,
        event_id if isinstance(event_id, str) else "",
    )


def _events(section: Any) -> list[Mapping[str, Any]]:
    """``section["events"]`` as a list of objects, whatever the server sent."""
    if not isinstance(section, Mapping):
        return []
    events = section.get("events")
    if not isinstance(events, list):
        return []
    return [e for e in events if isinstance(e, Mapping)]


class SyncProcessor:
    """Everything one account knows from its syncs, and the events they produce."""

    def __init__(self, account_id: str, me: str) -> None:
        self.account_id = account_id
        self.me = me
        self.rooms: dict[str, Room] = {}
        self.direct: dict[str, str] = {}  # room id -> the other user (from m.direct)
        self.direct_content: dict[str, list[str]] = {}  # m.direct as the server has it
        self.messages = MessageCache()
        self.annotations = Annotations()
        self._announced: dict[str, Thread] = {}  # what the stream last said per room
        # Our own reactions taken back, until the redaction comes back through sync.
        self._unreacted: OrderedDict[str, str] = OrderedDict()
        # Edits whose target we have not seen yet (history is read newest first), by
        # target: every candidate, since only the target's sender's edits count.
        self._pending_edits: OrderedDict[str, list[Mapping[str, Any]]] = OrderedDict()
        # Rooms whose members a history page told us of: their thread (the display
        # names) goes out with the next sync answer, as the page itself is no event.
        self._named_by_history: set[str] = set()
        self.ready = False  # a full picture of the account has been loaded

    # --- threads ---------------------------------------------------------------------

    def room(self, room_id: str) -> Room:
        room = self.rooms.get(room_id)
        if room is None:
            room = self.rooms[room_id] = Room(room_id, seen_ts=now_ms())
        return room

    def thread(self, room: Room) -> Thread:
        return room.thread(self.account_id, self.me, self.direct.get(room.room_id))

    def threads(self) -> list[Thread]:
        """Every joined room and open invitation."""
        return [
            self.thread(room)
            for room in self.rooms.values()
            if room.membership in ("join", "invite")
        ]

    def announce_all(self) -> list[Event]:
        """ThreadUpdated for every room, marking them announced (stream start)."""
        out: list[Event] = []
        for thread in self.threads():
            self._announced[thread.thread_id] = thread
            out.append(ThreadUpdated(thread))
        return out

    def announce_missing(self) -> list[Event]:
        """ThreadUpdated for every room the stream has not announced yet."""
        out: list[Event] = []
        for thread in self.threads():
            if thread.thread_id not in self._announced:
                self._announced[thread.thread_id] = thread
                out.append(ThreadUpdated(thread))
        return out

    def mark_announced(self) -> None:
        """The consumer already has these threads (it called threads())."""
        for thread in self.threads():
            self._announced[thread.thread_id] = thread

    def _announce_if_changed(self, room: Room, out: list[Event]) -> None:
        thread = self.thread(room)
        if self._announced.get(room.room_id) != thread:
            self._announced[room.room_id] = thread
            out.append(ThreadUpdated(thread))

    # --- one /sync answer ------------------------------------------------------------

    def process(
        self,
        response: Mapping[str, Any],
        *,
        fills: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
        fill_members: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
        emit: bool = True,
    ) -> list[Event]:
        """Fold in one /sync answer; the events for the Session (none if not ``emit``).

        ``fills`` holds, per room, the events of a ``limited`` timeline's gap that the
        adapter fetched through /messages, oldest first; ``fill_members`` the member
        state that came with them.
        """
        out: list[Event] = []
        for event in _events(response.get("account_data")):
            if event.get("type") == "m.direct":
                self._apply_direct(event.get("content"))
        rooms = response.get("rooms")
        rooms = rooms if isinstance(rooms, Mapping) else {}
        for section, handler in (
            ("join", self._joined),
            ("invite", self._invited),
            ("leave", self._left),
        ):
            entries = rooms.get(section)
            if not isinstance(entries, Mapping):
                continue
            for room_id, data in entries.items():
                if not isinstance(room_id, str) or not isinstance(data, Mapping):
                    continue
                room_out: list[Event] = []
                try:
                    handler(
                        room_id,
                        data,
                        (fills or {}).get(room_id, ()),
                        (fill_members or {}).get(room_id, ()),
                        room_out,
                    )
                except Exception:  # one odd room must not cost the others
                    log.exception("%s: skipping a room that could not be read", self.account_id)
                    continue
                if emit:
                    out.extend(room_out)
        if not emit:
            for thread in self.threads():
                self._announced[thread.thread_id] = thread
        elif self._named_by_history:
            for room_id in sorted(self._named_by_history):
                room = self.rooms.get(room_id)
                if room is not None and room.membership in ("join", "invite"):
                    self._announce_if_changed(room, out)
        self._named_by_history.clear()
        return out

    def _apply_direct(self, content: Any) -> None:
        if not isinstance(content, Mapping):
            return
        self.direct_content = {}
        self.direct = {}
        for user, room_ids in content.items():
            if not isinstance(user, str) or not isinstance(room_ids, list):
                continue
            ids = [r for r in room_ids if isinstance(r, str)]
            self.direct_content[user] = ids
            for room_id in ids:
                self.direct[room_id] = user

    def _joined(
        self,
        room_id: str,
        data: Mapping[str, Any],
        fill: Sequence[Mapping[str, Any]],
        fill_members: Sequence[Mapping[str, Any]],
        out: list[Event],
    ) -> None:
        room = self.room(room_id)
        room.membership = "join"
        room.inviter = None
        room.apply_summary(data.get("summary"))
        for event in _events(data.get("state")):
            room.apply_state(event)
        for event in fill_members:
            room.apply_state(event, only_new_members=True)
        counts = data.get("unread_notifications")
        if isinstance(counts, Mapping):
            count = counts.get("notification_count")
            if isinstance(count, int) and not isinstance(count, bool):
                room.server_unread = max(0, count)
            highlights = counts.get("highlight_count")
            if isinstance(highlights, int) and not isinstance(highlights, bool):
                room.server_mentions = max(0, highlights)
        if room_id not in self._announced:
            self._announce_if_changed(room, out)

        receipts = list(self._receipts(room_id, data.get("ephemeral")))
        my_receipt = next((r.message_id for r in reversed(receipts) if r.user == self.me), None)
        # The gap first (its state is already summed up in the "state" section, so
        # only its lines count), then the timeline proper, each event once.
        timeline = [(e, True) for e in fill] + [(e, False) for e in _events(data.get("timeline"))]
        if my_receipt is not None and all(e.get("event_id") != my_receipt for e, _ in timeline):
            room.own_read()  # read up to something older than all of this
        seen: set[str] = set()
        for event, from_gap in timeline:
            event_id = event.get("event_id")
            if isinstance(event_id, str):
                if event_id in seen:
                    continue
                seen.add(event_id)
            try:
                self._timeline_event(room, event, out, apply_state=not from_gap)
            except Exception:
                log.exception("%s: skipping an event that could not be read", self.account_id)
            if event_id is not None and event_id == my_receipt:
                room.own_read()

        self._announce_if_changed(room, out)
        out.extend(receipts)
        out.extend(self._typing(room_id, data.get("ephemeral")))

    def _timeline_event(
        self, room: Room, event: Mapping[str, Any], out: list[Event], *, apply_state: bool
    ) -> None:
        if is_state(event):
            if apply_state:
                room.apply_state(event)
            notice = self.setting_from(room, event)
            if notice is not None:
                self.messages.put(notice)
                room.note_message(notice)  # the preview, but never unread
                if notice.sender == self.me:
                    room.own_read()
                out.append(MessageReceived(notice))
            return
        event_type = event.get("type")
        if event_type in MESSAGE_TYPES:
            target = edit_target(event)
            if target is not None:
                self._edit(room, target, event, out)
                return
            message = self.message_from(room, event)
            if message is not None:
                self.messages.put(message)
                room.note_message(message)
                # Sending implies having read what came before (Synapse agrees).
                if message.sender == self.me:
                    room.own_read()
                elif not message.deleted:
                    room.count_unread(message)
                out.append(MessageReceived(message))
            return
        reacted = annotation(event)
        if reacted is not None:
            target, key = reacted
            event_id, sender = event.get("event_id"), event.get("sender")
            if isinstance(event_id, str) and isinstance(sender, str):
                # Our own reaction was tallied when we sent it: re-emit anyway, so
                # the stream shows it (nothing is emitted if the copy is unchanged).
                self.annotations.add(event_id, target, key, sender)
                self._reemit(room, target, out)
            return
        removed = redacted_id(event)
        if removed is not None:
            target = self.annotations.remove(removed) or self._unreacted.pop(removed, None)
            if target is not None:  # a reaction was taken back
                self._reemit(room, target, out)
                return
            expired = is_expiry(event)
            held = self.messages.pop(removed)
            last = room.last_message
            if last is not None and last.message_id == removed:
                # Unsent: "message deleted" is the preview; vanished: nothing is.
                room.last_message = None if expired else tombstone(last)
            if held is not None and not expired:
                self.messages.put(tombstone(held))  # so that no late edit revives it
            out.append(MessageRedacted(self.account_id, room.room_id, removed, expired=expired))

    def forget_reaction(self, reaction_id: str) -> None:
        """We redacted one of our reactions: untally it now, re-emit when sync says so."""
        target = self.annotations.remove(reaction_id)
        if target is not None:
            self._unreacted[reaction_id] = target
            while len(self._unreacted) > 1_000:
                self._unreacted.popitem(last=False)

    def my_name(self, room: Room) -> str | None:
        """Our display name in ``room``, where we have one (mentions by name)."""
        name = room.display_name(self.me)
        return name if name != self.me else None

    def message_from(self, room: Room, event: Mapping[str, Any]) -> Message | None:
        sender = event.get("sender")
        name = room.display_name(sender) if isinstance(sender, str) else None
        event_id = event.get("event_id")
        my_name = self.my_name(room)
        message = event_to_message(
            self.account_id,
            room.room_id,
            event,
            sender_name=name if name != sender else None,
            reactions=self.annotations.reactions(event_id) if isinstance(event_id, str) else {},
            me=self.me,
            my_name=my_name,
        )
        if message is None:
            return None
        # The newest edit that counts: the one the server bundled, or one seen already.
        candidates = self._pending_edits.pop(message.message_id, [])
        bundled = bundled_edit(event)
        if bundled is not None:
            candidates = [*candidates, bundled]
        for edit in sorted(candidates, key=_edit_order):
            message = apply_edit(message, edit, self.me, my_name) or message
        return message

    def found_message(self, room_id: str, event: Mapping[str, Any]) -> Message | None:
        """A search result as a message, converted as history converts its events but
        remembering nothing: a result is not a page of the room's timeline, and the
        room may be one this account has no picture of yet (no names then).

        The copy this account already holds wins (sync may have brought a newer
        edit or reactions); else the newest edit the server bundled is applied.
        """
        event_id = event.get("event_id")
        if isinstance(event_id, str):
            held = self.messages.get(event_id)
            if held is not None:
                return held
        room = self.rooms.get(room_id)
        sender = event.get("sender")
        name = room.display_name(sender) if room is not None and isinstance(sender, str) else None
        my_name = self.my_name(room) if room is not None else None
        message = event_to_message(
            self.account_id,
            room_id,
            event,
            sender_name=name if name != sender else None,
            reactions=self.annotations.reactions(event_id) if isinstance(event_id, str) else {},
            me=self.me,
            my_name=my_name,
        )
        if message is None:
            return None
        candidates = list(self._pending_edits.get(message.message_id, ()))
        bundled = bundled_edit(event)
        if bundled is not None:
            candidates.append(bundled)
        for edit in sorted(candidates, key=_edit_order):
            message = apply_edit(message, edit, self.me, my_name) or message
        return message

    def setting_from(self, room: Room, event: Mapping[str, Any]) -> Message | None:
        """The notice line for a chatui setting state event, or None."""
        if event.get("type") not in SETTING_EVENTS:
            return None
        sender = event.get("sender")
        name = room.display_name(sender) if isinstance(sender, str) else None
        return setting_message(
            self.account_id, room.room_id, event, sender_name=name if name != sender else None
        )

    def history_page(
        self,
        room_id: str,
        events_newest_first: Sequence[Mapping[str, Any]],
        members: Sequence[Mapping[str, Any]] = (),
    ) -> list[Message]:
        """The messages among events /messages returned (newest first), oldest first.

        Reactions in the page are tallied before any message is built, because a
        reaction always comes after (is newer than) the message it is on.
        """
        room = self.room(room_id)
        for event in members:
            if room.apply_state(event, only_new_members=True):
                self._named_by_history.add(room_id)
        events = list(reversed(events_newest_first))
        for event in events:
            reacted = annotation(event)
            event_id, sender = event.get("event_id"), event.get("sender")
            if reacted is not None and isinstance(event_id, str) and isinstance(sender, str):
                self.annotations.add(event_id, reacted[0], reacted[1], sender)
        for event in events:  # an edit comes after its target, in another page maybe
            target = edit_target(event)
            if target is not None:
                self._keep_edit(target, event)
        messages: list[Message] = []
        for event in events:
            if edit_target(event) is not None:
                continue
            try:
                if is_state(event):
                    message = self.setting_from(room, event)
                else:
                    message = self.message_from(room, event)
            except Exception:
                log.exception("%s: skipping an event that could not be read", self.account_id)
                continue
            if message is not None:
                self.messages.put(message)
                messages.append(message)
        return messages

    def _reemit(self, room: Room, target: str, out: list[Event]) -> None:
        """A message's reactions changed: send its new copy, if we still hold it."""
        held = self.messages.get(target)
        if held is None or held.deleted:
            return  # not loaded anywhere near (the tally is kept), or unsent
        updated = replace(held, reactions=self.annotations.reactions(target))
        if updated == held:
            return
        self._replace(room, updated, out)

    def _keep_edit(self, target: str, event: Mapping[str, Any]) -> None:
        """Keep an edit for when its target turns up (in an older history page, say)."""
        edits = self._pending_edits.setdefault(target, [])
        self._pending_edits.move_to_end(target)
        if all(e.get("event_id") != event.get("event_id") for e in edits):
            edits.append(event)
            del edits[:-20]  # only the newest few can matter
        while len(self._pending_edits) > 2_000:
            self._pending_edits.popitem(last=False)

    def _edit(self, room: Room, target: str, event: Mapping[str, Any], out: list[Event]) -> None:
        held = self.messages.get(target)
        if held is None:
            self._keep_edit(target, event)
            return
        # Only the sender's edits count (apply_edit); a tombstone stays one.
        updated = apply_edit(held, event, self.me, self.my_name(room))
        if updated is not None and updated != held:
            self._replace(room, updated, out)

    def _typing(self, room_id: str, ephemeral: Any) -> Iterable[TypingChanged]:
        """``m.typing``: the room's whole list of typists, each time it changes."""
        for event in _events(ephemeral):
            if event.get("type") != "m.typing":
                continue
            content = event.get("content")
            users = content.get("user_ids") if isinstance(content, Mapping) else None
            if isinstance(users, list):
                typists = tuple(dict.fromkeys(u for u in users if isinstance(u, str)))
                yield TypingChanged(self.account_id, room_id, typists)

    def _replace(self, room: Room, updated: Message, out: list[Event]) -> None:
        self.messages.put(updated)
        if room.last_message is not None and room.last_message.message_id == updated.message_id:
            room.last_message = updated
        out.append(MessageReceived(updated))

    def _receipts(self, room_id: str, ephemeral: Any) -> Iterable[ReadMarkerMoved]:
        for event in _events(ephemeral):
            if event.get("type") == "m.receipt":
                yield from self._receipt_content(room_id, event.get("content"))

    def _receipt_content(self, room_id: str, content: Any) -> Iterable[ReadMarkerMoved]:
        if not isinstance(content, Mapping):
            return
        for event_id, kinds in content.items():
            if not isinstance(event_id, str) or not isinstance(kinds, Mapping):
                continue
            for kind in ("m.read", "m.read.private"):
                users = kinds.get(kind)
                if not isinstance(users, Mapping):
                    continue
                for user in users:
                    if isinstance(user, str) and (kind == "m.read" or user == self.me):
                        yield ReadMarkerMoved(self.account_id, room_id, event_id, user)

    def _invited(
        self,
        room_id: str,
        data: Mapping[str, Any],
        fill: Sequence[Mapping[str, Any]],
        fill_members: Sequence[Mapping[str, Any]],
        out: list[Event],
    ) -> None:
        room = self.room(room_id)
        room.membership = "invite"
        for event in _events(data.get("invite_state")):
            room.apply_state(event)
            if event.get("type") == "m.room.member" and event.get("state_key") == self.me:
                sender = event.get("sender")
                content = event.get("content")
                if isinstance(sender, str):
                    room.inviter = sender
                if isinstance(content, Mapping):
                    room.invite_direct = content.get("is_direct") is True
        if room.inviter and room.inviter not in room.members:
            room.members[room.inviter] = Member("join")
        self._announce_if_changed(room, out)

    def _left(
        self,
        room_id: str,
        data: Mapping[str, Any],
        fill: Sequence[Mapping[str, Any]],
        fill_members: Sequence[Mapping[str, Any]],
        out: list[Event],
    ) -> None:
        room = self.rooms.get(room_id)
        if room is None:
            return  # a room we never showed: nothing to take away
        room.membership = "leave"
        self._announce_if_changed(room, out)
        self._announced.pop(room_id, None)
