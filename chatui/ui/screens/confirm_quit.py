"""Quitting with messages not sent yet: asked first, and told they are kept.

Nothing is lost either way (the outbox is on disk and sends on the next start),
but a person who quits while offline may think a message went; the question
says what will happen to it. Enter or Ctrl+Q again quits; Esc stays.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


def unsent_words(count: int) -> str:
    """The question's sentence for ``count`` unsent messages."""
    messages = "1 message is" if count == 1 else f"{count} messages are"
    return (
        f"{messages} not sent yet. They are kept, and chatui sends them the next time"
        " it starts with that server reachable."
    )


class ConfirmQuit(ModalScreen[bool]):
    """Quit with ``count`` messages unsent? Dismissed with True to quit."""

    DEFAULT_CSS = """
    ConfirmQuit {
        align: center middle;
    }
    ConfirmQuit > Vertical {
        width: 60;
        max-width: 100%;
        height: auto;
        padding: 0 1;
        border: round $warning;
        border-title-style: bold;
        background: $surface;
    }
    ConfirmQuit #quit-why {
        margin: 1 0;
    }
    ConfirmQuit Horizontal {
        height: auto;
        align-horizontal: right;
    }
    ConfirmQuit Button {
        margin-left: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stay", "Stay", id="confirm_quit.stay"),
    ]

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Quit chatui?"
            yield Static(unsent_words(self.count), id="quit-why")
            with Horizontal():
                yield Button("Stay", id="stay")
                yield Button("Quit", id="quit", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#quit", Button).focus()

    @on(Button.Pressed, "#quit")
    def _quit(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#stay")
    def action_stay(self) -> None:
        self.dismiss(False)
