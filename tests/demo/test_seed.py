"""A first run gives the user two networks full of history; later runs keep it."""

from __future__ import annotations

import argparse
import stat
from pathlib import Path

from chatui.cli import build_parser
from chatui.demo.command import open_demo
from chatui.demo.networks import NETWORKS
from chatui.demo.servers import DemoWorld
from chatui.profile.folders import Profile
from chatui.session.session import Session


async def test_both_accounts_have_threads_with_history(session: Session, world: DemoWorld):
    assert [a.label for a in world.accounts] == ["N", "H"]
    assert len({a.color for a in world.accounts}) == 2
    for account in world.accounts:
        threads = [t for t in session.inbox.threads() if t.account_id == account.account_id]
        assert len(threads) >= 3, account.account_id
        assert any(t.title for t in threads), "each network has a group conversation"
        for thread in threads:
            assert thread.last_message is not None
            await session.open_thread(thread.key)
            history = session.messages(thread.key)
            assert len(history) >= 3
            senders = {m.sender for m in history}
            assert "you" in senders and len(senders) >= 2
    # The merged list mixes both networks near its top.
    top = [t.account_id for t in session.inbox.threads()[:3]]
    assert len(set(top)) == 2


async def test_history_is_spread_over_past_days_with_unread(world: DemoWorld):
    session = Session(world.linked_accounts())
    await session.start()
    try:
        threads = session.inbox.threads()
        assert sum(t.unread for t in threads) >= 2
        times = [t.last_message.ts for t in threads if t.last_message]
        assert max(times) - min(times) > 2 * 24 * 3600 * 1000
        # Newest activity first, as the list shows it.
        assert times == sorted(times, reverse=True)
    finally:
        await session.stop()


def thread_ids(world: DemoWorld) -> dict[str, list[str]]:
    ids: dict[str, list[str]] = {}
    for running in world.running:
        db = running.server.database
        rows = db.list_threads(db.caller(world.username))
        ids[running.network.key] = sorted(t["thread_id"] for t in rows)
    return ids


def test_second_start_reuses_the_data_and_a_reset_wipes_it(tmp_path: Path):
    root = tmp_path / "demo"
    with DemoWorld(root, username="you") as first:
        assert first.seeded_now
        before = thread_ids(first)
        extra = first.running[0].server.database.create_thread("you", ["alice"], "kept")
        before[NETWORKS[0].key] = sorted([*before[NETWORKS[0].key], extra["thread_id"]])

    with DemoWorld(root, username="someone-else") as second:
        assert not second.seeded_now
        assert second.username == "you"  # the name it was seeded with
        assert thread_ids(second) == before
        # The stored tokens still work against the restarted servers.
        for running in second.running:
            identity = running.server.database.authenticate(second.home.load_token(running.account))
            assert identity is not None and identity.username == "you"

    second.home.reset()
    assert not root.exists()
    with DemoWorld(root, username="you") as third:
        assert third.seeded_now
        titles = {
            t["title"]
            for r in third.running
            for t in r.server.database.list_threads(r.server.database.caller("you"))
        }
        assert "kept" not in titles


def test_chatui_demo_reset_wipes_the_demo_folder(tmp_path: Path):
    config_dir = tmp_path / "profile"
    args = build_parser().parse_args(["--config-dir", str(config_dir), "demo"])
    profile, world = open_demo(args)
    try:
        assert profile == Profile.resolve(str(config_dir))
        assert world.home.root == profile.data_dir / "demo"
        db = world.running[0].server.database
        db.create_thread(world.username, ["bob"], "before the reset")
    finally:
        world.stop()

    again = build_parser().parse_args(["--config-dir", str(config_dir), "demo", "--reset"])
    assert again.reset is True
    _, world = open_demo(again)
    try:
        assert world.seeded_now
        db = world.running[0].server.database
        titles = {t["title"] for t in db.list_threads(db.caller(world.username))}
        assert "before the reset" not in titles
    finally:
        world.stop()


def test_tokens_stay_private_in_the_demo_folder(tmp_path: Path):
    config_dir = tmp_path / "profile"
    _, world = open_demo(argparse.Namespace(config_dir=str(config_dir), reset=False))
    try:
        tokens_dir = world.home.root / "tokens"
        files = sorted(tokens_dir.iterdir())
        # The user's account on each network and every contact's.
        expected = len(NETWORKS) + sum(len(n.contacts) for n in NETWORKS)
        assert len(files) == expected
        for path in files:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert stat.S_IMODE(tokens_dir.stat().st_mode) == 0o700
        # Nothing was linked in the user's own config.
        assert not (config_dir / "config.toml").exists()
        assert all(a.token_store == "file" for a in world.accounts)
    finally:
        world.stop()
