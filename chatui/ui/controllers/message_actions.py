"""Which message reply, edit, unsend and copy act on, and the composer's mode.

Like a reaction (chatui.ui.controllers.reactions): the selected message; with
none selected, reply and copy take the newest message someone else sent (what a
person usually answers or copies), edit and unsend the newest of one's own (the
one a person usually means to fix). Pending messages and setting notices are
left out: they have no id on the server yet, or no text of anyone's.

The composer is in one of three modes: plain (send a new message), replying to
a message (the next message sent carries ``reply_to``), or editing one of one's
own (Enter saves the new text; Esc brings back the draft that was there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chatui.core.models import Message

NOT_YOURS_EDIT = "You can only edit your own messages"
NOT_YOURS_UNSEND = "You can only unsend your own messages"


def actionable(message: Message) -> bool:
    """Can a reply, an edit, an unsend, a copy or a reaction be about ``message``?
    Not an echo the server has not taken, a settings notice, or an unsent
    message's tombstone (nothing of anyone's is left in it)."""
    return not message.pending and message.kind != "setting" and not message.deleted


def others_target(messages: Sequence[Message], me: str, selected: Message | None) -> Message | None:
    """The message a reply or a copy is about, or None."""
    if selected is not None:
        return selected if actionable(selected) else None
    candidates = [m for m in messages if actionable(m)]
    theirs = [m for m in candidates if m.sender != me]
    if theirs:
        return theirs[-1]
    return candidates[-1] if candidates else None


def own_target(messages: Sequence[Message], me: str, selected: Message | None) -> Message | None:
    """The message an edit or an unsend is about (maybe not one's own: the caller
    says so), or None."""
    if selected is not None:
        return selected if actionable(selected) else None
    mine = [m for m in messages if actionable(m) and m.sender == me]
    return mine[-1] if mine else None


@dataclass(frozen=True)
class Replying:
    """The next message sent answers ``message_id``."""

    message_id: str
    sender: str
    body: str


@dataclass(frozen=True)
class Editing:
    """Enter saves the composer's text as ``message_id``'s new text; ``draft`` is what
    the composer held before, given back when the edit is done or cancelled."""

    message_id: str
    draft: str


ComposeMode = Replying | Editing | None
