"""Ctrl+P: the command palette also jumps to any conversation, across accounts (by
its title, or by the name of someone in it), and runs the open conversation's
commands (vanish mode, chat theme, reactions, help).

Titles come from servers, and Textual's palette reads plain strings as markup
(both ``Matcher.highlight`` and help texts go through ``Content.from_markup``).
So every prompt here is a Rich ``Text`` built piece by piece, the fuzzy-match
highlight is applied to that ``Text`` ourselves, and help text is escaped.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from chatui.core.models import Thread
from chatui.core.sanitize import one_line
from chatui.ui.actions import palette_actions
from chatui.ui.widgets.status import account_tag

if TYPE_CHECKING:
    from chatui.ui.app import ChatApp

DISCOVER_LIMIT = 20
"""How many recent conversations the palette lists before anything is typed."""

_YIELD_EVERY = 500
"""Let the event loop breathe while scanning a very long inbox."""

_MATCH_STYLE = Style(reverse=True)

_PERSON_SCORE = 0.5
"""A thread found by a person in it ranks below one whose title matches well."""

_WORD = re.compile(r"\w+")


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
                partial(self.chat_app.main.jump_to, thread.key),
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
            shown = _highlight(title, offsets)
            if score <= 0:
                # Not by its title: by someone in it. A group named "Book club"
                # is found by typing "carol", as is every other thread with her.
                person = self._person(thread, query)
                if person is None:
                    continue
                score = _PERSON_SCORE
                shown = Text(title)
                shown.append("  · with ", style="dim")
                shown.append(person, style=_MATCH_STYLE)
            yield Hit(
                score,
                self._prompt(thread, shown),
                partial(self.chat_app.main.jump_to, thread.key),
                text=title,
                help=self._help(thread),
            )

    def _person(self, thread: Thread, query: str) -> str | None:
        """The name of the first other member that every typed word starts a
        word of (in their display name or their id), or None.

        Word starts, not a fuzzy match: "al" must not find every Carol and Hal.
        """
        session = self.chat_app.session
        me = session.me(thread.account_id) if session is not None else ""
        typed = query.casefold().split()
        if not typed:
            return None
        for member in thread.members:
            if member == me:
                continue
            name = one_line(thread.name_of(member), 64)
            words = _WORD.findall(f"{name} {member}".casefold())
            if all(any(word.startswith(t) for word in words) for t in typed):
                return name
        return None


def _highlight(title: str, offsets: Sequence[int]) -> Text:
    """``title`` as plain Text with the matched characters reversed."""
    text = Text(title)
    for offset in offsets:
        # Offsets index the lower-cased title, which can be longer ("İ"): skip past.
        if offset < len(title) and not title[offset].isspace():
            text.stylize(_MATCH_STYLE, offset, offset + 1)
    return text


class ChatCommandsProvider(Provider):
    """The main window's commands, from the actions table (chatui.ui.actions): vanish
    mode, chat theme, reactions, a new conversation, help.

    Titles are the app's own words (no server text), so Textual's highlighting
    may read them as it likes. A command is offered only where it applies (those
    about the open conversation only while one is open), as its key is.
    """

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        from chatui.ui.main_screen import MainScreen

        screen = self.screen
        if not isinstance(screen, MainScreen):
            return []
        app = screen.chat_app
        commands: list[tuple[str, str, Callable[[], object]]] = []
        for action in palette_actions():
            if not screen.check_action(action.action, ()):
                continue
            keys = app.keys_of(action.action)
            help_text = action.palette_help + (f" ({keys[0]})" if keys else "")
            run = partial(app.call_later, app.run_action, action.action, screen)
            commands.append((action.palette, help_text, run))
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
