"""Run a program in a real pseudo-terminal and see both what it writes and what shows.

Two channels, because a terminal-injection test needs both:

* ``output``: every byte the program wrote to its terminal, collected by a reader
  thread. An escape sequence smuggled in a message would be in these bytes even if
  it changed nothing visible on this particular emulator.
* ``screen()``: what a VT100-style terminal shows after those bytes, emulated by
  pyte, so a test can check that a message is visible (in its safe form).

Whole frames only: the emulated terminal answers the program's query for
synchronized output (DEC mode 2026, as kitty, WezTerm, foot and others do), so
Textual brackets every frame between ``CSI ? 2026 h`` and ``CSI ? 2026 l``, and
``screen()`` shows a frame only once its closing bracket has arrived, as such a
terminal does. Without this a reader on a busy machine sees half of one frame
over the rest of the previous one.
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

SYNC_QUERY = b"\x1b[?2026$p"  # DECRQM: "do you support synchronized output?"
SYNC_REPLY = b"\x1b[?2026;2$y"  # DECRPM: "supported, currently off"
SYNC_START = b"\x1b[?2026h"
SYNC_END = b"\x1b[?2026l"


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
        synchronized_output: bool = True,
    ) -> None:
        self.columns, self.rows = columns, rows
        self._answer_sync = synchronized_output
        self._write_lock = threading.Lock()
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
                # The query may straddle two reads: look at its length back as well.
                asked = SYNC_QUERY in self._output[-len(chunk) - len(SYNC_QUERY) :]
                self._output += chunk
            if asked and self._answer_sync:
                with contextlib.suppress(OSError):  # closed under us: nobody to answer
                    self._write(SYNC_REPLY)

    def _write(self, data: bytes) -> None:
        with self._write_lock:  # the reader thread answers queries while a test types
            os.write(self._master, data)

    @property
    def output(self) -> bytes:
        with self._lock:
            return bytes(self._output)

    @property
    def synchronized(self) -> bool:
        """Whether the program has bracketed a frame (so reads never see half of one)."""
        with self._lock:
            return SYNC_END in self._output

    def _complete(self) -> int:
        """How far the output may be shown: up to an unclosed frame, or to a
        possibly cut-off frame opener at the very end."""
        output = self._output
        opened = output.rfind(SYNC_START, self._fed)
        if opened != -1 and output.find(SYNC_END, opened) == -1:
            return opened
        for size in range(len(SYNC_START) - 1, 0, -1):
            if output.endswith(SYNC_START[:size]):
                return len(output) - size
        return len(output)

    def screen(self, first_column: int = 0, stop_column: int | None = None) -> list[str]:
        """The emulated screen now (its last whole frame), one string per row.

        ``first_column``/``stop_column`` cut out a region by terminal columns (a
        wide character's right half is an empty cell, so string indexes would not).
        """
        with self._lock:
            end = self._complete()
            new = bytes(self._output[self._fed : end])
            self._fed = end
        if new:
            self._stream.feed(new)
        # Not pyte's own ``display``: it fails on the empty right half of a wide
        # character that something narrower has half overwritten.
        buffer = self._screen.buffer
        columns = range(first_column, self.columns if stop_column is None else stop_column)
        return ["".join(buffer[y][x].data for x in columns) for y in range(self.rows)]

    def screen_text(self) -> str:
        return "\n".join(self.screen())

    # --- driving ------------------------------------------------------------------------

    def press(self, *keys: str) -> None:
        for key in keys:
            self._write(KEYS[key])

    def type(self, text: str) -> None:
        self._write(text.encode())

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_for(self, check: Callable[[str], bool], what: str, timeout: float = 60.0) -> str:
        """Poll the screen until ``check(screen_text)``; AssertionError naming ``what``.

        The deadline is generous on purpose: it only bounds a failure, and a busy
        machine can starve the program for seconds.
        """
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

    def wait_exit(self, timeout: float = 60.0) -> int:
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
