"""Snapshot tests of the message box in reply mode and in edit mode: the one-line
bar above it that says what Enter will do (the same fixed world and update command
as test_snapshots.py; run under the snapshot lock, as those are).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from chatui.ui.widgets.composer import Composer
from chatui.ui.widgets.composer_context import ComposerContext
from chatui.ui.widgets.message_view import MessageView
from tests.ui.snapshot_world import ME, SnapshotWorld
from tests.ui.test_snapshots import _open_picnic, _wait, colors, in_utc  # noqa: F401
from tests.ui.test_snapshots_screens import _list_ready, _snapshot

pytestmark = pytest.mark.usefixtures("colors", "in_utc")


def _mode(world: SnapshotWorld, key: str, own: bool):
    """``run_before``: the picnic open, a message selected (Ana's newest, or the
    newest from someone else), then ``key`` pressed on it."""

    async def run(pilot: Pilot) -> None:
        app = pilot.app
        await _list_ready(pilot)
        await _open_picnic(world, "Default")(pilot)
        messages = app.session.messages(world.picnic_key)
        target = [m for m in messages if (m.sender == ME) == own][-1]
        view = app.query_one(MessageView)
        view.focus()
        view.select(target.message_id)
        await _wait(pilot, lambda: view.selected_message == target, "the message selected")
        await pilot.press(key)
        composer = app.query_one(Composer)
        await _wait(pilot, lambda: app.focused is composer, "the composer focused")
        await _wait(pilot, lambda: app.query_one(ComposerContext).display, "the bar")
        composer.cursor_blink = False  # the cursor drawn, steadily
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()

    return run


def test_replying_to_a_message(snap_compare, tmp_path: Path) -> None:
    assert _snapshot(snap_compare, tmp_path, lambda world: _mode(world, "R", own=False))


def test_editing_ones_own_message(snap_compare, tmp_path: Path) -> None:
    assert _snapshot(snap_compare, tmp_path, lambda world: _mode(world, "e", own=True))
