"""The app's small status displays: the open thread's header, the connection
bar and the key hints.

Both render Rich ``Text`` built piece by piece, never markup, because titles,
member names and error details come from servers. Account labels and colors come
from the user's own config, but go through the same path for simplicity.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer

from chatui.core.chat_words import typing_words
from chatui.core.clock import now_ms
from chatui.core.models import AccountConfig, ConnectionState, Thread, VanishSetting
from chatui.core.notices import duration_setting, vanish_words
from chatui.core.sanitize import one_line, truncate_cells
from chatui.ui.actions import IMPORTANCE, ORDER

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.binding import Binding
    from textual.screen import Screen

# How each state looks: a glyph (meaning survives without color) and a color.
_STATE_LOOK: dict[ConnectionState, tuple[str, str]] = {
    ConnectionState.CONNECTED: ("●", "green"),
    ConnectionState.CONNECTING: ("◌", "yellow"),
    ConnectionState.RECONNECTING: ("◌", "yellow"),
    ConnectionState.ERROR: ("✖", "red"),
    ConnectionState.OFFLINE: ("○", "bright_black"),
}


def account_tag(account: AccountConfig) -> Text:
    """The account's short label in its color, as shown on thread rows."""
    try:
        style = Style(color=account.color, bold=True)
    except Exception:  # a bad color in config.toml must not break the screen
        style = Style(bold=True)
    return Text(one_line(account.label) or account.account_id, style=style)


def vanish_badge(setting: VanishSetting) -> Text:
    """A thread's vanish state at a glance: a reverse-video badge (it reads without
    color too) and the words for what it does; empty when messages stay."""
    text = Text(end="")
    label = _vanish_label(setting)
    if label is None:
        return text
    text.append(label, style="bold reverse")
    text.append(" ")
    text.append(vanish_words(setting), style="italic")
    return text


def _vanish_label(setting: VanishSetting) -> str | None:
    if setting.mode == "off":
        return None
    if setting.mode == "timer" and setting.seconds:
        return f" ⏳ {duration_setting(setting.seconds)} "
    return " ◌ vanish mode "


def theme_name(thread: Thread) -> str | None:
    """The thread's chat theme name (untrusted: it came from a participant), if set."""
    theme = thread.theme
    if not isinstance(theme, Mapping):
        return None
    name = theme.get("name")
    if not isinstance(name, str) or not name.strip():
        return None
    return one_line(name, max_len=64)


def _messages(count: int) -> str:
    return "1 message" if count == 1 else f"{count} messages"


def stuck_words(waiting: int, reason: str | None) -> str:
    """What the status area says of an account whose sends are held up."""
    words = f"{_messages(waiting)} waiting to send"
    return f"{words} — {one_line(reason)}" if reason else words


def refused_words(count: int) -> str:
    """What the status area says of messages a server refused for good: they wait
    for the user, so this stays until each is retried or discarded."""
    return f"{_messages(count)} not sent (r retry · x discard, in the conversation)"


def retry_words(retry_at: int | None, now: int) -> str:
    """ "retrying in 4 s" (counting down), "retrying now", or "" (no try due)."""
    if retry_at is None:
        return ""
    left = retry_at - now
    if left < 500:  # too soon to count: it is as good as under way
        return "retrying now"
    return f"retrying in {math.ceil(left / 1000)} s"


def login_words(key: str) -> str:
    """What the status area says of an account whose token the server refused."""
    return f"log in again ({key})" if key else "log in again"


