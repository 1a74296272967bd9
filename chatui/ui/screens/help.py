"""The help screen (F1, ``?`` outside the composer, ``/help``, the palette).

Three parts: the keys (given by the app, so the screen never lists a key the
app does not have), the composer's slash commands, and what vanish mode cannot
do. The last part is there because a disappearing message is a promise about
*this client*, and a promise a terminal program cannot keep for anyone else
must not be implied (docs/vanish.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from chatui.ui.slash_commands import COMMANDS_HELP

VANISH_LIMITS: tuple[str, ...] = (
    "It erases a message from this client's screen and local store and, for your own"
    " messages, asks the server to delete it. That is all it can do.",
    "A terminal cannot stop screenshots, or anyone photographing the screen.",
    "It cannot stop copying: text can be selected and copied before it goes.",
    "It cannot reach the terminal's own scrollback or logs: tmux or screen history,"
    " `script` recordings, terminal log files keep what was drawn.",
    "The other person's device, a modified client or a bridge to another network can"
    " keep anything they were sent; their timers run on their client, not yours.",
    "Use it for tidiness and a little privacy, not for secrets you cannot afford to leak.",
)

MATRIX_LIMIT = (
    "On Matrix, an expired message of yours is deleted by a redaction: members' apps"
    " stop showing it at once, but the server keeps the original text in its database"
    " for its redaction_retention_period (7 days on Synapse unless its admin changed"
    " it), and the server's admins can read it meanwhile. Other servers in the room"
    " keep their own copy under their own rules."
)
"""Shown only when a Matrix account is linked (tests/backends/matrix/test_vanish_server_keeps.py
shows what Synapse keeps)."""


Row = tuple[str, str]
"""(what is typed or pressed, what it does); for the limits, ("•", the limit)."""


def help_sections(keys: Sequence[Row], *, matrix: bool = False) -> list[tuple[str, list[Row], str]]:
    """The help's sections: (title, rows, a line after the rows or ""); ``matrix``: a
    Matrix account is linked, so what its server keeps is said too."""
    limits = (*VANISH_LIMITS[:-1], *((MATRIX_LIMIT,) if matrix else ()), VANISH_LIMITS[-1])
    return [
        ("Keys", list(keys), ""),
        (
            "Commands typed in the message box",
            [(command.usage, command.what) for command in COMMANDS_HELP],
            "An unknown /command is never sent: it stays in the box to fix.",
        ),
        ("What vanish mode cannot do", [("•", line) for line in limits], ""),
    ]


def help_text(keys: Sequence[Row], *, matrix: bool = False) -> Text:
    """The whole help as plain ``Text``, one row a line (what tests and screen
    readers read; the screen draws the same sections as :func:`help_renderable`)."""
    text = Text()
    for number, (title, rows, after) in enumerate(help_sections(keys, matrix=matrix)):
        text.append(f"{chr(10) if number else ''}{title}\n", style="bold underline")
        width = max((cell_len(left) for left, _ in rows), default=0)
        for left, right in rows:
            pad = " " * (width - cell_len(left))  # an emoji is two cells
            text.append(f"  {left}{pad}  ", style="bold")
            text.append(f"{right}\n")
        if after:
            text.append(f"  {after}\n")
    return text


def help_renderable(keys: Sequence[Row], *, matrix: bool = False) -> Group:
    """The help as drawn: each section a grid of two columns, what to press and what
    it does, so that a line that wraps goes on under its text (a hanging indent),
    not under the key."""
    parts: list[RenderableType] = []
    for number, (title, rows, after) in enumerate(help_sections(keys, matrix=matrix)):
        if number:
            parts.append(Text(""))
        parts.append(Text(title, style="bold underline"))
        grid = Table.grid(padding=(0, 2), pad_edge=False)
        grid.add_column(no_wrap=True, style="bold")
        grid.add_column(overflow="fold", ratio=1)
        for left, right in rows:
            grid.add_row(left, right)
        parts.append(Padding(grid, (0, 0, 0, 2)))
        if after:
            parts.append(Padding(Text(after), (0, 0, 0, 2)))
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    """Keys, commands and the limits of vanish mode; Esc, F1, ``?`` or q closes."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 90;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        padding: 0 2;
        border: round $primary;
        border-title-style: bold;
        background: $surface;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,question_mark,q", "close", "Close", id="help.close"),
    ]

    def __init__(self, keys: Sequence[tuple[str, str]], *, matrix: bool = False) -> None:
        super().__init__()
        self.keys = list(keys)
        self.matrix = matrix

    @property
    def plain(self) -> str:
        return help_text(self.keys, matrix=self.matrix).plain

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "chatui help"
            box.border_subtitle = "Esc closes"
            yield Static(help_renderable(self.keys, matrix=self.matrix), id="help-text")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
