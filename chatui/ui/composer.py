"""The composer: where a message is typed before it is sent.

A single-line ``Input`` for now (Enter sends). It speaks to the app only through
:class:`Composer.Send`, so swapping it for a multi-line ``TextArea`` later (Enter
sends, Shift+Enter breaks the line) changes nothing outside this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.widgets import Input


class Composer(Input):
    """Type a message; Enter asks the app to send it."""

    DEFAULT_CSS = """
    Composer {
        height: 3;
    }
    """

    @dataclass
    class Send(Message):
        """The user pressed Enter on a non-empty message."""

        composer: Composer
        text: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            placeholder="Message · Enter sends · Esc: back to the list",
            id=id,
            # Input selects everything on focus by default; in a composer that makes
            # the next key replace the whole draft. Nothing typed may be lost.
            select_on_focus=False,
        )

    @property
    def text(self) -> str:
        return self.value

    async def action_submit(self) -> None:
        # Whitespace-only is "nothing typed": sending it would only make noise.
        if self.value.strip():
            self.post_message(self.Send(self, self.value))

    def take(self) -> str:
        """Empty the composer and return what it held (the text being sent)."""
        text = self.value
        self.value = ""
        return text

    def put_back(self, text: str) -> None:
        """Restore text that could not be sent, keeping anything typed since.

        The unsent text goes first, since it was written first.
        """
        current = self.value
        self.value = f"{text} {current}" if current.strip() else text
        self.cursor_position = len(self.value)
