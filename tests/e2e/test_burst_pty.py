"""End to end: keys that reach the real ``chatui`` in one read are sent as typed.

A fast typist, a paste without bracketed-paste mode or a terminal that batches
input hands the app several lines in one read. The whole burst is written to the
app's pseudo-terminal with a single ``write``; the reference server (real, over
loopback) is then asked what arrived.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatui.server.runner import ServerThread
from tests.support import require
from tests.vanish.disk import bobs_app, make_room

pytestmark = pytest.mark.e2e

TIMEOUT = 60.0  # a bound on a hang, not a speed target: the happy path takes a second


def _bobs_messages(server: ServerThread, thread_id: str) -> list[str]:
    caller = server.database.caller("alice")
    return [m["body"] for m in server.database.history(caller, thread_id) if m["sender"] == "bob"]


@pytest.fixture
def bob_in_a_terminal(server: ServerThread, tmp_path: Path) -> Iterator[tuple[object, str]]:
    """bob's real ``chatui`` on a pty, his conversation with alice open."""
    require(hasattr(os, "openpty"), "a pseudo-terminal (os.openpty)")
    room = make_room(server, tmp_path, "Burst test")
    with bobs_app(room) as app:
        app.wait_for(lambda s: "Burst test" in s and "connected" in s, "the thread list", TIMEOUT)
        app.press("enter")
        app.wait_for(lambda s: "with alice" in s, "the conversation to open", TIMEOUT)
        yield app, room.thread_id


def _wait_for_server(app, server: ServerThread, thread_id: str, check, what: str) -> list[str]:
    """Poll the server's copy of the thread until ``check(bodies)``; fail naming ``what``."""
    found: list[str] = []

    def arrived(_screen: str) -> bool:
        nonlocal found
        found = _bobs_messages(server, thread_id)
        return bool(check(found))

    app.wait_for(arrived, what, TIMEOUT)
    return found


def test_three_lines_in_one_write_arrive_once_each_in_order(
    bob_in_a_terminal, server: ServerThread
) -> None:
    app, thread_id = bob_in_a_terminal
    app.type("a1\ra2\ra3\r")  # one write: the app reads the whole burst at once
    _wait_for_server(app, server, thread_id, lambda b: len(b) >= 3, "three messages")
    # A duplicate from a late retry would reach the server before anything typed
    # later (the outbox sends in order): wait for a later message, then judge.
    app.type("done\r")
    bodies = _wait_for_server(app, server, thread_id, lambda b: "done" in b, "the last message")
    assert bodies == ["a1", "a2", "a3", "done"]


def test_a_bracketed_paste_of_several_lines_is_sent_whole(
    bob_in_a_terminal, server: ServerThread
) -> None:
    app, thread_id = bob_in_a_terminal
    pasted = "first line\nsecond line\nthird line"
    os.write(app._master, b"\x1b[200~" + pasted.encode() + b"\x1b[201~")
    # Each line on a row of its own in the message box, which grew to hold them.
    app.wait_for(
        lambda s: all(line in s for line in pasted.split("\n")), "the whole paste", TIMEOUT
    )
    app.press("enter")
    bodies = _wait_for_server(app, server, thread_id, lambda b: b, "the pasted message")
    assert bodies == [pasted]


def test_editing_keys_in_a_burst_apply_where_they_were_typed(
    bob_in_a_terminal, server: ServerThread
) -> None:
    """Backspace and the arrows arriving in one read with the letters around them
    edit exactly where a slow typist's would (Textual ran them after the letters)."""
    app, thread_id = bob_in_a_terminal
    left, end = "\x1b[D", "\x1b[F"
    app.type(f"hel\x7fllo wrld{left * 3}o{end}!\r")
    bodies = _wait_for_server(app, server, thread_id, lambda b: b, "the edited message")
    assert bodies == ["hello world!"]
