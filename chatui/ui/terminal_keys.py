"""Alt+Enter as the terminal sends it: ESC CR.

Without the kitty keyboard protocol (tmux, screen, xterm, GNOME Terminal, most
terminals by default) Alt+Enter reaches the app as ESC followed by CR. Textual
8.2.8's input parser knows ESC + a letter as alt+letter but reads ESC CR as a
plain ``enter`` (its alt flag applies to one-character names only; an open
upstream pull request, Textualize/textual#6577, adds the sequence). In the
composer that would send the message the user meant to continue on a new line,
so :func:`teach_alt_enter` adds the sequence to the parser's table: the parser
then reports ``alt+enter``, as it already does for terminals with the kitty
protocol (``CSI 13;3u``).

The table is a private module's dict that Textual's parser reads on every key;
the entry is added only where Textual has none, so a Textual that learns the
sequence itself keeps its own.
"""

from __future__ import annotations

from enum import StrEnum

ALT_ENTER_SEQUENCE = "\x1b\r"


class ExtraKey(StrEnum):
    """Key names the parser's table gives out (it takes ``Keys`` members' values)."""

    ALT_ENTER = "alt+enter"


def teach_alt_enter() -> None:
    """Make Textual's input parser report ESC CR as ``alt+enter`` (idempotent)."""
    from textual import _ansi_sequences

    table = _ansi_sequences.ANSI_SEQUENCES_KEYS
    if ALT_ENTER_SEQUENCE not in table and isinstance(table, dict):
        table[ALT_ENTER_SEQUENCE] = (ExtraKey.ALT_ENTER,)  # type: ignore[assignment]
