"""The app's two small status displays: the open thread's header and the
connection bar.

Both render Rich ``Text`` built piece by piece, never markup, because titles,
member names and error details come from servers. Account labels and colors come
from the user's own config, but go through the same path for simplicity.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from chatui.core.models import AccountConfig, ConnectionState, Thread
from chatui.core.sanitize import safe_text

# How each state looks: a glyph (meaning survives without color) and a color.
_STATE_LOOK: dict[ConnectionState, tuple[str, str]] = {
    ConnectionState.CONNECTED: ("●", "green"),
    ConnectionState.CONNECTING: ("◌", "yellow"),
    ConnectionState.RECONNECTING: ("◌", "yellow"),
    ConnectionState.ERROR: ("✖", "red"),
    ConnectionState.OFFLINE: ("○", "bright_black"),
}


def one_line(text: str, max_len: int = 200) -> str:
    """Server text made safe for a one-line display (controls visible, no breaks)."""
    return safe_text(text, single_line=True, max_len=max_len)


def account_tag(account: AccountConfig) -> Text:
    """The account's short label in its color, as shown on thread rows."""
    try:
        style = Style(color=account.color, bold=True)
    except Exception:  # a bad color in config.toml must not break the screen
        style = Style(bold=True)
    return Text(one_line(account.label) or account.account_id, style=style)


def status_text(
    accounts: Mapping[str, AccountConfig],
    states: Mapping[str, tuple[ConnectionState, str]],
) -> Text:
    """One line: every account's label, glyph and state (with its detail)."""
    line = Text(no_wrap=True, overflow="ellipsis", end="")
    for index, (account_id, account) in enumerate(accounts.items()):
        state, detail = states.get(account_id, (ConnectionState.CONNECTING, ""))
        glyph, color = _STATE_LOOK.get(state, ("?", "default"))
        if index:
            line.append("   ")
        line.append(glyph + " ", style=color)
        line.append_text(account_tag(account))
        line.append(" ")
        line.append(state.value, style=color)
        detail = one_line(detail)
        if detail and state is not ConnectionState.CONNECTED:
            line.append(f" ({detail})", style="dim")
    return line


class StatusBar(Widget):
    """A one-line bar with each linked account's connection state.

    The app calls :meth:`update_states` whenever the session reports an
    ``AccountStateChanged``; the bar holds no reference to the session itself.
    """

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._accounts: dict[str, AccountConfig] = {}
        self._states: dict[str, tuple[ConnectionState, str]] = {}

    def update_states(
        self,
        accounts: Mapping[str, AccountConfig],
        states: Mapping[str, tuple[ConnectionState, str]],
    ) -> None:
        self._accounts = dict(accounts)
        self._states = dict(states)
        self.refresh()

    @property
    def plain(self) -> str:
        """What the bar says, as plain text (for tests and screen readers)."""
        return status_text(self._accounts, self._states).plain

    def render(self) -> Text:
        return status_text(self._accounts, self._states)


class ThreadHeader(Widget):
    """Above the messages: the open thread's title, its members and its account."""

    DEFAULT_CSS = """
    ThreadHeader {
        height: 2;
        padding: 0 1;
        background: $boost;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._thread: Thread | None = None
        self._account: AccountConfig | None = None
        self._me = ""

    def show(self, thread: Thread | None, account: AccountConfig | None, me: str) -> None:
        self._thread = thread
        self._account = account
        self._me = me
        self.refresh()

    @property
    def plain(self) -> str:
        return self.render().plain

    def render(self) -> Text:
        thread = self._thread
        if thread is None or self._account is None:
            text = Text(no_wrap=True, overflow="ellipsis", end="")
            text.append("No conversation open", style="bold")
            text.append("\n")
            text.append("Enter opens the selected one · Ctrl+N starts one", style="dim")
            return text
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append_text(account_tag(self._account))
        text.append("  ")
        text.append(one_line(thread.display_title(self._me)), style="bold")
        text.append("\n")
        members = ", ".join(one_line(m) for m in thread.members)
        text.append(members, style="dim")
        where = urlsplit(self._account.server).netloc or self._account.server
        text.append(f"  ·  you are {one_line(self._me)} on {one_line(where)}", style="dim")
        return text
