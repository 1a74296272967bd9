"""Ctrl+P: the command palette also jumps to any conversation, across accounts.

Titles come from servers, and Textual's palette reads plain strings as markup
(both ``Matcher.highlight`` and help texts go through ``Content.from_markup``).
So every prompt here is a Rich ``Text`` built piece by piece, the fuzzy-match
highlight is applied to that ``Text`` ourselves, and help text is escaped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from rich.style import Style
from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from chatui.core.models import Thread
from chatui.ui.status import account_tag, one_line

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
            host = urlsplit(account.server).netloc or account.server
            where = f"as {me} on {host}"
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
