"""Folding the store's WAL into its database file after an erasure — until it is done.

Why this exists: in WAL mode a deleted row's old page stays in the ``-wal`` file,
text included, until a checkpoint copies the WAL back and truncates it
(``secure_delete`` only zeroes the database file's copy). ``PRAGMA
wal_checkpoint(TRUNCATE)`` answers ``(busy, log, checkpointed)``; ``busy`` is 1
when another connection — a reader holding a transaction (a backup, ``sqlite3``
in a terminal, a second program reading the profile) — kept it from finishing,
and then the WAL is left as it was. Erasures that gave up there silently once left
a vanished message in ``store.sqlite3-wal`` while chatui ran.

So a checkpoint is tried at once and, while it cannot finish, again by a
background thread with growing pauses (50 ms doubling to 2 s), for as long as
the store is open. Attempts never wait inside SQLite's busy handler: they hold
the store's lock, and the UI loop must not freeze for someone else's reader;
the pauses between attempts are the waiting. A warning is logged once the text
has waited :attr:`Checkpointer.warn_after` seconds, a line when it is done at
last, and an error if the store closes before it could be done.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


class Checkpointer:
    """Runs ``wal_checkpoint(TRUNCATE)`` on one connection until one completes.

    ``lock`` is the store's lock: every attempt holds it, so an attempt never runs
    in the middle of a store transaction (those hold it from BEGIN to COMMIT).
    """

    first_pause = 0.05
    max_pause = 2.0
    warn_after = 10.0
    """Seconds of failed attempts before the log says the text is still in the WAL."""
    close_wait = 2.0
    """How long closing the store keeps trying before it logs that it could not."""

    def __init__(
        self,
        db: sqlite3.Connection,
        lock: threading.RLock,
        path: Path,
        *,
        busy_timeout_ms: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = db
        self._lock = lock
        self._path = path
        self._busy_timeout_ms = busy_timeout_ms  # the connection's own, restored after
        self._clock = clock
        self._owed_since: float | None = None
        self._last_answer = ""
        self._warned = False
        self._closed = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.attempts = 0
        """Checkpoints tried so far (the tests watch it grow)."""

    @property
    def owed(self) -> bool:
        """A checkpoint was asked for and has not completed yet."""
        return self._owed_since is not None

    def run(self) -> bool:
        """Checkpoint now (outside any transaction); True if it completed.

        If it did not, retrying starts in the background; the caller goes on.
        """
        with self._lock:
            if self._closed:
                return False
            if self._attempt():
                self._done()
                return True
            if self._owed_since is None:
                self._owed_since = self._clock()
            if self._thread is None:
                self._stop.clear()
                self._thread = threading.Thread(
                    target=self._retry, name="store-checkpoint", daemon=True
                )
                self._thread.start()
            return False

    def close(self) -> bool:
        """Stop retrying, after a last try of up to :attr:`close_wait` seconds.

        True if nothing is owed any more. Call before closing the connection.
        """
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join()
        with self._lock:
            self._closed = True
            if self._owed_since is None:
                return True
            deadline = self._clock() + self.close_wait
            pause = self.first_pause
            while not self._attempt():
                if self._clock() >= deadline:
                    log.error(
                        "%s: closing with erased text possibly still in its -wal file: "
                        "another connection kept the checkpoint from finishing for %.0f s "
                        "(last answer: %s). SQLite folds the WAL in when the last "
                        "connection closes.",
                        self._path,
                        self._clock() - self._owed_since,
                        self._last_answer,
                    )
                    return False
                time.sleep(pause)
                pause = min(pause * 2, self.max_pause)
            self._done()
            return True

    # --- inside ---------------------------------------------------------------------------

    def _attempt(self) -> bool:
        """One checkpoint that waits for nobody (the caller holds the lock)."""
        self.attempts += 1
        try:
            self._db.execute("PRAGMA busy_timeout = 0")
            try:
                busy, frames, copied = self._db.execute(
                    "PRAGMA wal_checkpoint(TRUNCATE)"
                ).fetchone()
            finally:
                self._db.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
        except sqlite3.OperationalError as err:
            # "database table is locked": a statement of ours is still reading (a
            # cursor another thread has not finished). Not done; tried again.
            self._last_answer = str(err)
            return False
        self._last_answer = f"busy={busy}, frames={frames}, copied={copied}"
        return busy == 0

    def _done(self) -> None:
        if self._warned:
            log.warning(
                "%s: the checkpoint completed after %d attempts: erased text is gone "
                "from the -wal file now",
                self._path,
                self.attempts,
            )
        self._owed_since = None
        self._warned = False

    def _retry(self) -> None:
        pause = self.first_pause
        while not self._stop.wait(pause):
            pause = min(pause * 2, self.max_pause)
            with self._lock:
                if self._closed or self._owed_since is None:
                    self._thread = None
                    return
                if self._attempt():
                    self._done()
                    self._thread = None
                    return
                waited = self._clock() - self._owed_since
                if not self._warned and waited >= self.warn_after:
                    self._warned = True
                    log.warning(
                        "%s: erased text is still in its -wal file after %.0f s: another "
                        "connection keeps the checkpoint from finishing (%s); still trying",
                        self._path,
                        waited,
                        self._last_answer,
                    )
