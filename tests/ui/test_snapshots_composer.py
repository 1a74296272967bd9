"""Snapshot tests of the multi-line composer: a message of several lines being
written (the box grown to hold them, the cursor on the last), and the same
message sent, drawn line under line in the conversation (the same fixed world and
update command as test_snapshots.py; run under the snapshot lock, as those are).

The message is typed and sent with the keys a person uses (Alt+Enter, Enter); the
clocks (the server's and the app's) are pinned while it is sent, so the message's
time is the same on every run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from textual.pilot import Pilot

from chatui.server import db as server_db
from chatui.session import session as session_module
from chatui.ui.app import ChatApp
from chatui.ui.widgets.composer import Composer
from chatui.ui.widgets.message_view import MessageView
from chatui.ui.widgets.thread_list import ThreadListView
from tests.ui.conftest import rendered
from tests.ui.snapshot_world import ME, SnapshotWorld, at
from tests.ui.test_snapshots import _open_picnic, _wait, colors, in_utc  # noqa: F401
from tests.ui.test_snapshots_screens import _list_ready, _snapshot

pytestmark = pytest.mark.usefixtures("colors", "in_utc")

LINES = ("Packing list for Saturday:", "- the big blanket", "- plates and cups", "- the frisbee")
MESSAGE = "\n".join(LINES)


@contextmanager
def _clocks_at(ts: int) -> Iterator[None]:
    """Both clocks say ``ts``: the server stamps what it receives with it, and the
    app its local echo (the list row keeps the later of the two, so a server clock
    alone set back would leave the echo's time and "sending" there)."""
    with (
        mock.patch.object(server_db, "now_ms", lambda: ts),
        mock.patch.object(session_module, "now_ms", lambda: ts),
    ):
        yield


async def _compose(pilot: Pilot, world: SnapshotWorld) -> Composer:
    """The picnic open, the message typed line by line into its composer."""
    app = pilot.app
    await _list_ready(pilot)
    await _open_picnic(world, "Default")(pilot)  # ends with the list focused
    await pilot.press("enter")  # the open conversation's composer, as a person does
    composer = app.query_one(Composer)
    await _wait(pilot, lambda: app.focused is composer, "the composer focused")
    for number, line in enumerate(LINES):
        if number:
            await pilot.press("alt+enter")
        await pilot.press(*line)
    await _wait(pilot, lambda: composer.outer_size.height == len(LINES) + 2, "the box grown")
    return composer


def test_composing_a_message_of_several_lines(snap_compare, tmp_path: Path) -> None:
    def run_before(world: SnapshotWorld):
        async def run(pilot: Pilot) -> None:
            composer = await _compose(pilot, world)
            assert composer.value == MESSAGE
            composer.cursor_blink = False  # the cursor drawn, steadily
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()

        return run

    assert _snapshot(snap_compare, tmp_path, run_before)


def test_a_sent_message_of_several_lines(snap_compare, tmp_path: Path) -> None:
    def run_before(world: SnapshotWorld):
        async def run(pilot: Pilot) -> None:
            app = pilot.app
            assert isinstance(app, ChatApp) and app.session is not None
            session, key = app.session, world.picnic_key
            composer = await _compose(pilot, world)
            with _clocks_at(at(6, 9, 50)):
                await pilot.press("enter")
                await _wait(
                    pilot,
                    lambda: any(
                        m.body == MESSAGE and m.sender == ME and not m.pending
                        for m in session.messages(key)
                    ),
                    "the message, as the server has it",
                )

                def listed() -> bool:  # the list's row too, not the "sending" echo
                    thread = session.inbox.get(key)
                    last = thread.last_message if thread is not None else None
                    return last is not None and last.body == MESSAGE and not last.pending

                await _wait(pilot, listed, "the list row with the message sent")
            view = app.query_one(MessageView)
            await _wait(pilot, lambda: all(line in rendered(view) for line in LINES), "drawn")
            await _wait(pilot, lambda: composer.outer_size.height == 3, "the box one line again")
            await pilot.press("escape")  # no text cursor in the picture
            await _wait(pilot, lambda: isinstance(app.focused, ThreadListView), "the list")
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()

        return run

    assert _snapshot(snap_compare, tmp_path, run_before)
