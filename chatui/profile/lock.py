"""One running app per profile: an advisory lock on a file in the data folder.

Two apps on one profile would each keep their own idea of the store (a message
sent in one never shows in the other) while both write the same database. So the
app holds ``<data dir>/chatui.lock`` for as long as it runs, and a second start
is refused with the holder's process id.

Why ``flock`` on an open file, not "a file exists": the kernel lets go of the lock
when the holding process ends in any way — a crash, ``kill -9``, a power cut's
reboot — so a dead app can never leave the profile stuck. The file's text (the
holder's pid and when it started) is only there to tell the user who holds it; it
proves nothing by itself. Read-only commands (``account list``) do not take the
lock and keep working beside a running app.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path
from typing import IO

LOCK_NAME = "chatui.lock"
"""The app's lock, in the profile's data folder."""

DEMO_LOCK_NAME = "demo.lock"
"""The demo's, beside (not inside) its folder: ``chatui demo --reset`` deletes that."""


class ProfileInUse(RuntimeError):
    """Another process holds the profile; the message says which, and what to do."""


class ProfileLock:
    """Held from :meth:`acquire` until :meth:`release` or the process ends."""

    def __init__(self, path: Path, what: str = "This profile") -> None:
        self.path = path
        self.what = what
        self._file: IO[str] | None = None

    def acquire(self) -> ProfileLock:
        """Take the lock, or raise :class:`ProfileInUse` naming the holder."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # "a+": never truncate before the lock is ours — the holder's pid is in there.
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (held while running)
        try:
            _lock(handle)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            raise ProfileInUse(self._in_use_message(holder)) from None
        handle.seek(0)
        handle.truncate()
        started = time.strftime("%Y-%m-%d %H:%M:%S")
        handle.write(f"pid {os.getpid()}, started {started}\n")
        handle.flush()
        self._file = handle
        return self

    def release(self) -> None:
        handle, self._file = self._file, None
        if handle is not None:
            # The file stays: removing it would race a second start that has it open.
            with contextlib.suppress(OSError):
                handle.seek(0)
                handle.truncate()
            handle.close()  # closing the descriptor lets go of the lock

    def __enter__(self) -> ProfileLock:
        return self.acquire()

    def __exit__(self, *_exc: object) -> None:
        self.release()

    def _in_use_message(self, holder: str) -> str:
        who = f"another chatui ({holder})" if holder else "another chatui"
        return (
            f"{self.what} is already open in {who}. Close that one first (Ctrl+Q), "
            f"or use --config-dir DIR for a separate profile. (Lock file: {self.path})"
        )


if sys.platform == "win32":  # pragma: no cover - chatui is tested on Linux

    def _lock(handle: IO[str]) -> None:
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

else:

    def _lock(handle: IO[str]) -> None:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
