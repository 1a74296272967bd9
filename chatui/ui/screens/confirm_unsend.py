"""Unsend a message for everyone? Asked first, since it cannot be taken back:
everyone in the conversation sees "message deleted" in its place. Enter on the
focused "Unsend" button unsends; Esc keeps the message."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from chatui.core.sanitize import one_line, truncate_cells

QUESTION = "Unsend this message for everyone?"


class ConfirmUnsend(ModalScreen[bool]):
    """Dismissed with True to unsend ``body``'s message."""

    DEFAULT_CSS = """
    ConfirmUnsend {
        align: center middle;
    }
    ConfirmUnsend > Vertical {
        width: 60;
        max-width: 100%;
        height: auto;
        padding: 0 1;
        border: round $warning;
        border-title-style: bold;
        background: $surface;
    }
    ConfirmUnsend #unsend-what {
        margin: 1 0;
        color: $text-muted;
    }
    ConfirmUnsend Horizontal {
        height: auto;
        align-horizontal: right;
    }
    ConfirmUnsend Button {
        margin-left: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "keep", "Keep", id="confirm_unsend.keep"),
    ]

    def __init__(self, body: str) -> None:
        super().__init__()
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = QUESTION
            yield Static(
                truncate_cells(one_line(self.body), 54)
                + "\nEveryone in the conversation sees “message deleted” instead.",
                id="unsend-what",
                markup=False,
            )
            with Horizontal():
                yield Button("Keep", id="keep")
                yield Button("Unsend", id="unsend", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#unsend", Button).focus()

    @on(Button.Pressed, "#unsend")
    def _unsend(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#keep")
    def action_keep(self) -> None:
        self.dismiss(False)
