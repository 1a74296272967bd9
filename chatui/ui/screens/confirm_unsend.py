"""Unsend a message for everyone? Asked first, since it cannot be taken back:
everyone in the conversation sees "message deleted" in its place. Enter on the
focused "Unsend" button unsends; Esc keeps the message."""

from __future__ import annotations

from typing import ClassVar

from chatui.core.sanitize import one_line, truncate_cells
from chatui.ui.screens.confirm import Confirm

QUESTION = "Unsend this message for everyone?"


class ConfirmUnsend(Confirm):
    """Dismissed with True to unsend ``body``'s message."""

    KEEP: ClassVar[tuple[str, str]] = ("Keep", "keep")
    DO: ClassVar[tuple[str, str]] = ("Unsend", "unsend")
    TEXT_ID: ClassVar[str] = "unsend-what"

    DEFAULT_CSS = """
    ConfirmUnsend #unsend-what {
        color: $text-muted;
    }
    """

    def __init__(self, body: str) -> None:
        super().__init__(
            QUESTION,
            truncate_cells(one_line(body), 54)
            + "\nEveryone in the conversation sees “message deleted” instead.",
        )
        self.body = body
