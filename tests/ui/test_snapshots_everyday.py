"""Snapshot tests of everyday conversation (the same fixed world and update command
as test_snapshots.py; run under the snapshot lock, as those are): an edited
message, an unsent one and a reply to it, a mention with a link, who is typing
(the header and the list row), the list's count of unread mentions, and "seen"
in a one-to-one conversation — in color and without.

What others did is done through the server's own code with fixed timestamps
before the app starts (edits, unsending, messages), or while it runs where only
a live stream can tell it (ben typing, ben reading).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from textual.pilot import Pilot

from chatui.ui.app import ChatApp
from chatui.ui.widgets.message_view import MessageView
from chatui.ui.widgets.status import ThreadHeader
from chatui.ui.widgets.thread_list import ThreadListView
from tests.ui.snapshot_world import ACCOUNT_ID, ME, SnapshotWorld, at, snapshot_world
from tests.ui.test_snapshots import SIZE, _wait, colors, in_utc, no_color  # noqa: F401
from tests.ui.test_snapshots_screens import _list_ready

BEN_PASSWORD = "pw-ben-snapshot"  # as tests/ui/snapshot_world.py seeds him


def _history(world: SnapshotWorld, thread_id: str) -> list[dict]:
    db = world.server.database
    return db.history(db.caller(ME), thread_id)


def _dm_id(world: SnapshotWorld) -> str:
    db = world.server.database
    return next(t["thread_id"] for t in db.list_threads(db.caller(ME)) if not t["title"])


def _everyday(world: SnapshotWorld) -> None:
    """The picnic after a busy morning: ana corrected herself, ben took a message
    back after cleo had answered it, cleo asked ana something with a link; and in
    the direct conversation ben asked ana something she has not read."""
    db = world.server.database
    ana, ben, cleo = db.caller(ME), db.caller("ben"), db.caller("cleo")
    picnic = world.picnic_id
    by_body = {m["body"]: m["message_id"] for m in _history(world, picnic)}
    db.edit(
        ana, picnic, by_body["I'll bring the big blanket"], "I'll bring the big blanket and cups"
    )
    noon = by_body["Perfect. Noon at the north gate?"]
    db.send(cleo, picnic, None, "Noon works for me", noon, ts=at(6, 9, 35))
    db.redact(ben, picnic, noon)
    last = db.send(
        cleo,
        picnic,
        None,
        "@ana can you bring the speaker? https://example.org/speaker",
        ts=at(6, 9, 44),
    )
    db.mark_read(ana, picnic, last["message_id"])
    db.send(ben, _dm_id(world), None, "@ana which book is next?", ts=at(6, 9, 20))


async def _ben_types(world: SnapshotWorld) -> None:
    """ben starts typing in the picnic (for two minutes: longer than any snapshot)."""
    db = world.server.database
    token = db.login("ben", BEN_PASSWORD)["token"]
    async with httpx.AsyncClient(base_url=world.server.url) as client:
        response = await client.put(
            f"/v1/threads/{world.picnic_id}/typing",
            json={"typing": True, "timeout_ms": 120_000},
            headers={"Authorization": f"Bearer {token}"},
        )
    response.raise_for_status()


def _picnic_while_ben_types(world: SnapshotWorld):
    async def run_before(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, ChatApp) and app.session is not None
        session = app.session
        await _list_ready(pilot)
        key = world.picnic_key
        dm = (ACCOUNT_ID, _dm_id(world))
        await _wait(pilot, lambda: session.inbox.get(dm).mentions == 1, "the DM's mention")
        await pilot.press("enter")  # the picnic: the newest activity, under the cursor
        view = app.query_one(MessageView)

        def drawn() -> bool:
            messages = session.messages(key) if session.is_loaded(key) else []
            return (
                any(m.deleted for m in messages)
                and any(m.mentions_me for m in messages)
                and view.chat_styles is not None
            )

        await _wait(pilot, drawn, "the picnic drawn")
        await _ben_types(world)
        header = app.query_one(ThreadHeader)
        thread_list = app.query_one(ThreadListView)
        await _wait(pilot, lambda: header.typing == "ben is typing…", "ben typing in the header")
        await _wait(pilot, lambda: thread_list.typing_in(key) != "", "and in the list")
        await pilot.press("escape")
        await _wait(pilot, lambda: isinstance(app.focused, ThreadListView), "the list focused")
        await pilot.pause()

    return run_before


def _snapshot(snap_compare, tmp_path: Path, run_before) -> bool:
    with snapshot_world(tmp_path, None) as world:
        _everyday(world)
        app = ChatApp(world.session(), title="chatui")
        return snap_compare(app, terminal_size=SIZE, run_before=run_before(world))


@pytest.mark.usefixtures("colors", "in_utc")
def test_edited_deleted_mention_and_typing(snap_compare, tmp_path: Path) -> None:
    """The picnic: ana's corrected line says "edited"; ben's unsent one "message
    deleted", and cleo's answer to it quotes it so; cleo's mention of ana has the
    mention bar and its link underlined; the header and the picnic's row say ben
    is typing; the direct conversation's row counts ana's unread mention (@1)."""
    assert _snapshot(snap_compare, tmp_path, _picnic_while_ben_types)


@pytest.mark.usefixtures("no_color", "in_utc")
def test_edited_deleted_mention_and_typing_without_color(snap_compare, tmp_path: Path) -> None:
    """The same without any color: the mention bar's shape, italics and
    underlines say what the colors said."""
    assert _snapshot(snap_compare, tmp_path, _picnic_while_ben_types)


@pytest.mark.usefixtures("colors", "in_utc")
def test_seen_in_a_direct_conversation(snap_compare, tmp_path: Path) -> None:
    """ben reads the direct conversation while ana has it open: "seen" under her
    last message, and under no other."""

    def run_before(world: SnapshotWorld):
        async def run(pilot: Pilot) -> None:
            app = pilot.app
            assert isinstance(app, ChatApp) and app.session is not None
            session = app.session
            await _list_ready(pilot)
            dm = (ACCOUNT_ID, _dm_id(world))
            await pilot.press("down", "enter")  # the older row: the direct conversation
            await _wait(pilot, lambda: session.is_loaded(dm), "the direct conversation")
            view = app.query_one(MessageView)
            db = world.server.database
            ben = db.caller("ben")
            newest = _history(world, dm[1])[-1]
            assert newest["body"] == "Told you so 😄"
            db.mark_read(ben, dm[1], newest["message_id"])
            await _wait(pilot, lambda: view.seen_id == newest["message_id"], "seen")
            await pilot.press("escape")
            await _wait(pilot, lambda: isinstance(app.focused, ThreadListView), "the list")
            await pilot.pause()

        return run

    with snapshot_world(tmp_path, None) as world:
        app = ChatApp(world.session(), title="chatui")
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before(world))
