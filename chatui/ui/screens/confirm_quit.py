"""Quitting with messages not sent yet: asked first, and told they are kept.

Nothing is lost either way (the outbox is on disk and sends on the next start),
but a person who quits while offline may think a message went; the question
says what will happen to it. Enter or Ctrl+Q again quits; Esc stays.
"""

from __future__ import annotations

from typing import ClassVar

from chatui.ui.screens.confirm import Confirm


def unsent_words(count: int) -> str:
    """The question's sentence for ``count`` unsent messages."""
    messages = "1 message is" if count == 1 else f"{count} messages are"
    return (
        f"{messages} not sent yet. They are kept, and chatui sends them the next time"
        " it starts with that server reachable."
    )


class ConfirmQuit(Confirm):
    """Quit with ``count`` messages unsent? Dismissed with True to quit."""

    KEEP: ClassVar[tuple[str, str]] = ("Stay", "stay")
    DO: ClassVar[tuple[str, str]] = ("Quit", "quit")
    TEXT_ID: ClassVar[str] = "quit-why"

    def __init__(self, count: int) -> None:
        super().__init__("Quit chatui?", unsent_words(count))
        self.count = count
