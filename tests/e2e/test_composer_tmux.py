"""End to end: writing several lines in a real terminal, and pasting twenty.

bob's real ``chatui`` runs in tmux against a live reference server. tmux sends
Alt+Enter as ESC CR (it does not speak the kitty keyboard protocol), which Textual
alone would read as Enter; a paste with ``paste-buffer -p`` arrives as a bracketed
paste whose line breaks tmux turned into CRs, as a terminal's paste does. The
server is then asked what arrived: each message whole, once.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from chatui.server.runner import ServerThread
from tests.e2e.tmux import TIMEOUT, Terminal
from tests.vanish.disk import Room, make_room

pytestmark = pytest.mark.e2e


def _wait_for_server(room: Room, check: Callable[[list[str]], bool], what: str) -> list[str]:
    deadline = time.monotonic() + TIMEOUT
    while not check(bodies := room.server_bodies()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; the server has {bodies!r}")
        time.sleep(0.2)
    return bodies


SCROLLBAR = "▁▂▃▄▅▆▇█▔"
"""What a scroll bar's thumb is drawn with (and the frame's top and bottom)."""


def _composer_rows(screen: str) -> list[str]:
    """The message box's text rows (between its frame's sides; padding and the
    scroll bar at the right stripped)."""
    rows = []
    for line in screen.splitlines():
        if "▊" in line and "▎" in line:
            inner = line.split("▊", 1)[1].rsplit("▎", 1)[0].rstrip(f" {SCROLLBAR}")
            if inner.strip():
                rows.append(inner.strip())
    return rows


def test_alt_enter_lines_and_a_twenty_line_paste_are_one_message_each(
    terminal: Terminal, server: ServerThread, tmp_path: Path
) -> None:
    room = make_room(server, tmp_path, "Letters")
    command = [sys.executable, "-m", "chatui", "--config-dir", str(room.profile)]
    terminal.start(command, columns=100, rows=30)
    terminal.wait_for(lambda s: "Letters" in s and "connected" in s, "the thread list")
    terminal.keys("Enter")
    terminal.wait_for(lambda s: "with alice" in s, "the conversation to open")

    terminal.type("dear alice,")
    terminal.keys("M-Enter")
    terminal.type("two lines")
    terminal.wait_for(
        lambda s: _composer_rows(s)[-2:] == ["dear alice,", "two lines"], "two rows in the box"
    )
    assert room.server_bodies() == []  # Alt+Enter did not send
    terminal.keys("Enter")
    _wait_for_server(room, lambda b: b == ["dear alice,\ntwo lines"], "the two lines as one")

    lines = [f"pasted line {number:02}" for number in range(1, 21)]
    terminal.tmux("set-buffer", "-b", "twenty", "\n".join(lines))
    terminal.tmux("paste-buffer", "-p", "-b", "twenty", "-t", "demo")
    # The box grew to a third of the screen and scrolled: the last lines show.
    screen = terminal.wait_for(lambda s: "pasted line 20" in _composer_rows(s), "the paste")
    shown = _composer_rows(screen)
    assert shown == lines[-len(shown) :] and 3 <= len(shown) < 20
    assert room.server_bodies() == ["dear alice,\ntwo lines"]  # a paste does not send
    terminal.keys("Enter")
    bodies = _wait_for_server(room, lambda b: len(b) >= 2, "the pasted message")
    assert bodies == ["dear alice,\ntwo lines", "\n".join(lines)]
