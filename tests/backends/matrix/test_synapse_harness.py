"""The Synapse harness itself: if these fail, every Matrix test result is suspect."""

from __future__ import annotations

import httpx
import pytest

from tests.backends.matrix.synapse import MatrixError, MatrixUser, SynapseServer


def test_server_answers_versions_on_loopback(synapse: SynapseServer) -> None:
    assert synapse.base_url.startswith("http://127.0.0.1:")
    response = httpx.get(f"{synapse.base_url}/_matrix/client/versions", timeout=10)
    assert response.status_code == 200
    assert "v1.11" in response.json()["versions"]


def test_well_known_client_points_at_the_base_url(synapse: SynapseServer) -> None:
    response = httpx.get(f"{synapse.base_url}/.well-known/matrix/client", timeout=10)
    assert response.status_code == 200
    base = response.json()["m.homeserver"]["base_url"]
    assert base.rstrip("/") == synapse.base_url


def test_shared_secret_registration_then_password_login(synapse: SynapseServer) -> None:
    localpart = synapse.unique_localpart("carol")
    user_id, token, password = synapse.register(localpart, password="s3cret-pw")
    assert user_id == f"@{localpart}:{synapse.server_name}"
    assert password == "s3cret-pw"
    with MatrixUser(synapse.base_url, user_id, token) as user:
        assert user.whoami()["user_id"] == user_id

    login = synapse.login(localpart, "s3cret-pw", device_name="harness test")
    assert login["user_id"] == user_id
    assert login["access_token"] != token
    with pytest.raises(RuntimeError, match="M_FORBIDDEN"):
        synapse.login(localpart, "wrong password")


def test_open_registration_is_off(synapse: SynapseServer) -> None:
    response = httpx.post(
        f"{synapse.base_url}/_matrix/client/v3/register",
        json={"username": synapse.unique_localpart("eve"), "password": "pw"},
        timeout=10,
    )
    assert response.status_code == 403


def test_two_users_talk_in_a_room_and_see_it_through_sync(matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    assert alice.user_id != bob.user_id
    room_id = alice.create_room(invite=[bob.user_id], name="harness room")

    assert bob.wait_for_invite(room_id) == room_id
    bob.join(room_id)
    event_id = alice.send_text(room_id, "hello bob")

    seen_room, event = bob.wait_for_event(lambda _room, ev: ev.get("event_id") == event_id)
    assert seen_room == room_id
    assert event["sender"] == alice.user_id
    assert event["content"]["body"] == "hello bob"
    assert bob.texts(room_id) == ["hello bob"]


def test_same_txn_id_is_one_event(matrix_user) -> None:
    alice = matrix_user("alice")
    room_id = alice.create_room()
    first = alice.send_text(room_id, "once", txn_id="retry-me")
    again = alice.send_text(room_id, "once", txn_id="retry-me")
    assert first == again
    assert alice.texts(room_id) == ["once"]


def test_reaction_redaction_and_state(matrix_user) -> None:
    alice = matrix_user("alice")
    room_id = alice.create_room(name="state room")
    message = alice.send_text(room_id, "react to me")
    reaction = alice.react(room_id, message, "👍")
    alice.redact(room_id, message, reason="oops")
    alice.set_state(room_id, "org.chatui.theme", "", {"theme": "dusk"})

    events = {e["event_id"]: e for e in alice.room_events(room_id)}
    assert events[reaction]["content"]["m.relates_to"]["key"] == "👍"
    assert events[message]["content"] == {}  # redacted
    assert alice.get_state(room_id, "org.chatui.theme") == {"theme": "dusk"}
    assert alice.get_state(room_id, "m.room.name") == {"name": "state room"}


def test_ratelimit_override_produces_a_real_429(synapse: SynapseServer, matrix_user) -> None:
    alice = matrix_user("alice")
    room_id = alice.create_room()
    synapse.override_ratelimit(alice.user_id, messages_per_second=1, burst_count=1)
    try:
        with pytest.raises(MatrixError) as caught:
            for n in range(50):
                alice.send_text(room_id, f"flood {n}")
        assert caught.value.status_code == 429
        assert caught.value.errcode == "M_LIMIT_EXCEEDED"
        assert int(caught.value.response.headers["Retry-After"]) >= 1
    finally:
        synapse.clear_ratelimit_override(alice.user_id)
