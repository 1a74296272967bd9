"""The crash test: a process sends while the server is down, is killed
with SIGKILL, and after a restart with the server back every message arrives once."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import pytest

from chatui.session.session import Session
from chatui.storage.store import Store
from tests.session.helpers import Restartable, linked, lunch_for_bob, until

LINE_WAIT = 120.0  # seconds for the child to report a step: bounds a hang, times nothing


def _lines(stream: IO[str]) -> queue.Queue[str | None]:
    """The child's output lines, read by a daemon thread.

    A plain ``readline()`` on the pipe would block for good if the child hung
    without printing or exiting; a queue can be waited on with a deadline. None
    stands for the end of the output (the child exited).
    """
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line.strip())
        lines.put(None)

    threading.Thread(target=pump, name="crash-client-stdout", daemon=True).start()
    return lines


def _next_line(lines: queue.Queue[str | None], what: str) -> str:
    try:
        line = lines.get(timeout=LINE_WAIT)
    except queue.Empty:
        pytest.fail(f"the client never reported {what} within {LINE_WAIT:.0f} s")
    if line is None:
        pytest.fail(f"the client exited before it reported {what}")
    return line


# A Session with a store and the real local backend, in a process of its own: it
# connects, waits for "go" (the server is stopped by then), sends, reports once
# its sender has tried and failed at least once, and then waits to be killed.
CLIENT = r"""
import asyncio, sys
from chatui.session.session import Session
from chatui.core.models import ConnectionState
from chatui.storage.store import Store
from tests.session.helpers import linked, until
from chatui.core.models import Credentials

url, user, token, thread_id, store_path = sys.argv[1:6]

async def main():
    creds = Credentials(user_id=user, username=user, token=token)
    session = Session([linked(url, creds)], store=Store(store_path))
    session.outbox.backoff_base, session.outbox.backoff_cap = 0.02, 0.2
    await session.start()
    await until(lambda: session.states["home"][0] is ConnectionState.CONNECTED, "live")
    print("READY", flush=True)
    await asyncio.to_thread(sys.stdin.readline)
    echoes = [await session.send(("home", thread_id), f"crash {n}") for n in range(5)]
    first = echoes[0].txn_id
    await until(lambda: session.outbox.items[first].attempts >= 2, "failed attempts")
    print("SENT", flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


def test_killed_while_sending_offline_delivers_everything_once_after_restart(
    tmp_path: Path,
) -> None:
    srv = Restartable(tmp_path / "server.db")
    server = srv.start()
    bob, thread_id = lunch_for_bob(server)
    store_path = tmp_path / "store.sqlite3"
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-c", CLIENT, srv.url, "bob", bob.token, thread_id, str(store_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert proc.stdout is not None and proc.stdin is not None
    lines = _lines(proc.stdout)
    try:
        assert _next_line(lines, "being live") == "READY"
        srv.stop()
        proc.stdin.write("go\n")
        proc.stdin.flush()
        assert _next_line(lines, "its failed sends") == "SENT"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    server = srv.start()
    try:
        import asyncio

        async def restart() -> None:
            session = Session([linked(srv.url, bob)], store=Store(store_path))
            assert session.outbox is not None and len(session.outbox.items) == 5
            await session.start()
            await until(lambda: not session.outbox.items, "the outbox drained")
            await session.stop()

        asyncio.run(restart())
        db = server.database
        bodies = [m["body"] for m in db.history(db.caller("bob"), thread_id, None, 100)]
        assert bodies == [f"crash {n}" for n in range(5)]
    finally:
        srv.stop()


async def test_a_send_accepted_before_the_crash_is_not_sent_twice(tmp_path: Path) -> None:
    """Killed after the server accepted a message but before its row was cleared."""
    srv = Restartable(tmp_path / "server.db")
    server = srv.start()
    try:
        bob, thread_id = lunch_for_bob(server)
        store_path = tmp_path / "store.sqlite3"
        # Never started: the row is committed and nothing more happens, as if the
        # process died right after the server's answer was lost.
        first = Session([linked(srv.url, bob)], store=Store(store_path))
        echo = await first.send(("home", thread_id), "only once")
        first.store.close()
        server.database.add_message(thread_id, "bob", "only once", txn_id=echo.txn_id)

        second = Session([linked(srv.url, bob)], store=Store(store_path))
        await second.start()
        await until(lambda: not second.outbox.items, "the outbox drained")
        await second.stop()
        db = server.database
        bodies = [m["body"] for m in db.history(db.caller("bob"), thread_id, None, 100)]
        assert bodies == ["only once"]
    finally:
        srv.stop()