def status_text(
    accounts: Mapping[str, AccountConfig],
    states: Mapping[str, tuple[ConnectionState, str]],
    stuck: Mapping[str, tuple[int, str]] | None = None,
    retry_at: Mapping[str, int] | None = None,
    now: int = 0,
    refused: Mapping[str, int] | None = None,
    signed_out: Collection[str] = (),
    login_key: str = "",
) -> Text:
    """One line: every account's label, glyph and state (with its detail and, while
    it waits to reconnect, when it tries next, as of ``now``), for an account
    whose sends are stuck, how many messages wait and why, and how many its server
    refused (``refused``: account id -> count). An account in ``signed_out`` (its
    token refused) says "log in again" and the key that does it (``login_key``)
    instead of the server's words, which the form it opens shows."""
    stuck = stuck or {}
    retry_at = retry_at or {}
    refused = refused or {}
    line = Text(no_wrap=True, overflow="ellipsis", end="")
    for index, (account_id, account) in enumerate(accounts.items()):
        state, detail = states.get(account_id, (ConnectionState.CONNECTING, ""))
        glyph, color = _STATE_LOOK.get(state, ("?", "default"))
        if index:
            line.append("   ")
        line.append(glyph + " ", style=color)
        line.append_text(account_tag(account))
        line.append(" ")
        if account_id in signed_out:
            line.append("signed out — ", style=color)
            line.append(login_words(login_key), style=f"bold {color}")
            detail = ""
        else:
            line.append(state.value, style=color)
            detail = one_line(detail) if state is not ConnectionState.CONNECTED else ""
        when = retry_words(retry_at.get(account_id), now)
        if when:
            detail = f"{detail} — {when}" if detail else when
        if refused.get(account_id):
            line.append("  ✖ ", style="bold")
            line.append(refused_words(refused[account_id]), style="bold")
        held = stuck.get(account_id)
        if held is not None:
            # Before the connection's detail, so the line's end is what gets cut; a
            # mark that reads without color. A connection detail, when there is one,
            # already says why, so the reason is not said twice.
            waiting, reason = held
            line.append("  ⚠ ", style="bold")
            line.append(stuck_words(waiting, None if detail else reason), style="bold")
        if detail:
            line.append(f" ({detail})", style="dim")
    return line


class StatusBar(Widget):
    """A one-line bar with each linked account's connection state.

    The app calls :meth:`update_states` whenever the session reports an
    ``AccountStateChanged`` (a connection state, or sends getting stuck or moving
    again); the bar holds no reference to the session itself.
    """

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._accounts: dict[str, AccountConfig] = {}
        self._states: dict[str, tuple[ConnectionState, str]] = {}
        self._stuck: dict[str, tuple[int, str]] = {}
        self._retry_at: dict[str, int] = {}
        self._refused: dict[str, int] = {}
        self._signed_out: tuple[str, ...] = ()
        self._login_key = ""
        self._ticker: Timer | None = None

    def update_states(
        self,
        accounts: Mapping[str, AccountConfig],
        states: Mapping[str, tuple[ConnectionState, str]],
        stuck: Mapping[str, tuple[int, str]] | None = None,
        retry_at: Mapping[str, int] | None = None,
        refused: Mapping[str, int] | None = None,
        *,
        signed_out: Collection[str] = (),
        login_key: str = "",
    ) -> None:
        """``stuck``: account id -> (messages waiting, why), for held-up sends;
        ``retry_at``: account id -> when its next reconnect is due (epoch ms);
        ``refused``: account id -> messages its server refused (retry or discard);
        ``signed_out``: accounts whose token was refused, logged in again with
        ``login_key``."""
        self._accounts = dict(accounts)
        self._states = dict(states)
        self._stuck = dict(stuck or {})
        self._retry_at = dict(retry_at or {})
        self._refused = dict(refused or {})
        self._signed_out = tuple(signed_out)
        self._login_key = login_key
        # A countdown that counts: redrawn each second while a try is due.
        if self._retry_at and self._ticker is None:
            self._ticker = self.set_interval(1.0, self._tick)
        elif not self._retry_at and self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        self.refresh()

    def _tick(self) -> None:
        self.refresh()

    @property
    def refused(self) -> dict[str, int]:
        """What the bar last heard of refused sends (account id -> count)."""
        return dict(self._refused)

    @property
    def plain(self) -> str:
        """What the bar says, as plain text (for tests and screen readers)."""
        return self.render().plain

    def render(self) -> Text:
        return status_text(
            self._accounts,
            self._states,
            self._stuck,
            self._retry_at,
            now_ms(),
            self._refused,
            self._signed_out,
            self._login_key,
        )


_DOT = "  ·  "


def details_line(members: str, theme: str | None, account: str, width: int) -> Text:
    """The header's second line: who the thread is with, its theme, and which of
    the user's accounts it is on — whole words in ``width`` cells.

    When they do not all fit, the theme's name goes first (the conversation shows
    its colors anyway), then the members are cut with an ellipsis (the title names
    a direct conversation already), and the account goes last; nothing is ever cut
    mid-word without one. ``width`` 0 (not laid out yet): everything.
    """
    line = Text(end="")
    theme_part = f"{_DOT}theme {theme}" if theme else ""
    width = width or cell_len(members + theme_part + _DOT + account)
    if cell_len(members + theme_part + _DOT + account) > width:
        theme_part = ""
    room = width - cell_len(theme_part + _DOT + account)
    if room < min(12, cell_len(members)):
        # Too narrow for both: the members, cut with an ellipsis, and no account.
        line.append(truncate_cells(members, width), style="dim")
        return line
    line.append(truncate_cells(members, room), style="dim")
    if theme_part:
        line.append(f"{_DOT}theme ", style="dim")
        line.append(theme or "", style="italic")
    line.append(f"{_DOT}{account}", style="dim")
    return line


