"""Who reacted to a message, by name: what the "Who reacted" dialog lists.

A reaction holds the ids of the people who put it (a reference-server username,
a Matrix user id). Each is named as the conversation knows them: "you" for the
user; else the display name the thread has for that member
(``Thread.member_names``, Matrix's room display names); else the name one of
their messages in the open conversation carries (``Message.sender_name``), for a
thread cached before it had names; else the id itself.

Display names are chosen by their owners, so two people may both be "Sam" and a
stranger may call themselves "you": a name that would read as someone else's is
followed by the id, "Sam (@sam:b.org)". Names are untrusted text: the dialog
makes them safe to show (chatui.core.sanitize), not this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from chatui.core.models import Message, Thread

YOU = "you"
NO_REACTIONS = "No reactions on this message."


@dataclass(frozen=True, slots=True)
class ReactionNames:
    """One reaction on a message and who put it, named, in the order they reacted."""

    emoji: str
    names: tuple[str, ...]


def known_names(thread: Thread | None, messages: Iterable[Message]) -> dict[str, str]:
    """Member id -> display name, from the thread first, then the messages' senders."""
    names = {m.sender: m.sender_name for m in messages if m.sender_name}
    if thread is not None:
        names.update(thread.member_names)
    return names


def who_reacted(
    message: Message,
    me: str,
    thread: Thread | None,
    messages: Sequence[Message] = (),
) -> list[ReactionNames]:
    """Each reaction on ``message`` with the names of who put it (empty: none).

    ``messages`` is the open conversation, whose senders' names fill in for people
    the thread has no name for.
    """
    names = known_names(thread, messages)
    people = {user for users in message.reactions.values() for user in users}

    def plain(user: str) -> str:
        return YOU if user == me else (names.get(user) or user)

    # A name shared by two people here, or one that reads as "you", names no one:
    # the id after it tells them apart.
    taken: dict[str, set[str]] = {}
    for user in people:
        taken.setdefault(plain(user).casefold(), set()).add(user)

    def named(user: str) -> str:
        name = plain(user)
        if user == me:
            return name
        if name.casefold() == YOU or (name != user and len(taken[name.casefold()]) > 1):
            return f"{name} ({user})"  # even a username "you": it must not read as mine
        return name

    return [
        ReactionNames(emoji, tuple(named(user) for user in users))
        for emoji, users in message.reactions.items()
        if users
    ]


def names_line(names: Sequence[str]) -> str:
    """ "alice, bob and you" """
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"
