"""Reactions and emoji in the app: the part of
:class:`~chatui.ui.app.ChatApp` behind Ctrl+R (quick reaction), Ctrl+Y (react with
any emoji), Ctrl+O (insert an emoji), ``/react`` and the recently used emoji.

Apart from the app's wiring because it has rules of its own: which message a
reaction goes to, which emoji is the quick one, and the recent emoji that the
picker and the composer's completion offer first. The picker and the recent
emoji file are imported on first use: neither is needed for the first frame
(bench/startup.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work

from chatui.backends.base import BackendError
from chatui.core.models import Message, ThreadKey
from chatui.ui.widgets.status import one_line

if TYPE_CHECKING:
    from chatui.profile.recent_emoji import RecentEmoji
    from chatui.ui.app import ChatApp

FALLBACK_QUICK_REACTION = "👍"
"""The quick reaction when no chat theme can be read (the themes module missing)."""


class ReactionActions:
    """Mixed into ChatApp: reacting to a message, picking and remembering emoji.

    ChatApp's ``@on(Composer.EmojiUsed)`` handler calls :meth:`_remember_emoji`
    (Textual registers ``@on`` handlers only on its own message-pump classes).
    """

    def _reaction_target(self: ChatApp) -> Message | None:
        """The selected message, else the newest one from someone else, else the newest."""
        session = self.session
        key = self.shown_key
        if session is None or key is None:
            return None
        selected = self.message_view.selected_message
        if selected is not None and not selected.pending and selected.kind != "setting":
            return selected
        me = session.me(key[0])
        candidates = [
            m for m in session.messages(key) if not m.pending and m.kind not in ("setting",)
        ]
        theirs = [m for m in candidates if m.sender != me]
        if theirs:
            return theirs[-1]
        return candidates[-1] if candidates else None

    def _reaction_target_or_explain(self: ChatApp) -> Message | None:
        """:meth:`_reaction_target`; if there is none, the user is told so."""
        target = self._reaction_target()
        if target is None:
            self.notify("No message to react to yet.", severity="warning")
        return target

    def _quick_reaction(self: ChatApp) -> str:
        theme = self._open_thread_theme()
        if theme is not None and theme.quick_reactions:
            return theme.quick_reactions[0]
        return FALLBACK_QUICK_REACTION

    def action_quick_react(self: ChatApp) -> None:
        key = self.shown_key
        if key is None:
            return
        target = self._reaction_target_or_explain()
        if target is not None:
            self._react(key, target.message_id, self._quick_reaction())

    def _recent(self: ChatApp) -> RecentEmoji:
        """The profile's recently used emoji (in memory only without a profile)."""
        if self._recent_emoji is None:
            from chatui.profile.recent_emoji import RecentEmoji

            if self.profile is not None:
                self._recent_emoji = RecentEmoji.load(self.profile)
            else:
                self._recent_emoji = RecentEmoji(Path(os.devnull))
        return self._recent_emoji

    def _recent_emoji_items(self: ChatApp) -> list[str]:
        return list(self._recent().items)

    def _remember_emoji(self: ChatApp, emoji: str) -> None:
        recent = self._recent()
        recent.use(emoji, save=self.profile is not None)
        if not self.first_run:
            self.composer.recent_emoji = recent.items  # completion offers them first

    def _pick_emoji(self: ChatApp, then: Callable[[str], None]) -> None:
        """Open the emoji picker (recent first, then the thread theme's reaction set)."""
        from chatui.ui.screens.emoji_picker import EmojiPicker

        theme = self._open_thread_theme()
        first = list(theme.reactions) if theme is not None else []

        def picked(emoji: str | None) -> None:
            if emoji:
                self._remember_emoji(emoji)
                then(emoji)

        self.push_screen(
            EmojiPicker(recent=self._recent_emoji_items(), first=first), callback=picked
        )

    def action_react_picker(self: ChatApp) -> None:
        key = self.shown_key
        if key is None:
            return
        target = self._reaction_target_or_explain()
        if target is None:
            return
        message_id = target.message_id
        self._pick_emoji(lambda emoji: self._react(key, message_id, emoji))

    def action_insert_emoji(self: ChatApp) -> None:
        if self.shown_key is None:
            return

        def insert(emoji: str) -> None:
            self.composer.focus()
            self.composer.insert_text_at_cursor(emoji)

        self._pick_emoji(insert)

    @work(group="reactions", exit_on_error=False)
    async def _react(
        self: ChatApp, key: ThreadKey, message_id: str, emoji: str, typed: str = ""
    ) -> None:
        assert self.session is not None
        try:
            await self.session.toggle_reaction(key, message_id, emoji)
        except BackendError as err:
            self._not_done(key, f"Reaction not sent: {one_line(str(err))}", typed)
            return
        self._remember_emoji(emoji)
