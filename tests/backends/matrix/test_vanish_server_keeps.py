"""What a Matrix server keeps of a message chatui let vanish.

chatui deletes an expired message of ours on Matrix with a redaction (reason
``chat.chatui.expired``). Synapse then stops serving its content through the
client API, but keeps the original event — body included — in its database for
``redaction_retention_period`` (seven days unless its admin set otherwise), and
its admin API serves it meanwhile. This test shows both halves on a real Synapse
with its default retention: what alice's message looks like, after chatui's
expiry, to bob (the other member), to alice herself on another device, and to the
server's admin, and what is in Synapse's database file. docs/vanish.md and the
help screen say the same in words.

No timer races here: alice's chatui runs in vanish mode, and her copy goes when
bob's read receipt passes it — sent by the test when it is ready.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import quote

from chatui.backends.matrix import MatrixBackend
from chatui.backends.matrix.convert import EXPIRED_REASON
from chatui.core.models import ConnectionState, VanishSetting
from chatui.session.session import LinkedAccount, Session
from chatui.storage.store import Store
from chatui.ui.app import ChatApp
from chatui.ui.screens.help import HelpScreen
from tests.backends.matrix.helpers_matrix import account_for, fast, in_thread
from tests.conftest import make_user
from tests.session.helpers import linked, until
from tests.ui.conftest import rendered, wait_for
from tests.vanish.helpers import bodies, on_disk

WAIT = 60.0


async def _linked(synapse, user) -> LinkedAccount:
    """``user``'s Matrix account, logged in on a device of its own (as chatui does)."""
    config = account_for(synapse, user)
    login = fast(MatrixBackend(config))
    token = (await login.login(user.user_id, user.password or "")).token
    await login.close()
    return LinkedAccount(config, fast(MatrixBackend(config)), token)


async def _chatui(synapse, user, store_path: Path) -> Session:
    """alice's chatui: a Session on her own device, with a store of its own."""
    session = Session([await _linked(synapse, user)], Store(store_path))
    await session.start()
    await until(lambda: session.states["mx"][0] is ConnectionState.CONNECTED, "live", WAIT)
    return session


def _event(user, room: str, event_id: str) -> dict:
    """``GET /rooms/{room}/event/{event_id}`` as ``user`` sees it."""
    return user.request("GET", f"/rooms/{quote(room)}/event/{quote(event_id)}")


def _admin_event(synapse, event_id: str) -> dict:
    """The event as the server's admin API serves it (``fetch_event``)."""
    response = synapse.admin().http.get(f"/_synapse/admin/v1/fetch_event/{quote(event_id)}")
    response.raise_for_status()
    return response.json()["event"]


def _in_synapse_files(synapse, token: str) -> list[str]:
    """Which of Synapse's database files hold ``token`` in their raw bytes."""
    needle = token.encode()
    return sorted(
        path.name
        for path in synapse.workdir.glob("homeserver.db*")
        if path.is_file() and needle in path.read_bytes()
    )


async def test_after_an_expiry_synapse_serves_no_body_to_members_but_keeps_it(
    synapse, matrix_user, tmp_path: Path
) -> None:
    alice_user, bob = matrix_user("alice"), matrix_user("bob")
    room = alice_user.create_room(invite=[bob.user_id], name="Secrets")
    bob.join(room)
    key = ("mx", room)
    token = f"kept-by-synapse-{uuid.uuid4().hex[:12]}"
    alice = await _chatui(synapse, alice_user, tmp_path / "alice.sqlite3")
    try:
        await alice.set_vanish(key, VanishSetting("vanish"))
        await alice.open_thread(key)
        await alice.send(key, token)
        await until(
            lambda: any(m.body == token and not m.pending for m in alice.messages(key)),
            "the homeserver to accept it",
            WAIT,
        )
        event_id = next(m.message_id for m in alice.messages(key) if m.body == token)

        # Before: everyone reads the body (the checks below can fail).
        assert _event(bob, room, event_id)["content"]["body"] == token
        assert _admin_event(synapse, event_id)["content"]["body"] == token
        assert on_disk(tmp_path / "alice.sqlite3", token)

        # bob reads it: alice's chatui erases its copy and redacts the event.
        await in_thread(bob.send_receipt, room, event_id)
        await until(lambda: token not in bodies(alice.messages(key)), "alice's copy", WAIT)
        await until(
            lambda: "body" not in _event(bob, room, event_id)["content"],
            "the redaction to reach the homeserver",
            WAIT,
        )
    finally:
        await alice.stop()

    # Gone from alice's client: her store's files hold no byte of it.
    assert on_disk(tmp_path / "alice.sqlite3", token) == []

    # Gone through the client API, for the other member...
    seen_by_bob = _event(bob, room, event_id)
    assert seen_by_bob["type"] == "m.room.message"
    assert seen_by_bob["sender"] == alice_user.user_id
    assert seen_by_bob["content"] == {}
    because = seen_by_bob["unsigned"]["redacted_because"]
    assert because["sender"] == alice_user.user_id
    assert because["content"]["reason"] == EXPIRED_REASON
    page = bob.http.get(
        f"/_matrix/client/v3/rooms/{quote(room)}/messages", params={"dir": "b", "limit": 50}
    )
    page.raise_for_status()
    assert token not in page.text
    listed = next(e for e in page.json()["chunk"] if e["event_id"] == event_id)
    assert listed["content"] == {}
    synced = bob.http.get("/_matrix/client/v3/sync", params={"timeout": 0})
    synced.raise_for_status()
    assert token not in synced.text
    # ... also when asking for the unredacted content (MSC2815): off by default,
    # the parameter is ignored.
    asked = bob.http.get(
        f"/_matrix/client/v3/rooms/{quote(room)}/event/{quote(event_id)}",
        params={"fi.mau.msc2815.include_unredacted_content": "true"},
    )
    assert token not in asked.text
    # ... and for alice herself on another device (her raw client, not chatui's).
    assert _event(alice_user, room, event_id)["content"] == {}

    # Not gone from the server: its admin API still serves the body, and its
    # database file holds it, until redaction_retention_period (7 days) passes.
    kept = _admin_event(synapse, event_id)
    assert kept["content"]["body"] == token
    assert _in_synapse_files(synapse, token) != []


async def _help_of(app: ChatApp) -> str:
    """Open the help (F1) in the running ``app``; return what its text widget shows."""
    async with app.run_test(size=(110, 60)) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 1, "the thread")
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        return rendered(app.screen.query_one("#help-text"))


async def test_the_help_says_what_the_server_keeps_when_a_matrix_account_is_linked(
    synapse, matrix_user, server
) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    alice.create_room(invite=[bob.user_id], name="Secrets")
    shown = " ".join((await _help_of(ChatApp(Session([await _linked(synapse, alice)])))).split())
    assert "the server keeps the original text" in shown
    assert "redaction_retention_period (7 days on Synapse" in shown
    assert "admins can read it" in shown

    # A reference server forgets an expired message's text at once: not said there.
    carol = make_user(server, "carol")
    make_user(server, "dave")
    server.database.create_thread("carol", ["dave"], "Plans")
    shown = await _help_of(ChatApp(Session([linked(server.url, carol)])))
    assert "What vanish mode cannot do" in shown
    assert "redaction_retention_period" not in shown
