"""A fixed world for the snapshot tests: one live reference server, seeded so that
every run draws exactly the same screen.

A snapshot compares every character and color of the screen, so whatever varies
from run to run must not be on it:

* **Times.** Messages are written straight into the server's database with fixed
  timestamps in January 2024 (far enough back that no "Today"/"Yesterday" label can
  ever appear), and the tests run with ``TZ=UTC`` (:func:`utc`) so the clock in
  message headers is the same on every machine. The theme notice is stamped by the
  server with "now, or the thread's last message if later"; :func:`seed` pins the
  server's clock to before the last message while sharing the theme, so the notice
  gets that message's time. Everything else is the real server code.
* **The port.** The thread header names the account's network ("as ana on
  Riverside": a fixed name, so no port shows); the server still listens on
  a fixed port,
  :data:`SNAPSHOT_PORT`, below Linux's ephemeral range (32768-60999): the other
  tests' servers (``port=0``) are never given it. If something else holds it, the
  tests skip locally and fail under CI (``tests.support.require``).
* **Names and content.** Fixed usernames, titles and bodies; reactions are added
  through the server's own reaction code, in a fixed order.

The app is the real ``ChatApp`` over a real ``Session`` and ``LocalBackend``
talking HTTP and SSE to that server; nothing below the screen is faked.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

from chatui.backends.local import LocalBackend
from chatui.core.models import AccountConfig, ThreadKey
from chatui.core.themes import load_themes
from chatui.server import db as server_db
from chatui.server.runner import ServerThread
from chatui.session.session import LinkedAccount, Session
from tests.conftest import TEST_SCRYPT_N
from tests.support import require

SNAPSHOT_PORT = 29517
"""The server's port: shown in the thread header, so it must not change."""

ME = "ana"
ACCOUNT_ID = "home"
PICNIC_TITLE = "Saturday picnic 🧺"


def at(day: int, hour: int, minute: int) -> int:
    """UTC epoch ms of ``day`` January 2024, ``hour``:``minute``."""
    return int(datetime(2024, 1, day, hour, minute, tzinfo=UTC).timestamp() * 1000)


@dataclass(frozen=True, slots=True)
class SnapshotWorld:
    server: ServerThread
    account: AccountConfig
    token: str
    picnic_id: str

    @property
    def picnic_key(self) -> ThreadKey:
        return (ACCOUNT_ID, self.picnic_id)

    def session(self) -> Session:
        """A fresh Session of ``ana`` on the server (no store, no keyring)."""
        return Session([LinkedAccount(self.account, LocalBackend(self.account), self.token)])


@contextmanager
def utc() -> Iterator[None]:
    """Run with the local time zone set to UTC (and put the old one back)."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


def seed(server: ServerThread, theme_name: str | None) -> tuple[str, str]:
    """Fill ``server``; returns ``(ana's token, the picnic thread's id)``.

    Two threads: a group with reactions (one of them ana's own, drawn differently)
    and, when ``theme_name`` is given, that shared chat theme and its notice; and an
    older direct conversation, so that the list has more than one row.
    """
    db = server.database
    token = db.create_user(ME, "pw-ana-snapshot")["token"]
    for name in ("ben", "cleo"):
        db.create_user(name, f"pw-{name}-snapshot")
    ana, ben, cleo = db.caller(ME), db.caller("ben"), db.caller("cleo")

    dm = db.new_thread(ana, ["ben"], None, ts=at(2, 18, 0))["thread_id"]
    db.add_message(dm, "ben", "Thanks for the book! Loved the ending 📚", ts=at(2, 18, 5))
    last_dm = db.add_message(dm, ME, "Told you so 😄", ts=at(2, 18, 9))
    db.mark_read(ana, dm, last_dm["message_id"])

    picnic = db.new_thread(ana, ["ben", "cleo"], PICNIC_TITLE, ts=at(5, 9, 55))["thread_id"]
    lines = (
        ("ben", "Picnic at the lake on Saturday?", at(5, 10, 2)),
        ("cleo", "Yes! I'll bring lemonade 🍋", at(5, 10, 4)),
        (ME, "I'll bring the big blanket", at(5, 10, 5)),
        ("ben", "Perfect. Noon at the north gate?", at(6, 9, 30)),
        (ME, "See you there 👍", at(6, 9, 41)),
    )
    ids = [db.add_message(picnic, who, body, ts=ts)["message_id"] for who, body, ts in lines]
    db.react(ana, picnic, ids[1], "❤️")
    db.react(ben, picnic, ids[1], "❤️")
    db.react(cleo, picnic, ids[3], "🎉")
    db.react(ben, picnic, ids[4], "👍")
    db.react(cleo, picnic, ids[4], "👍")
    if theme_name is not None:
        theme = load_themes(None).themes[theme_name]
        # The notice is stamped max(now, last message): with "now" pinned to the
        # epoch it gets the last message's time, the same on every run.
        with mock.patch.object(server_db, "now_ms", lambda: 0):
            db.set_theme(cleo, picnic, theme.to_wire())
    db.mark_read(ana, picnic, ids[-1])
    return token, picnic


@contextmanager
def snapshot_world(tmp_path: Path, theme_name: str | None) -> Iterator[SnapshotWorld]:
    """The seeded server on :data:`SNAPSHOT_PORT`, stopped on the way out."""
    server = ServerThread(tmp_path / "snapshot.db", port=SNAPSHOT_PORT, scrypt_n=TEST_SCRYPT_N)
    try:
        server.start()
    except OSError as err:
        require(False, f"the snapshot port {SNAPSHOT_PORT} ({err})")
    try:
        token, picnic = seed(server, theme_name)
        account = AccountConfig(
            account_id=ACCOUNT_ID,
            kind="local",
            server=server.url,
            username=ME,
            label="H",
            color="#5fafff",
            token_store="file",
            network="Riverside",
        )
        yield SnapshotWorld(server, account, token, picnic)
    finally:
        server.stop()
