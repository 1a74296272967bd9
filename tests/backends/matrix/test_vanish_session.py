"""Vanish mode end to end on a real Synapse: two Sessions with stores of
their own, talking through the homeserver with chatui's custom state events. A
vanished message leaves both Sessions, both stores (raw bytes) and the homeserver
(the sender's client redacts it, so its content is no longer served; Synapse keeps
it in its database for a while: test_vanish_server_keeps.py).

Timers are long enough that nothing races them on a busy machine:
alice's copy counts from the server's acceptance, so a 2-second timer could be
redacted before bob's client had the message; a restart must come well before
bob's deadline. Every "not on disk" follows a check that the text was there.
"""

from __future__ import annotations

from pathlib import Path

from chatui.backends.matrix import MatrixBackend
from chatui.core.models import ConnectionState, VanishSetting
from chatui.session.session import LinkedAccount, Session
from chatui.storage.store import Store
from tests.backends.matrix.helpers_matrix import account_for, fast
from tests.session.helpers import until
from tests.vanish.helpers import bodies, on_disk

TIMER = 10  # seconds: far longer than a delivery through Synapse takes, even starved
RESTART_TIMER = 30  # bob logs in again and reloads before this runs out
SLACK = 30  # beyond a timer's length, how long to wait for it to have fired
TOKENS = ("mx-timer-token-1a2b", "mx-restart-token-9e8f", "mx-vanish-token-3c4d")


async def _session(synapse, user, store_path: Path, *, start: bool = True) -> Session:
    config = account_for(synapse, user)
    login = fast(MatrixBackend(config))
    token = (await login.login(user.user_id, user.password or "")).token
    await login.close()
    session = Session(
        [LinkedAccount(config, fast(MatrixBackend(config)), token)], Store(store_path)
    )
    if start:
        await _go_live(session)
    return session


async def _go_live(session: Session) -> None:
    await session.start()
    await until(lambda: session.states["mx"][0] is ConnectionState.CONNECTED, "live", 30)


def _content_on_server(user, room: str, event_id: str) -> dict:
    response = user.http.get(f"/_matrix/client/v3/rooms/{room}/event/{event_id}")
    response.raise_for_status()
    return response.json().get("content") or {}


async def _two(synapse, matrix_user, tmp_path: Path):
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = alice.create_room(invite=[bob.user_id], name="Secrets")
    bob.join(room)
    a = await _session(synapse, alice, tmp_path / "alice.sqlite3")
    b = await _session(synapse, bob, tmp_path / "bob.sqlite3")
    return alice, bob, room, a, b


async def test_timer_and_vanish_mode_erase_everywhere_on_synapse(
    synapse, matrix_user, tmp_path: Path
) -> None:
    alice, bob, room, a, b = await _two(synapse, matrix_user, tmp_path)
    key = ("mx", room)
    try:
        # A timer: bob's copy counts from when it is drawn.
        await a.set_vanish(key, VanishSetting("timer", TIMER))
        await b.open_thread(key)
        await until(
            lambda: any(
                m.kind == "setting" and f"{TIMER} seconds" in m.body for m in b.messages(key)
            ),
            "the notice",
            30,
        )
        await a.open_thread(key)
        await a.send(key, "mx-timer-token-1a2b")
        await until(lambda: "mx-timer-token-1a2b" in bodies(b.messages(key)), "delivery", 30)
        sent = next(m for m in b.messages(key) if m.body == "mx-timer-token-1a2b")
        assert sent.vanish == VanishSetting("timer", TIMER)
        assert b.expires_at(key, sent.message_id) is None
        for name in ("alice", "bob"):  # the checks at the end can fail
            assert on_disk(tmp_path / f"{name}.sqlite3", "mx-timer-token-1a2b"), name
        b.messages_seen(key, [sent.message_id])
        for session in (a, b):
            await until(
                lambda s=session: "mx-timer-token-1a2b" not in bodies(s.messages(key)),
                "the message to vanish",
                TIMER + SLACK,
            )
        await until(
            lambda: "body" not in _content_on_server(alice, room, sent.message_id),
            "the homeserver to drop the content",
            30,
        )

        # Bob's client restarted between drawing a timer message and its deadline:
        # the deadline comes back from his store and fires in the new run.
        await a.set_vanish(key, VanishSetting("timer", RESTART_TIMER))
        await a.send(key, "mx-restart-token-9e8f")
        await until(lambda: "mx-restart-token-9e8f" in bodies(b.messages(key)), "delivery", 30)
        sent = next(m for m in b.messages(key) if m.body == "mx-restart-token-9e8f")
        b.messages_seen(key, [sent.message_id])
        deadline = b.expires_at(key, sent.message_id)
        assert deadline is not None
        await b.stop()
        assert on_disk(tmp_path / "bob.sqlite3", "mx-restart-token-9e8f")  # can fail
        b = await _session(synapse, bob, tmp_path / "bob.sqlite3", start=False)
        b.load_cached()
        assert b.expires_at(key, sent.message_id) == deadline
        await _go_live(b)
        await b.open_thread(key)
        await until(
            lambda: "mx-restart-token-9e8f" not in bodies(b.messages(key)),
            "the re-armed timer",
            RESTART_TIMER + SLACK,
        )

        # Vanish mode: gone once bob has seen it and closed the chat.
        await a.set_vanish(key, VanishSetting("vanish"))
        await a.send(key, "mx-vanish-token-3c4d")
        await until(lambda: "mx-vanish-token-3c4d" in bodies(b.messages(key)), "delivery", 30)
        sent = next(m for m in b.messages(key) if m.body == "mx-vanish-token-3c4d")
        b.messages_seen(key, [sent.message_id])
        assert "mx-vanish-token-3c4d" in bodies(b.messages(key))
        for name in ("alice", "bob"):
            assert on_disk(tmp_path / f"{name}.sqlite3", "mx-vanish-token-3c4d"), name
        b.close_thread()
        assert "mx-vanish-token-3c4d" not in bodies(b.messages(key))
        await until(lambda: a.store.message(key, sent.message_id) is None, "alice's copy", 30)
        await until(
            lambda: "body" not in _content_on_server(bob, room, sent.message_id),
            "the homeserver to drop the content",
            30,
        )
    finally:
        await a.stop()
        await b.stop()
    for name in ("alice", "bob"):
        for token in TOKENS:
            assert on_disk(tmp_path / f"{name}.sqlite3", token) == [], (name, token)
