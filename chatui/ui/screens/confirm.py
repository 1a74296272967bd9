"""A yes-or-no question before something that cannot be taken back (or that a
person may not expect): the dialogs of chatui.ui.screens.confirm_quit and
.confirm_unsend are this one shape with their own words.

The button that does it has the focus, so Enter does it; Esc (or the other
button) keeps things as they are. Dismissed with True when it is done.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class Confirm(ModalScreen[bool]):
    """``title`` as the border's title, ``text`` under it (plain: it may hold a
    message's words), then "keep" and "do" buttons. Subclasses name them with
    ``KEEP`` / ``DO`` (label, id) and the text's id with ``TEXT_ID``."""

    KEEP: ClassVar[tuple[str, str]] = ("Cancel", "keep")
    DO: ClassVar[tuple[str, str]] = ("OK", "do")
    TEXT_ID: ClassVar[str] = "confirm-text"

    DEFAULT_CSS = """
    Confirm {
        align: center middle;
    }
    Confirm > Vertical {
        width: 60;
        max-width: 100%;
        height: auto;
        padding: 0 1;
        border: round $warning;
        border-title-style: bold;
        background: $surface;
    }
    Confirm .confirm--text {
        margin: 1 0;
    }
    Confirm Horizontal {
        height: auto;
        align-horizontal: right;
    }
    Confirm Button {
        margin-left: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "keep", "Cancel", id="confirm.keep"),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            yield Static(self.text, id=self.TEXT_ID, classes="confirm--text", markup=False)
            with Horizontal():
                yield Button(self.KEEP[0], id=self.KEEP[1])
                yield Button(self.DO[0], id=self.DO[1], variant="warning")

    def on_mount(self) -> None:
        self.query_one(f"#{self.DO[1]}", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == self.DO[1])

    def action_keep(self) -> None:
        self.dismiss(False)
