"""Which message a reaction goes to, and the emoji used lately.

A reaction goes to the selected message; with none selected, to the newest one
from someone else (what a person usually answers), else to the newest. Pending
messages (not yet on the server), setting notices and unsent messages'
tombstones cannot carry one (``message_actions.actionable``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from chatui.core.models import Message
from chatui.ui.controllers.message_actions import actionable, others_target

if TYPE_CHECKING:
    from chatui.profile.folders import Profile
    from chatui.profile.recent_emoji import RecentEmoji

FALLBACK_QUICK_REACTION = "👍"
"""The quick reaction when no chat theme can be read."""


def reaction_target(
    messages: Sequence[Message], me: str, selected: Message | None
) -> Message | None:
    """The message a reaction goes to (see the module docstring), or None.

    A selected message that cannot carry one gives way to the newest that can
    (a reply or a copy would refuse it instead: ``others_target``)."""
    if selected is not None and actionable(selected):
        return selected
    return others_target(messages, me, None)


class EmojiMemory:
    """The profile's recently used emoji, read on first use (not for the first
    frame); kept in memory only without a profile (tests, a first run)."""

    def __init__(self, profile: Profile | None) -> None:
        self._profile = profile
        self._recent: RecentEmoji | None = None

    def _loaded(self) -> RecentEmoji:
        if self._recent is None:
            from chatui.profile.recent_emoji import RecentEmoji

            if self._profile is not None:
                self._recent = RecentEmoji.load(self._profile)
            else:
                self._recent = RecentEmoji(Path(os.devnull))
        return self._recent

    @property
    def items(self) -> list[str]:
        return list(self._loaded().items)

    def use(self, emoji: str) -> list[str]:
        """Remember ``emoji`` as the most recent; the list, newest first."""
        recent = self._loaded()
        recent.use(emoji, save=self._profile is not None)
        return list(recent.items)
