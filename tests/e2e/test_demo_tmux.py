"""End to end: a person runs ``chatui demo`` in a real terminal and chats.

The real command runs in a detached tmux session; the test reads the screen with
``capture-pane`` and types with ``send-keys``, exactly what a person sees and does.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from tests.e2e.tmux import TIMEOUT, Terminal, chatui_demo

pytestmark = pytest.mark.e2e


def test_demo_contact_answers_with_a_quote_on_screen(terminal: Terminal, tmp_path: Path):
    status = tmp_path / "exit-status"
    terminal.start(chatui_demo(tmp_path / "profile"), columns=160, rows=45, status=status)

    # The merged list: conversations of both networks, both connected.
    terminal.wait_for(
        lambda s: "Weekend hike" in s and "Book club" in s and s.count("connected") >= 2,
        "the merged thread list",
    )

    terminal.keys("Enter")  # opens the newest conversation and focuses the composer
    # Typed once it is open (its header shows who it is with): keys sent in the same
    # instant as Enter would reach the list, as they would for anyone typing blind.
    terminal.wait_for(lambda s: "with alice" in s, "the conversation to open")
    text = f"hello from tmux {uuid.uuid4().hex[:8]}"
    terminal.type(text)
    terminal.keys("Enter")
    terminal.wait_for(lambda s: f"“{text}”" in s, "the contact's reply quoting the message")

    terminal.keys("C-q")
    deadline = time.monotonic() + TIMEOUT
    while not (status.exists() and status.read_text().strip()):
        if time.monotonic() > deadline:
            pytest.fail(f"chatui did not exit after Ctrl+Q; the screen shows:\n{terminal.screen()}")
        time.sleep(0.2)
    assert status.read_text().strip() == "0"
    assert "Traceback" not in terminal.screen()
