"""Words the conversation, its header and the thread list share: what became of a
message ("message deleted") and who is typing.

Said once, here, so that the list and the conversation say it the same way. Names
come from servers: they are made safe for one line here, and kept short, so that a
long display name cannot push the rest of the sentence away.
"""

from __future__ import annotations

from collections.abc import Sequence

from chatui.core.sanitize import one_line, truncate_cells

DELETED_WORDS = "message deleted"
"""An unsent message: its line in the conversation, a quote of it, the list's preview."""
VANISHED_WORDS = "message vanished"
"""A quote of a message that vanish mode erased here."""
EDITED_MARK = "edited"
"""After a message its sender changed."""
SEEN_MARK = "seen"
"""Under the user's last message the other person (one to one) has read."""

NAME_CELLS = 24
"""The most a typist's name takes before it is cut with an ellipsis."""


def typing_words(names: Sequence[str]) -> str:
    """ "alice is typing…", "alice and bob are typing…", "3 people are typing…";
    "" when nobody is."""
    shown = [truncate_cells(one_line(name, 64), NAME_CELLS) for name in names]
    if not shown:
        return ""
    if len(shown) == 1:
        return f"{shown[0]} is typing…"
    if len(shown) == 2:
        return f"{shown[0]} and {shown[1]} are typing…"
    return f"{len(shown)} people are typing…"
