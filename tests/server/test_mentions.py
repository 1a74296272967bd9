"""@username mentions on the reference server: a message names the members it
calls (``mentions``), and each member's thread counts the unread ones."""

from __future__ import annotations

from tests.server.conftest import Api


def _thread_of(api: Api, thread: str) -> dict:
    return api.get(f"/v1/threads/{thread}").json()


def test_a_mention_is_named_on_the_message_and_counted_until_read(
    alice: Api, bob: Api, carol: Api
) -> None:
    thread = alice.new_thread("bob", "carol")["thread_id"]
    first = alice.say(thread, "@Bob, lunch? ask @carol too, and @alice (me) and @dave")
    assert first["mentions"] == ["bob", "carol"]  # members only, never the sender
    plain = alice.say(thread, "mail me at alice@bob.org, @bobby")
    assert plain["mentions"] == []
    assert bob.history(thread)[0]["mentions"] == ["bob", "carol"]

    listed = _thread_of(bob, thread)
    assert (listed["unread"], listed["mentions"]) == (2, 1)
    assert _thread_of(alice, thread)["mentions"] == 0  # her own mentions are no news
    bob.post(f"/v1/threads/{thread}/read", json={"message_id": plain["message_id"]})
    assert (_thread_of(bob, thread)["unread"], _thread_of(bob, thread)["mentions"]) == (0, 0)
    assert _thread_of(carol, thread)["mentions"] == 1


def test_an_edit_can_add_or_take_back_a_mention(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    sent = alice.say(thread, "who knows?")["message_id"]
    url = f"/v1/threads/{thread}/messages/{sent}"
    with bob.events() as bobs:
        bobs.next_of("hello")
        alice.patch(url, json={"body": "@bob knows"})
        assert bobs.next_of("message").data["mentions"] == ["bob"]
    assert _thread_of(bob, thread)["mentions"] == 1
    assert alice.patch(url, json={"body": "nobody knows"}).json()["mentions"] == []
    assert _thread_of(bob, thread)["mentions"] == 0