class ThreadHeader(Widget):
    """Above the messages: the open thread's title, its members and its account,
    its vanish state (badge and words) and its chat theme's name when one is set.
    While someone types, the second line says so instead ("alice is typing…").

    ``show`` again whenever the thread changes (a ``ThreadUpdated`` brings a new
    vanish setting or theme), :meth:`set_typing` whenever who types changes."""

    DEFAULT_CSS = """
    ThreadHeader {
        height: 2;
        padding: 0 1;
        background: $boost;
        /* One line each, never wrapped into a third that is not shown. */
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._thread: Thread | None = None
        self._account: AccountConfig | None = None
        self._me = ""
        self._typing = ""

    def show(self, thread: Thread | None, account: AccountConfig | None, me: str) -> None:
        if thread is None or self._thread is None or thread.key != self._thread.key:
            self._typing = ""  # another thread: whoever typed there is not here
        self._thread = thread
        self._account = account
        self._me = me
        self.refresh()

    def set_typing(self, names: list[str]) -> None:
        """Who is typing in the shown thread now (display names; none: nobody)."""
        words = typing_words(names) if self._thread is not None else ""
        if words != self._typing:
            self._typing = words
            self.refresh()

    @property
    def typing(self) -> str:
        """What the header says of typing ("" when nobody types)."""
        return self._typing

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
        title = one_line(thread.display_title(self._me))
        badge = vanish_badge(thread.vanish)
        if badge and self.size.width:
            # A long title must not push the vanish badge out of sight.
            label = _vanish_label(thread.vanish) or ""
            room = self.size.width - text.cell_len - cell_len(label) - 4
            title = truncate_cells(title, max(12, room))
        text.append(title, style="bold")
        if badge:
            text.append("  ")
            text.append_text(badge)
        text.append("\n")
        if self._typing:
            # In place of who the thread is with: that is on screen already (the
            # title), and this is what changes now.
            text.append(truncate_cells(self._typing, self.size.width or 80), style="italic")
            return text
        others = [one_line(m) for m in thread.members if m != self._me]
        from chatui.core.network_names import network_name

        where = one_line(network_name(self._account))
        me = one_line(self._me)
        # "as you on ..." would read as a pronoun: a demo name "you" is quoted.
        me = f"“{me}”" if me.casefold() == "you" else me
        text.append_text(
            details_line(
                f"with {', '.join(others)}" if others else "just you",
                theme_name(thread),
                f"as {me} on {where}",
                self.size.width,
            )
        )
        return text


class _Key(NamedTuple):
    """One key hint as drawn: where it is on the line and what pressing it does."""

    start: int
    end: int
    key: str
    enabled: bool
    tooltip: str


class KeyBar(Footer):
    """The key hints at the bottom: Textual's ``Footer``, drawn as one line of text.

    Textual's Footer mounts a widget per key (each with its own CSS) and remounts
    them all whenever the focus moves, because the active bindings change. That was
    ~10 ms of chatui's first frame (bench/startup.py) and repeats on every Enter
    and Esc. This bar draws the same hints — same keys, order, theme colors, the
    command palette key on the right — as text, so a bindings change is one
    repaint. Clicking a key presses it, and hovering one shows its tooltip, as in
    the Footer (binding groups, which chatui does not use, are shown key by key).
    It is still a ``Footer`` (``query_one(Footer)`` finds it, and the Footer's CSS
    places it).
    """

    DEFAULT_CSS = """
    KeyBar {
        & > .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-bar--hover {
            background: $block-hover-background;
        }
        & > .key-bar--separator {
            color: $foreground 20%;
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-bar--key",
        "key-bar--description",
        "key-bar--hover",
        "key-bar--separator",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._keys: list[_Key] = []
        self._hover: str | None = None
        self._styles: dict[str, Style] = {}  # component styles, until the CSS changes
        self._shown: object = None  # the hints last drawn (see bindings_changed)

    def compose(self) -> ComposeResult:
        return ()  # no child widgets: render() draws the keys

    def _style(self, part: str) -> Style:
        style = self._styles.get(part)
        if style is None:
            style = self._styles[part] = self.get_component_rich_style(f"key-bar--{part}")
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()  # a theme change: read the component styles again

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return  # as the Footer: keep the keys while the terminal is in the background
        # The focus moves often without changing what the bar says (at start, too):
        # repaint only when it does.
        if self.is_attached and screen is self.screen and self._hints() != self._shown:
            self.refresh()

    def _hints(self) -> tuple[list[tuple[Binding, bool, str]], tuple[Binding, bool, str] | None]:
        """The keys to show (one per action, as the Footer does) and the palette key."""
        active = self.screen.active_bindings
        # Under a dialog, this screen's own keys do nothing until it closes: only
        # the app's (quit, the palette) are shown behind it.
        covered = self.screen is not self.app.screen
        by_action: dict[str, tuple[Binding, bool, str]] = {}
        for node, binding, enabled, tooltip in active.values():
            if covered and node is not self.app:
                continue
            if binding.show and binding.action not in by_action:
                by_action[binding.action] = (binding, enabled, tooltip or binding.tooltip)
        # In the actions table's order (the app's own first), whichever node of the
        # focus chain holds the binding; a widget's own keys come before them.
        hints = sorted(by_action.values(), key=lambda hint: ORDER.get(hint[0].action, -1))
        palette = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                palette = (found.binding, found.enabled, found.binding.tooltip)
        return hints, palette

    def render(self) -> Text:
        self._keys = []
        line = Text(no_wrap=True, overflow="crop", end="")
        if not self._bindings_ready or not self.is_attached:
            return line  # as the Footer: nothing until the screen's bindings are known
        hints, palette = self._shown = self._hints()
        room = self.size.width
        if palette is not None:
            room -= self._width_of(palette[0])  # "▏" and the key, on the right
        for hint in self._fitting(hints, room):
            self._append_key(line, *hint)
        if palette is not None and room >= 0:
            line.append(" " * (room - line.cell_len))
            line.append("▏", self._style("separator"))
            self._append_key(line, *palette, compact=True)
        return line

    def _fitting(
        self, hints: list[tuple[Binding, bool, str]], room: int
    ) -> list[tuple[Binding, bool, str]]:
        """The hints that fit in ``room`` cells, whole, in their order: when not all
        do, the most important are kept (the actions table's ``importance``), so a
        narrow terminal loses the conversation's keys before Help and Quit."""
        widths = [self._width_of(binding) for binding, _enabled, _tooltip in hints]
        if sum(widths) <= room:
            return hints
        by_importance = sorted(
            range(len(hints)),
            key=lambda i: (IMPORTANCE.get(hints[i][0].action, 9), i),
        )
        kept: set[int] = set()
        for index in by_importance:
            if widths[index] > room:
                break  # the rest are less important: none is shown before this one
            kept.add(index)
            room -= widths[index]
        return [hint for index, hint in enumerate(hints) if index in kept]

    def _width_of(self, binding: Binding) -> int:
        """Cells taken by a key: " ^n New chat " (the palette's "▏^p Find " too)."""
        width = cell_len(self.app.get_key_display(binding)) + 2
        return width + (cell_len(binding.description) + 1 if binding.description else 0)

    def _append_key(
        self, line: Text, binding: Binding, enabled: bool, tooltip: str, *, compact: bool = False
    ) -> None:
        key_style = self._style("key")
        description_style = self._style("description")
        if binding.key == self._hover:
            hover = self._style("hover")
            key_style, description_style = key_style + hover, description_style + hover
        if not enabled:
            dim = Style(dim=True)
            key_style, description_style = key_style + dim, description_style + dim
        start = line.cell_len
        key = self.app.get_key_display(binding)
        line.append(key if compact else f" {key} ", key_style)
        if binding.description:
            description = binding.description
            line.append(f" {description} " if compact else f"{description} ", description_style)
        tooltip = tooltip or binding.description
        self._keys.append(_Key(start, line.cell_len, binding.key, enabled, tooltip))

    def _key_at(self, x: int) -> _Key | None:
        return next((key for key in self._keys if key.start <= x < key.end), None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self._key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        key = self._key_at(event.x)
        hover = key.key if key is not None else None
        if hover != self._hover:
            self._hover = hover
            self.tooltip = key.tooltip if key is not None and key.tooltip else None
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()
