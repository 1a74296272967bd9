"""Run a program in a real pseudo-terminal and see both what it writes and what shows.

Two channels, because a terminal-injection test needs both:

* ``output``: every byte the program wrote to its terminal, collected by a reader
  thread. An escape sequence smuggled in a message would be in these bytes even if
  it changed nothing visible on this particular emulator.
* ``screen()``: what a VT100-style terminal shows after those bytes, emulated by
  pyte, so a test can check that a message is visible (in its safe form).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import struct
import subprocess
import termios
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence

import pyte

KEYS = {
    "enter": b"\r",
    "escape": b"\x1b",
    "tab": b"\t",
    "shift+tab": b"\x1b[Z",
    "pageup": b"\x1b[5~",
    "pagedown": b"\x1b[6~",
    "home": b"\x1b[H",
    "end": b"\x1b[F",
    "up": b"\x1b[A",
    "down": b"\x1b[B",
    "ctrl+q": b"\x11",
}


def plain(text: str) -> str:
    """``text`` without combining marks and format characters.

    pyte and Rich disagree about where zero-width characters go (pyte attaches
    them to a cell and may compose them with it, Rich counts them in a segment);
    comparing decomposed text without them keeps a visibility check about the
    characters a person actually sees.
    """
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) not in ("Mn", "Me", "Cf"))


class TerminalProcess:
    """A child process on its own pty of ``columns`` x ``rows``."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        columns: int = 120,
        rows: int = 40,
        cwd: str | None = None,
    ) -> None:
        self.columns, self.rows = columns, rows
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self._master = master
        self._lock = threading.Lock()
        self._output = bytearray()
        self._fed = 0
        self._screen = pyte.Screen(columns, rows)
        self._stream = pyte.ByteStream(self._screen)
        try:
            self.process = subprocess.Popen(
                list(argv),
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=dict(env),
                cwd=cwd,
                start_new_session=True,  # its own session: signals to us don't reach it
                close_fds=True,
            )
        finally:
            os.close(slave)
        self._reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self._reader.start()

    # --- the two channels ---------------------------------------------------------------

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self._master, 65536)
            except OSError:  # EIO: the child closed its end of the pty
                return
            if not chunk:
                return
            with self._lock:
                self._output += chunk

    @property
    def output(self) -> bytes:
        with self._lock:
            return bytes(self._output)

    def screen(self) -> list[str]:
        """The emulated screen now, one string per row."""
        with self._lock:
            new = bytes(self._output[self._fed :])
            self._fed = len(self._output)
        if new:
            self._stream.feed(new)
        # Not pyte's own ``display``: it fails on the empty right half of a wide
        # character that something narrower has half overwritten.
        buffer = self._screen.buffer
        return ["".join(buffer[y][x].data for x in range(self.columns)) for y in range(self.rows)]

    def screen_text(self) -> str:
        return "\n".join(self.screen())

    # --- driving ------------------------------------------------------------------------

    def press(self, *keys: str) -> None:
        for key in keys:
            os.write(self._master, KEYS[key])

    def type(self, text: str) -> None:
        os.write(self._master, text.encode())

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_for(self, check: Callable[[str], bool], what: str, timeout: float = 20.0) -> str:
        """Poll the screen until ``check(screen_text)``; AssertionError naming ``what``."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen_text()
            if check(text):
                return text
            if not self.alive():
                raise AssertionError(
                    f"the program exited ({self.process.returncode}) while waiting for "
                    f"{what}; the screen shows:\n{text}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; the screen shows:\n{text}")
            time.sleep(0.1)

    def wait_exit(self, timeout: float = 20.0) -> int:
        return self.process.wait(timeout)

    def close(self) -> None:
        """Kill the child if it still runs, and release the pty."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)
        self._reader.join(5)
        with contextlib.suppress(OSError):
            os.close(self._master)
