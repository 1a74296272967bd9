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


def help_text(keys: Sequence[tuple[str, str]], *, matrix: bool = False) -> Text:
    """The whole help, as plain ``Text`` (also what tests read); ``matrix``: a Matrix
    account is linked, so what its server keeps is said too."""
    text = Text()
    text.append("Keys\n", style="bold underline")
    width = max((cell_len(key) for key, _ in keys), default=0)
    for key, what in keys:
        text.append(f"  {key}{' ' * (width - cell_len(key))}  ", style="bold")
        text.append(f"{what}\n")
    text.append("\nCommands typed in the message box\n", style="bold underline")
    usage_width = max(cell_len(c.usage) for c in COMMANDS_HELP)
    for command in COMMANDS_HELP:
        pad = " " * (usage_width - cell_len(command.usage))  # an emoji is two cells
        text.append(f"  {command.usage}{pad}  ", style="bold")
        text.append(f"{command.what}\n")
    text.append("  An unknown /command is never sent: it stays in the box to fix.\n")
    text.append("\nWhat vanish mode cannot do\n", style="bold underline")
    for line in (*VANISH_LIMITS[:-1], *((MATRIX_LIMIT,) if matrix else ()), VANISH_LIMITS[-1]):
        text.append("  • ")
        text.append(f"{line}\n")
    return text


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
            yield Static(help_text(self.keys, matrix=self.matrix), id="help-text")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
