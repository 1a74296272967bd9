"""Ctrl+P: the command palette also jumps to any conversation, across accounts, and
runs the open conversation's commands (vanish mode, chat theme, reactions, help).

Titles come from servers, and Textual's palette reads plain strings as markup
(both ``Matcher.highlight`` and help texts go through ``Content.from_markup``).
So every prompt here is a Rich ``Text`` built piece by piece, the fuzzy-match
highlight is applied to that ``Text`` ourselves, and help text is escaped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from chatui.core.models import Thread, VanishSetting
from chatui.ui.widgets.status import account_tag, one_line

if TYPE_CHECKING:
    from chatui.ui.app import ChatApp

DISCOVER_LIMIT = 20
"""How many recent conversations the palette lists before anything is typed."""

_YIELD_EVERY = 500
"""Let the event loop breathe while scanning a very long inbox."""

_MATCH_STYLE = Style(reverse=True)


class ConversationsProvider(Provider):
    """Every conversation of every linked account, by its display title."""

    @property
    def chat_app(self) -> ChatApp:
        return self.app  # type: ignore[return-value]

    def _threads(self) -> list[Thread]:
        session = self.chat_app.session
        return session.inbox.threads() if session is not None else []

    def _title(self, thread: Thread) -> str:
        session = self.chat_app.session
        me = session.me(thread.account_id) if session is not None else ""
        return one_line(thread.display_title(me))

    def _prompt(self, thread: Thread, title: Text) -> Text:
        session = self.chat_app.session
        prompt = Text(no_wrap=True, overflow="ellipsis")
        if session is not None and thread.account_id in session.linked:
            prompt.append_text(account_tag(session.account(thread.account_id)))
            prompt.append("  ")
        prompt.append_text(title)
        if thread.unread:
            prompt.append(f"  ({thread.unread} unread)", style="bold")
        return prompt

    def _help(self, thread: Thread) -> str:
        """Who is in it and which account it is on: tells same-named threads apart."""
        session = self.chat_app.session
        me = session.me(thread.account_id) if session is not None else ""
        others = [one_line(m, 64) for m in thread.members if m != me]
        members = f"with {', '.join(others)}" if others else "just you"
        where = thread.account_id
        if session is not None and thread.account_id in session.linked:
            account = session.account(thread.account_id)
            from chatui.core.network_names import network_name

            where = f"as {me} on {network_name(account)}"
        return escape(f"{members}  ·  {one_line(where)}")

    async def discover(self) -> Hits:
        for thread in self._threads()[:DISCOVER_LIMIT]:
            title = self._title(thread)
            yield DiscoveryHit(
                self._prompt(thread, Text(title)),
                partial(self.chat_app.jump_to, thread.key),
                text=title,
                help=self._help(thread),
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for index, thread in enumerate(self._threads()):
            if index and not index % _YIELD_EVERY:
                await asyncio.sleep(0)
            title = self._title(thread)
            score, offsets = matcher.fuzzy_search.match(query, title)
            if score <= 0:
                continue
            yield Hit(
                score,
                self._prompt(thread, _highlight(title, offsets)),
                partial(self.chat_app.jump_to, thread.key),
                text=title,
                help=self._help(thread),
            )


def _highlight(title: str, offsets: Sequence[int]) -> Text:
    """``title`` as plain Text with the matched characters reversed."""
    text = Text(title)
    for offset in offsets:
        # Offsets index the lower-cased title, which can be longer ("İ"): skip past.
        if offset < len(title) and not title[offset].isspace():
            text.stylize(_MATCH_STYLE, offset, offset + 1)
    return text


class ChatCommandsProvider(Provider):
    """The open conversation's commands: vanish mode, chat theme, reactions, help.

    Titles are the app's own words (no server text), so Textual's highlighting
    may read them as it likes. Commands about the open conversation are offered
    only while one is open.
    """

    @property
    def chat_app(self) -> ChatApp:
        return self.app  # type: ignore[return-value]

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.chat_app
        commands: list[tuple[str, str, Callable[[], object]]] = []
        if app.shown_key is not None:
            commands += [
                (
                    "Vanish mode: on",
                    "Messages disappear once seen and the chat is closed (shared)",
                    partial(app.request_vanish, VanishSetting(mode="vanish")),
                ),
                (
                    "Vanish mode: off",
                    "Messages stay (shared with everyone in the chat)",
                    partial(app.request_vanish, VanishSetting()),
                ),
                (
                    "Vanish mode: timer…",
                    "Messages disappear a while after being seen: 30 s … 1 week, or custom",
                    app.action_vanish_menu,
                ),
                (
                    "Chat theme…",
                    "This conversation's colors and reactions, with a live preview (shared)",
                    app.action_theme_picker,
                ),
                (
                    "React: quick reaction",
                    "React to the selected (or newest) message with the theme's first emoji",
                    app.action_quick_react,
                ),
                (
                    "React…",
                    "React to the selected (or newest) message with any emoji",
                    app.action_react_picker,
                ),
                (
                    "Insert emoji…",
                    "Put an emoji from the picker into the message box",
                    app.action_insert_emoji,
                ),
            ]
        commands.append(
            (
                "Help: keys, commands, what vanish mode cannot do",
                "The help screen (F1)",
                app.action_help,
            )
        )
        return commands

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=escape(help_text))

    async def search(self, query: str) -> Hits:
        # Every word typed must occur in the title: a loose fuzzy match ("heist"
        # in "Help: ... vanish ... cannot") would push conversations down the list.
        words = query.casefold().split()
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            if not words or not all(word in title.casefold() for word in words):
                continue
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=escape(help_text))
