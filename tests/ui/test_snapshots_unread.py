"""Snapshot tests of where the picnic conversation opens and what it says of news:
the "new messages" rule above the first unread message, and, scrolled up, the
count of messages that came below (the same fixed world and update command as
test_snapshots.py; run under the snapshot lock, as those are).

Messages are added through the server's own send code with fixed timestamps, the
way another person's arrive, while the app runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from chatui.ui.app import ChatApp
from chatui.ui.widgets.message_view import MessageView
from chatui.ui.widgets.thread_list import ThreadListView
from tests.ui.snapshot_world import ME, SnapshotWorld, at, snapshot_world
from tests.ui.test_snapshots import SIZE, _wait, colors, in_utc  # noqa: F401
from tests.ui.test_snapshots_screens import _list_ready

pytestmark = pytest.mark.usefixtures("colors", "in_utc")


def _snapshot(snap_compare, tmp_path: Path, run_before) -> bool:
    with snapshot_world(tmp_path, None) as world:
        app = ChatApp(world.session(), title="chatui")
        return snap_compare(app, terminal_size=SIZE, run_before=run_before(world))


async def _open_picnic(pilot: Pilot, world: SnapshotWorld, last: str, unread: int) -> MessageView:
    """Enter on the picnic once the list has heard of its message ``last`` and shows
    ``unread`` for it; wait until it is drawn with every reaction (and the rule,
    if anything was unread).

    Both, because the count alone is 0 before the new messages are heard of too:
    Enter then would open the thread as the count rises.
    """
    app = pilot.app
    assert isinstance(app, ChatApp) and app.session is not None
    session = app.session
    key = world.picnic_key

    def listed() -> bool:
        thread = session.inbox.get(key)
        return (
            thread is not None
            and thread.last_message is not None
            and thread.last_message.body == last
            and thread.unread == unread
            and session.inbox.at(0).key == key
        )

    await _wait(pilot, listed, f"the picnic on top with {unread} unread")
    await pilot.press("enter")
    view = app.query_one(MessageView)

    def drawn() -> bool:
        messages = session.messages(key) if session.is_loaded(key) else []
        reactions = sum(len(users) for m in messages for users in m.reactions.values())
        return (
            reactions == 5
            and view.chat_styles is not None
            and (view.first_unread is not None) == bool(unread)
        )

    await _wait(pilot, drawn, "the picnic drawn")
    return view


async def _settle_on_the_list(pilot: Pilot) -> None:
    """Esc: the focus back on the list, so no text cursor blinks in the picture."""
    await pilot.press("escape")
    await _wait(pilot, lambda: isinstance(pilot.app.focused, ThreadListView), "the list focused")
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def test_new_messages_rule(snap_compare, tmp_path: Path) -> None:
    """Ben wrote while ana was away: the rule above his message, what she had read
    above it, in the accent color across the conversation."""

    def run_before(world: SnapshotWorld):
        async def run(pilot: Pilot) -> None:
            await _list_ready(pilot)
            db = world.server.database
            db.add_message(world.picnic_id, "ben", "Forecast says sunny ☀️", ts=at(6, 9, 50))
            await _open_picnic(pilot, world, "Forecast says sunny ☀️", unread=1)
            await _settle_on_the_list(pilot)

        return run

    assert _snapshot(snap_compare, tmp_path, run_before)


def test_new_messages_below(snap_compare, tmp_path: Path) -> None:
    """Scrolled up while ben writes twice: the bottom row counts them and names the
    key that jumps there (Ctrl+End: the list has the focus)."""

    def run_before(world: SnapshotWorld):
        async def run(pilot: Pilot) -> None:
            app = pilot.app
            await _list_ready(pilot)
            db = world.server.database
            picnic = world.picnic_id
            # A longer thread, all read: it opens at the bottom, with no rule.
            db.add_message(picnic, "cleo", "Who brings plates?", ts=at(6, 9, 45))
            db.add_message(picnic, ME, "I will, and cups", ts=at(6, 9, 46))
            last = db.add_message(picnic, "cleo", "Great, see you all!", ts=at(6, 9, 47))
            db.mark_read(db.caller(ME), picnic, last["message_id"])
            view = await _open_picnic(pilot, world, "Great, see you all!", unread=0)
            view.focus()
            await pilot.press("pageup")
            await _wait(pilot, lambda: view.scroll_y == 0, "scrolled to the top")
            db.add_message(picnic, "ben", "Running late!", ts=at(6, 9, 55))
            db.add_message(picnic, "ben", "Save me a sandwich 🥪", ts=at(6, 9, 56))
            await _wait(pilot, lambda: view.new_below == 2, "two new messages below")
            await _settle_on_the_list(pilot)
            assert not view.at_bottom and app.focused is not view

        return run

    assert _snapshot(snap_compare, tmp_path, run_before)
