"""End to end: a person runs ``chatui demo`` in a real terminal and chats.

The real command runs in a detached tmux session; the test reads the screen with
``capture-pane`` and types with ``send-keys``, exactly what a person sees and does.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import require

pytestmark = pytest.mark.e2e

TIMEOUT = 60.0  # seconds for each wait: only a hang reaches it; the happy path takes a few


class Terminal:
    """One tmux server (its own socket) with one 160x45 window."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "demo")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "demo", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "demo", "-l", text)

    def wait_for(self, check: Callable[[str], bool], what: str) -> str:
        deadline = time.monotonic() + TIMEOUT
        while True:
            screen = self.screen()
            if check(screen):
                return screen
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}; the screen shows:\n{screen}")
            time.sleep(0.2)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    require(shutil.which("tmux") is not None, "tmux")
    term = Terminal(f"chatui-e2e-{uuid.uuid4().hex[:10]}")
    try:
        yield term
    finally:
        subprocess.run(["tmux", "-L", term.socket, "kill-server"], capture_output=True)


def test_demo_contact_answers_with_a_quote_on_screen(terminal: Terminal, tmp_path: Path):
    status = tmp_path / "exit-status"
    command = [sys.executable, "-m", "chatui", "--config-dir", str(tmp_path / "profile"), "demo"]
    # The exit status goes to a file, so the test can tell the app really ended.
    shell = f"{shlex.join(command)}; echo $? > {shlex.quote(str(status))}; sleep 60"
    env = {k: v for k, v in os.environ.items() if k not in ("CHATUI_CONFIG_DIR", "NO_COLOR")}
    tmux = ["tmux", "-L", terminal.socket, "new-session", "-d", "-s", "demo"]
    subprocess.run(
        [*tmux, "-x", "160", "-y", "45", "sh", "-c", shell],
        check=True,
        env=env,
        timeout=10,
    )

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
