"""No byte of a vanished message stays in bob's profile, end to end.

The real ``chatui`` on a pty against a live reference server (tests.vanish.disk).
Each test first shows the text *is* on disk (the check can fail), then takes one
way out — seen and closed, a timer running out while chatui runs, the purge at
start-up — and greps the raw bytes of every file under bob's profile while the
app still runs and again after it exits.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from chatui.server.runner import ServerThread
from tests.vanish.disk import (
    bobs_app,
    countdown,
    files_with,
    live,
    make_room,
    quit_app,
    right_pane,
    wait_until,
)

pytestmark = pytest.mark.e2e


def _token(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:12]}"


def test_a_seen_vanish_message_leaves_no_byte_after_quit_and_restart(
    server: ServerThread, tmp_path: Path
) -> None:
    """The issue's scenario: seen, Ctrl+Q, start again, open the thread."""
    room = make_room(server, tmp_path)
    room.set_vanish({"mode": "vanish"})
    token = _token("seen-closed")
    room.say(token)

    with bobs_app(room) as app:
        live(app, token)  # the list's preview shows it
        assert files_with(room.profile, token) != []  # the check can fail
        app.press("enter")
        app.wait_for(lambda s: token in right_pane(s), "the message in the conversation")
        # Drawn counts as seen: it is now marked to go when the chat closes (read
        # from the store as another program would; the screen does not show it).
        wait_until(lambda: room.expiries() == [0], "the message marked seen")
        quit_app(app)
    assert files_with(room.profile, token) == []

    # alice's client is not running: the server still has her message, and
    # names it as the thread's newest in the list bob fetches on start.
    assert token in room.server_bodies()
    with bobs_app(room) as again:
        live(again)
        assert files_with(room.profile, token) == []
        again.press("enter")
        again.wait_for(
            lambda s: "alice turned on vanish mode" in right_pane(s), "the conversation open"
        )
        assert files_with(room.profile, token) == []
        assert again.alive()
        quit_app(again)
        # Never drawn in this run: not in one byte written to the terminal.
        assert token.encode() not in again.output
    assert files_with(room.profile, token) == []


def test_a_timer_running_out_while_chatui_runs_leaves_no_byte(
    server: ServerThread, tmp_path: Path
) -> None:
    room = make_room(server, tmp_path)
    room.set_vanish({"mode": "timer", "seconds": 5})
    token = _token("timer-running")
    room.say(token)

    with bobs_app(room) as app:
        live(app, token)
        # Received, not yet seen (bob's clock starts when it is drawn): on disk.
        assert files_with(room.profile, token) != []
        app.press("enter")
        app.wait_for(lambda s: token in right_pane(s), "the message in the conversation")
        app.wait_for(lambda s: token not in s, "the message to vanish from the screen")
        assert files_with(room.profile, token) == []  # while chatui still runs
        assert app.alive()
        quit_app(app)
    assert files_with(room.profile, token) == []


def test_the_purge_at_start_leaves_no_byte_and_draws_nothing(
    server: ServerThread, tmp_path: Path
) -> None:
    """Seen, quit before the deadline, started again after it: the start-up purge."""
    seconds = 20  # bob must quit well before this, even on a busy machine
    room = make_room(server, tmp_path)
    room.set_vanish({"mode": "timer", "seconds": seconds})
    token = _token("start-purge")
    room.say(token)

    with bobs_app(room) as app:
        live(app, token)
        app.press("enter")
        app.wait_for(lambda s: token in right_pane(s), "the message in the conversation")
        # Its badge counts down: bob's clock runs.
        app.wait_for(lambda s: any(n < seconds for n in countdown(s)), "the countdown")
        quit_app(app)
    (deadline,) = room.expiries()
    assert files_with(room.profile, token) == ["data/store.sqlite3"]  # the check can fail

    wait_until(lambda: time.time() * 1000 > deadline + 100, "bob's deadline", seconds + 30)
    with bobs_app(room) as again:
        live(again)
        assert files_with(room.profile, token) == []
        assert room.expiries() == []
        quit_app(again)
        # Purged before the first frame: never written to the terminal.
        assert token.encode() not in again.output
    assert files_with(room.profile, token) == []
