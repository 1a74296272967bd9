"""Bob's real chatui on a pseudo-terminal, and what his profile holds on disk.

For the erasure tests: the reference server is live over loopback,
alice talks to it over plain HTTP (so no client of hers runs a timer of its own),
and bob runs the real ``chatui`` command in a pty. The test reads bob's screen and
greps the raw bytes of every file under his profile — database, ``-wal``,
``-shm``, the order snapshot inside the database, token file, config, any log —
while the app runs and after it exits.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from chatui.core.models import AccountConfig
from chatui.profile.config import save_accounts
from chatui.profile.folders import Profile
from chatui.profile.tokens import store_token
from chatui.server.runner import ServerThread
from tests.conftest import make_user
from tests.support import app_env, chatui_on_pty

if TYPE_CHECKING:
    from tests.hostile.terminal import TerminalProcess

WAIT = 60.0  # seconds for any one condition; the happy path takes a few


def files_with(root: Path, text: str) -> list[str]:
    """Every file under ``root`` whose raw bytes contain ``text`` (relative paths)."""
    needle = text.encode("utf-8")
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and needle in path.read_bytes()
    )


def wait_until(condition: Callable[[], object], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def right_pane(screen: str) -> str:
    """The conversation side of the screen (right of the list's border)."""
    return "\n".join(line.split("│", 1)[1] if "│" in line else "" for line in screen.splitlines())


def countdown(screen: str) -> list[int]:
    """The seconds shown by running vanish badges ("⏳ 17s")."""
    return [int(s) for s in re.findall(r"⏳\s*(\d+)s\b", screen)]


@dataclass
class Room:
    """The server, alice's token and the thread she shares with bob."""

    server: ServerThread
    alice_token: str
    thread_id: str
    profile: Path  # bob's --config-dir

    def _call(self, method: str, path: str, **kw: object) -> httpx.Response:
        response = httpx.request(
            method,
            f"{self.server.url}/v1/threads/{self.thread_id}{path}",
            headers={"Authorization": f"Bearer {self.alice_token}"},
            timeout=30,
            **kw,  # type: ignore[arg-type]
        )
        response.raise_for_status()
        return response

    def set_vanish(self, setting: dict[str, object]) -> None:
        self._call("PUT", "/vanish", json=setting)

    def say(self, body: str) -> None:
        self._call("PUT", f"/messages/{uuid.uuid4().hex}", json={"body": body})

    def server_bodies(self) -> list[str]:
        return [m["body"] for m in self._call("GET", "/messages").json()["messages"]]

    @property
    def store(self) -> Path:
        return self.profile / "data" / "store.sqlite3"

    def expiries(self) -> list[int]:
        """bob's stored vanish deadlines, read as another program would (read-only)."""
        if not self.store.exists():
            return []
        conn = sqlite3.connect(f"file:{self.store}?mode=ro", uri=True, timeout=10)
        try:
            rows = conn.execute("SELECT expire_at FROM messages WHERE expire_at IS NOT NULL")
            return [at for (at,) in rows.fetchall()]
        except sqlite3.OperationalError:  # not created yet
            return []
        finally:
            conn.close()


def make_room(server: ServerThread, tmp_path: Path, title: str = "Secrets") -> Room:
    """alice and bob on ``server``, a thread ``title``, bob's profile with a token file.

    Also what tests/e2e/test_burst_pty.py starts bob's app on.
    """
    alice = make_user(server, "alice")
    bob = make_user(server, "bob")
    thread = httpx.post(
        f"{server.url}/v1/threads",
        json={"members": ["bob"], "title": title},
        headers={"Authorization": f"Bearer {alice.token}"},
        timeout=30,
    ).json()
    profile = Profile.resolve(str(tmp_path / "bob"))
    account = AccountConfig(
        account_id="local-bob",
        kind="local",
        server=server.url,
        username="bob",
        label="B",
        color="#5fafff",
        token_store="file",
    )
    store_token(profile, account, bob.token)
    save_accounts(profile, [account])
    return Room(server, alice.token, thread["thread_id"], profile.config_dir)


@contextlib.contextmanager
def bobs_app(room: Room) -> Iterator[TerminalProcess]:
    """bob's ``chatui`` on a 120x40 pty, killed if the test leaves it running."""
    app = chatui_on_pty(room.profile, env=app_env())
    try:
        yield app
    finally:
        app.close()


def live(app: TerminalProcess, *also: str) -> str:
    """Wait for bob's list with the thread, connected (its list was fetched)."""
    return app.wait_for(
        lambda s: "Secrets" in s and "connected" in s and all(t in s for t in also),
        "bob's list, connected",
        WAIT,
    )


def quit_app(app: TerminalProcess) -> None:
    app.press("ctrl+q")
    assert app.wait_exit(WAIT) == 0
