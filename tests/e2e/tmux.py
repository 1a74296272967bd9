"""A real terminal for end-to-end tests: a detached tmux server of the test's own.

The ``terminal`` fixture (tests/e2e/conftest.py) gives one. The test starts the
real ``chatui`` in it, types with ``send-keys`` and reads the screen with
``capture-pane``: exactly what a person sees and does, drawn by a terminal with
its own idea of how wide each character is (tmux's, from glibc's ``wcwidth()``),
which is the point of some tests.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

TIMEOUT = 60.0  # seconds for each wait: only a hang reaches it; the happy path takes a few


class Terminal:
    """One tmux server (its own socket) with one window, "demo"."""

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

    def start(
        self, command: Sequence[str], *, columns: int, rows: int, status: Path | None = None
    ) -> None:
        """Run ``command`` in the window; its exit status goes to ``status``, so a
        test can tell the app really ended (the window stays open meanwhile)."""
        shell = shlex.join(command)
        if status is not None:
            shell += f"; echo $? > {shlex.quote(str(status))}"
        env = {k: v for k, v in os.environ.items() if k not in ("CHATUI_CONFIG_DIR", "NO_COLOR")}
        subprocess.run(
            [
                *("tmux", "-L", self.socket, "new-session", "-d", "-s", "demo"),
                *("-x", str(columns), "-y", str(rows), "sh", "-c", f"{shell}; sleep 60"),
            ],
            check=True,
            env=env,
            timeout=10,
        )

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "demo")

    def lines(self) -> list[str]:
        """The screen's lines with their trailing blanks: each as many cells as the
        window is wide, as tmux counts cells."""
        return self.tmux("capture-pane", "-p", "-N", "-t", "demo").split("\n")[:-1]

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


def chatui_demo(profile: Path) -> list[str]:
    """The command line of the real demo with its own profile."""
    return [sys.executable, "-m", "chatui", "--config-dir", str(profile), "demo"]
