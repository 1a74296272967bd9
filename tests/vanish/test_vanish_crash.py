"""Timers survive ``kill -9``: bob's client draws a vanishing message, is
killed, and the next start purges it before anything is drawn — from the screen's
data and from the disk — and pays what the killed run owed the server.

The timer is long: alice's copy counts from the server's acceptance,
and bob must be killed before his own deadline, so that the text is provably on
his disk when the next start purges it (the check that can fail). The wait for
the deadline is a wait on the clock against the stored deadline, not a sleep; a
line from the child is read with a deadline, so a child that hangs fails the test
instead of hanging it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from chatui.core.models import VanishSetting
from chatui.server.runner import ServerThread
from chatui.session.session import Session
from chatui.storage.store import Store
from tests.session.helpers import linked, until
from tests.vanish.helpers import bodies, on_disk, pair

TIMER = 15  # seconds; bob is killed right after drawing, long before this runs out
LINE_WAIT = 60.0

# Bob's client in a process of its own: opens the thread, says READY, waits for the
# message, draws it (messages_seen), reports its id, and waits to be killed.
CLIENT = r"""
import asyncio, sys
from chatui.session.session import Session
from chatui.core.models import ConnectionState, Credentials
from chatui.storage.store import Store
from tests.session.helpers import linked, until

url, user, token, thread_id, store_path, body = sys.argv[1:7]

async def main():
    creds = Credentials(user_id=user, username=user, token=token)
    session = Session([linked(url, creds)], store=Store(store_path))
    await session.start()
    await until(lambda: session.states["home"][0] is ConnectionState.CONNECTED, "live")
    key = ("home", thread_id)
    await session.open_thread(key)
    print("READY", flush=True)
    await until(lambda: any(m.body == body for m in session.messages(key)), "the message")
    message = next(m for m in session.messages(key) if m.body == body)
    session.messages_seen(key, [message.message_id])
    print("SEEN", message.message_id, flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


async def _run_bob_until_seen(p, setting: VanishSetting, body: str) -> tuple[subprocess.Popen, str]:
    """Bob's process, live before alice sends: he receives it at once (a sender's
    timer starts at acceptance, so a late reader could find it deleted already)."""
    root = Path(__file__).resolve().parents[2]
    args = [p.server.url, "bob", p.bob_creds.token, p.thread_id, str(p.tmp / "bob.sqlite3"), body]
    proc = subprocess.Popen(
        [sys.executable, "-c", CLIENT, *args],
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    try:
        assert (await _line(proc)) == ["READY"]
        await p.alice.set_vanish(p.key, setting)
        await p.alice.send(p.key, body)
        line = await _line(proc)
    except BaseException:
        proc.kill()
        proc.wait(timeout=10)
        raise
    assert line and line[0] == "SEEN", line
    return proc, line[1]


async def _line(proc: subprocess.Popen) -> list[str]:
    """The child's next line, split; fails (instead of hanging) if none comes."""
    assert proc.stdout is not None
    try:
        line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), LINE_WAIT)
    except TimeoutError:
        proc.kill()  # ends the blocked readline too (EOF)
        raise AssertionError(f"bob's process said nothing for {LINE_WAIT} s") from None
    return line.split()


def _kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    if proc.stdout is not None:
        proc.stdout.close()


def _deadline(store_path: Path, message_id: str) -> int:
    """bob's stored deadline for the message, as the killed run left it."""
    conn = sqlite3.connect(store_path)
    try:
        (expire_at,) = conn.execute(
            "SELECT expire_at FROM messages WHERE message_id = ?", (message_id,)
        ).fetchone()
    finally:
        conn.close()
    return int(expire_at)


async def _clock_passes(ms: int) -> None:
    await until(lambda: time.time() * 1000 > ms + 100, "the deadline to pass", TIMER + 30)


async def test_a_killed_client_purges_expired_timers_before_drawing(
    server: ServerThread, tmp_path: Path
) -> None:
    async with pair(server, tmp_path) as p:
        await p.bob.stop()  # bob runs in his own process below
        timer = VanishSetting("timer", TIMER)
        proc, message_id = await _run_bob_until_seen(p, timer, "killed-token-5e11")
        _kill(proc)
        store_path = tmp_path / "bob.sqlite3"
        assert on_disk(store_path, "killed-token-5e11")  # the check can fail
        # bob's timer runs out while nothing is running.
        await _clock_passes(_deadline(store_path, message_id))

        bob = Session([linked(p.server.url, p.bob_creds)], store=Store(tmp_path / "bob.sqlite3"))
        bob.load_cached()  # what the app does before its first frame
        assert "killed-token-5e11" not in bodies(bob.messages(p.key))
        thread = bob.inbox.get(p.key)
        assert thread.last_message is None or thread.last_message.message_id != message_id
        assert on_disk(tmp_path / "bob.sqlite3", "killed-token-5e11") == []
        await bob.stop()


async def test_a_killed_client_in_vanish_mode_counts_as_closing_the_chat(
    server: ServerThread, tmp_path: Path
) -> None:
    async with pair(server, tmp_path) as p:
        await p.bob.stop()
        vanish = VanishSetting("vanish")
        proc, message_id = await _run_bob_until_seen(p, vanish, "closed-by-crash-77aa")
        _kill(proc)
        assert on_disk(tmp_path / "bob.sqlite3", "closed-by-crash-77aa")  # can fail

        bob = Session([linked(p.server.url, p.bob_creds)], store=Store(tmp_path / "bob.sqlite3"))
        bob.load_cached()
        assert "closed-by-crash-77aa" not in bodies(bob.messages(p.key))
        assert on_disk(tmp_path / "bob.sqlite3", "closed-by-crash-77aa") == []
        # The read marker the killed run owed is paid on start: alice's copy goes.
        await bob.start()
        await until(lambda: p.alice.store.message(p.key, message_id) is None, "alice's copy")
        await bob.stop()
