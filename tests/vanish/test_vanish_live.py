"""Vanish mode end to end on the reference server: two real accounts, each
with its own store; a vanished message leaves both screens' data, both stores (file
and WAL, raw bytes) and the server.

Timers are long enough that nothing races them on a busy machine:
the sender's copy counts from the server's acceptance, so a short timer could run
out on alice's side before bob's client has even drawn the message. Every "not on
disk" is preceded by a check that the text *was* on disk (a check that can fail).
"""

from __future__ import annotations

from pathlib import Path

from chatui.core.models import VanishSetting
from chatui.server.runner import ServerThread
from tests.session.helpers import until
from tests.vanish.helpers import bodies, on_disk, pair

TIMER = 10  # seconds: far longer than delivery and drawing take, even when starved
RESTART_TIMER = 20  # bob stops and starts again before this runs out, even when starved
SLACK = 30  # beyond a timer's length, how long a test waits for it to have fired


async def _notice_seen(session, key, words: str) -> None:
    await session.open_thread(key)
    await until(
        lambda: any(m.kind == "setting" and words in m.body for m in session.messages(key)),
        f"the notice {words!r}",
    )


async def test_a_timer_message_goes_everywhere_after_the_recipient_saw_it(
    server: ServerThread, tmp_path: Path
) -> None:
    async with pair(server, tmp_path) as p:
        await p.alice.set_vanish(p.key, VanishSetting("timer", TIMER))
        await _notice_seen(p.bob, p.key, f"alice set messages to disappear after {TIMER} seconds")
        await p.alice.open_thread(p.key)
        await p.alice.send(p.key, "timer-token-7f3a")
        await until(lambda: "timer-token-7f3a" in bodies(p.bob.messages(p.key)), "delivery")
        sent = next(m for m in p.bob.messages(p.key) if m.body == "timer-token-7f3a")
        assert sent.vanish == VanishSetting("timer", TIMER)
        paths = [tmp_path / "alice.sqlite3", tmp_path / "bob.sqlite3"]
        # The checks below can fail: the text is in both stores and the server's file.
        assert all(on_disk(path, "timer-token-7f3a") for path in paths)
        assert on_disk(tmp_path / "server.db", "timer-token-7f3a")
        # Receiving does not start bob's clock; drawing it on screen does.
        assert p.bob.expires_at(p.key, sent.message_id) is None
        p.bob.messages_seen(p.key, [sent.message_id])
        assert p.bob.expires_at(p.key, sent.message_id) is not None
        # Alice's copy counts from the server's acceptance.
        await until(lambda: p.alice.expires_at(p.key, sent.message_id) is not None, "armed")

        for session in (p.alice, p.bob):
            await until(
                lambda s=session: "timer-token-7f3a" not in bodies(s.messages(p.key)),
                "the message to vanish",
                TIMER + SLACK,
            )
        await until(
            lambda: all(m["body"] != "timer-token-7f3a" for m in p.server_history()),
            "the server to forget it",
        )
        for session in (p.alice, p.bob):
            thread = session.inbox.get(p.key)
            assert thread.last_message is None or thread.last_message.body != "timer-token-7f3a"
            assert session.store.message(p.key, sent.message_id) is None
        paths = [tmp_path / "alice.sqlite3", tmp_path / "bob.sqlite3"]
        assert [on_disk(path, "timer-token-7f3a") for path in paths] == [[], []]
        await until(
            lambda: on_disk(tmp_path / "server.db", "timer-token-7f3a") == [],
            "the server's database to hold no trace",
        )


async def test_vanish_mode_erases_once_seen_and_the_chat_is_closed(
    server: ServerThread, tmp_path: Path
) -> None:
    async with pair(server, tmp_path) as p:
        await p.alice.set_vanish(p.key, VanishSetting("vanish"))
        await _notice_seen(p.bob, p.key, "alice turned on vanish mode")
        await p.alice.send(p.key, "vanish-token-91bc")
        await until(lambda: "vanish-token-91bc" in bodies(p.bob.messages(p.key)), "delivery")
        sent = next(m for m in p.bob.messages(p.key) if m.body == "vanish-token-91bc")
        p.bob.messages_seen(p.key, [sent.message_id])
        assert p.bob.vanish_pending_close(p.key, sent.message_id)
        # Still there while bob reads, on both sides (and on both disks).
        assert "vanish-token-91bc" in bodies(p.bob.messages(p.key))
        assert p.alice.store.message(p.key, sent.message_id) is not None
        paths = [tmp_path / "alice.sqlite3", tmp_path / "bob.sqlite3"]
        assert all(on_disk(path, "vanish-token-91bc") for path in paths)

        p.bob.close_thread()
        assert "vanish-token-91bc" not in bodies(p.bob.messages(p.key))
        assert p.bob.store.message(p.key, sent.message_id) is None
        assert on_disk(tmp_path / "bob.sqlite3", "vanish-token-91bc") == []
        # Bob's read marker (sent at the close) tells alice: her copy goes too, and
        # her client asks the server to delete it.
        await until(lambda: p.alice.store.message(p.key, sent.message_id) is None, "alice's copy")
        await until(
            lambda: all(m["body"] != "vanish-token-91bc" for m in p.server_history()),
            "the server to forget it",
        )
        assert [on_disk(path, "vanish-token-91bc") for path in paths] == [[], []]


async def test_a_seen_timer_survives_a_restart_and_expired_ones_go_before_first_frame(
    server: ServerThread, tmp_path: Path
) -> None:
    async with pair(server, tmp_path) as p:
        await p.alice.set_vanish(p.key, VanishSetting("timer", RESTART_TIMER))
        await p.alice.send(p.key, "restart-token-c0de")
        await p.bob.open_thread(p.key)
        await until(lambda: "restart-token-c0de" in bodies(p.bob.messages(p.key)), "delivery")
        sent = next(m for m in p.bob.messages(p.key) if m.body == "restart-token-c0de")
        p.bob.messages_seen(p.key, [sent.message_id])
        deadline = p.bob.expires_at(p.key, sent.message_id)
        await p.bob.stop()
        assert on_disk(tmp_path / "bob.sqlite3", "restart-token-c0de")  # the check can fail

        # Restarted before the deadline: the timer is re-armed with the same deadline.
        again = p.session_for(p.bob_creds, "bob")
        again.load_cached()
        assert again.expires_at(p.key, sent.message_id) == deadline
        assert "restart-token-c0de" in bodies(again.messages(p.key))
        await again.start()
        await until(
            lambda: "restart-token-c0de" not in bodies(again.messages(p.key)),
            "the re-armed timer to fire",
            RESTART_TIMER + SLACK,
        )
        await again.stop()
        assert on_disk(tmp_path / "bob.sqlite3", "restart-token-c0de") == []
