"""End to end: emoji terminals disagree on break no border, in a real terminal.

tmux counts cells with glibc's ``wcwidth()``, code point by code point: ❤️ is one
cell there (Textual counts two), 👍🏽 four (Textual: two), and Unicode 15 emoji
zero. Drawn as they are, each moves the rest of its line, and a dialog's right
border lands in the wrong column or falls off the screen. The real demo runs in
tmux at 80x24; the test types such emoji into the message box, sends them, opens
the emoji picker (with a skin tone chosen, and searched for hearts) and picks one,
and after each step reads the screen as tmux holds it:

* every line is exactly as many cells wide by Textual's count as tmux has columns
  (a glyph tmux drew narrower or wider than counted makes it longer or shorter);
* every line of the message box and of the picker has its right border character
  in the column of that box's top-right corner.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.e2e.tmux import Terminal, chatui_demo

pytestmark = pytest.mark.e2e

COLUMNS, ROWS = 80, 24
TYPED = "fog 😶\u200d🌫️ sigh 😮\u200d💨 love ❤️ ok 👍🏽 key 1️⃣ fire ❤️\u200d🔥"
"""Each a kind terminals draw at their own width: ZWJ sequences, VS16, a skin tone,
a keycap. (Unicode 15 emoji are in the picker: tmux does not pass them on as keys.)"""


def column(line: str, index: int) -> int:
    """The screen column of ``line[index]`` by Textual's count of cells."""
    return cell_len(line[:index])


def assert_counted_as_drawn(lines: list[str]) -> None:
    for number, line in enumerate(lines):
        assert cell_len(line) == COLUMNS, (
            f"line {number} takes {cell_len(line)} cells by Textual's count and "
            f"{COLUMNS} in the terminal:\n{line}"
        )


def assert_box_closed(lines: list[str], top: int, bottom: int, corner: str, side: str) -> None:
    """Lines ``top`` to ``bottom``: the top line's last ``corner`` fixes the right
    edge, and every line below has ``side`` (or the bottom corner) there."""
    right = column(lines[top], lines[top].rindex(corner))
    for number in range(top + 1, bottom + 1):
        line = lines[number]
        found = [column(line, i) for i, ch in enumerate(line) if ch in side]
        assert right in found, (
            f"line {number}: no {side!r} at column {right} (found at {found}):\n"
            + "\n".join(lines[top : bottom + 1])
        )


def composer_rows(lines: list[str]) -> tuple[int, int]:
    """The message box: its top line (▔) to its bottom line (▁), at the bottom."""
    top = max(i for i, line in enumerate(lines) if "▊▔▔▔" in line)
    return top, top + 2


def check_composer(terminal: Terminal) -> None:
    lines = terminal.lines()
    assert_counted_as_drawn(lines)
    top, bottom = composer_rows(lines)
    assert_box_closed(lines, top, bottom, "▎", "▎")


def check_picker(terminal: Terminal) -> None:
    lines = terminal.lines()
    assert_counted_as_drawn(lines)
    top = next(i for i, line in enumerate(lines) if "╮" in line)
    bottom = next(i for i, line in enumerate(lines) if "╯" in line)
    assert_box_closed(lines, top, bottom, "╮", "│╯")


def test_emoji_break_no_border_in_the_message_box_or_the_picker(
    terminal: Terminal, tmp_path: Path
) -> None:
    terminal.start(chatui_demo(tmp_path / "profile"), columns=COLUMNS, rows=ROWS)
    terminal.wait_for(lambda s: "Weekend hike" in s and "connected" in s, "the thread list")
    terminal.keys("Enter")
    terminal.wait_for(lambda s: "with alice" in s, "the conversation to open")

    terminal.type(TYPED)
    terminal.wait_for(lambda s: "fire" in s, "the emoji typed into the message box")
    check_composer(terminal)

    terminal.keys("Enter")  # sent, and drawn in the conversation
    terminal.wait_for(lambda s: "you  " in s and "fire" in s and "Message" in s, "the message")
    check_composer(terminal)

    terminal.keys("C-o")  # the picker: ZWJ sequences, ❤️, Unicode 15 emoji on its first page
    terminal.wait_for(lambda s: "Smileys & Emotion" in s, "the emoji picker")
    check_picker(terminal)
    terminal.keys("C-t")  # a skin tone: every person and hand in it
    terminal.keys("Tab")  # on to the next group: People & Body
    terminal.wait_for(lambda s: "People & Body" in s, "people, in a skin tone")
    check_picker(terminal)
    terminal.type("heart")  # ❤️‍🔥, ❤️‍🩹, 🩷 (Unicode 15)...
    terminal.wait_for(lambda s: "heart" in s and "Smileys" not in s, "the hearts")
    check_picker(terminal)

    terminal.keys("Enter")  # the first heart, into the message box
    terminal.wait_for(lambda s: "Smileys" not in s and "▊▔▔▔" in s, "the picker closed")
    check_composer(terminal)
