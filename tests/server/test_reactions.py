"""Reactions: PUT/DELETE .../reactions/{emoji}, shown in every message JSON."""

from __future__ import annotations

import sqlite3
from urllib.parse import quote

import pytest

from chatui.server import validate
from chatui.server.runner import ServerThread
from tests.server.conftest import Api

THUMBS = "👍"
FAMILY = "👨‍👩‍👧‍👦"  # one grapheme, seven code points, 25 bytes
FLAG = "🏴󠁧󠁢󠁳󠁣󠁴󠁿"  # Scotland: a tag sequence, 28 bytes


def _path(thread: str, message: str, emoji: str) -> str:
    # "." escaped too, or the URL library would resolve a "." segment away.
    segment = quote(emoji, safe="").replace(".", "%2E")
    return f"/v1/threads/{thread}/messages/{message}/reactions/{segment}"


def _react(api: Api, thread: str, message: str, emoji: str) -> dict:
    response = api.put(_path(thread, message, emoji))
    assert response.status_code == 200, response.text
    return response.json()


def _unreact(api: Api, thread: str, message: str, emoji: str) -> dict:
    response = api.delete(_path(thread, message, emoji))
    assert response.status_code == 200, response.text
    return response.json()


def test_reactions_in_order_everywhere(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    message = alice.say(thread, "lunch?")["message_id"]
    assert _react(bob, thread, message, THUMBS)["reactions"] == {THUMBS: ["bob"]}
    _react(alice, thread, message, FAMILY)
    both = _react(alice, thread, message, THUMBS)
    # Emoji in order of their first reaction; people in the order they reacted.
    assert list(both["reactions"].items()) == [(THUMBS, ["bob", "alice"]), (FAMILY, ["alice"])]
    assert both["body"] == "lunch?" and both["message_id"] == message

    assert bob.history(thread)[0]["reactions"] == both["reactions"]
    assert (
        bob.get(f"/v1/threads/{thread}").json()["last_message"]["reactions"] == (both["reactions"])
    )
    listed = alice.get("/v1/threads").json()["threads"][0]
    assert listed["last_message"]["reactions"] == both["reactions"]


def test_reacting_twice_or_taking_back_nothing_changes_nothing(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    message = alice.say(thread, "hi")["message_id"]
    with alice.events() as alices:
        alices.next_of("hello")
        _react(bob, thread, message, THUMBS)
        added = alices.next()
        assert _react(bob, thread, message, THUMBS)["reactions"] == {THUMBS: ["bob"]}
        assert _unreact(bob, thread, message, FLAG)["reactions"] == {THUMBS: ["bob"]}
        assert _unreact(bob, thread, message, THUMBS)["reactions"] == {}
        removed = alices.next()
        assert _unreact(bob, thread, message, THUMBS)["reactions"] == {}
        bob.say(thread, "end")
        # Exactly one event per change: added, removed, then the next message.
        following = alices.next()
    assert (added.kind, added.data["body"], added.data["reactions"]) == (
        "message",
        "hi",
        {THUMBS: ["bob"]},
    )
    assert (removed.kind, removed.data["body"], removed.data["reactions"]) == ("message", "hi", {})
    assert (following.kind, following.data["body"]) == ("message", "end")


def test_members_hear_reactions_as_the_message_with_its_reactions(
    alice: Api, bob: Api, carol: Api
) -> None:
    thread = alice.new_thread("bob", "carol")["thread_id"]
    message = alice.say(thread, "vote")["message_id"]
    with carol.events() as carols:
        carols.next_of("hello")
        _react(alice, thread, message, FLAG)
        _react(bob, thread, message, FLAG)
        _unreact(alice, thread, message, FLAG)
        seen = [carols.next() for _ in range(3)]
    assert [(e.kind, e.data["message_id"]) for e in seen] == [("message", message)] * 3
    # Rendered when sent: the last one shows the reactions as they are now (earlier
    # ones too, if the stream read them after the later changes).
    assert seen[-1].data["reactions"] == {FLAG: ["bob"]}
    assert carol.get(f"/v1/threads/{thread}").json()["unread"] == 1  # still just "vote"


@pytest.mark.parametrize(
    "raw",
    [
        "%20",
        "a%20b",
        "%F0%9F%91%8D%0A",
        "%07",
        "%E2%80%AE%F0%9F%91%8D",  # a right-to-left override
        "%C2%A0",  # a no-break space
        "%FF",  # not UTF-8
        "%F0%9F%91",  # a cut-off four-byte sequence
        "%F0%9F%91%8D" * 17,  # 68 bytes
    ],
)
def test_bad_reactions_are_400(alice: Api, bob: Api, raw: str) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    message = alice.say(thread, "hi")["message_id"]
    for method in ("PUT", "DELETE"):
        response = bob.request(method, f"/v1/threads/{thread}/messages/{message}/reactions/{raw}")
        assert response.status_code == 400, (method, raw)
        assert response.json()["error"] == "invalid_emoji"
    assert bob.history(thread)[0]["reactions"] == {}


def test_reaction_size_limit_is_bytes(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    message = alice.say(thread, "hi")["message_id"]
    fits = THUMBS * (validate.MAX_EMOJI_BYTES // 4)
    assert _react(bob, thread, message, fits)["reactions"] == {fits: ["bob"]}
    over = bob.put(_path(thread, message, fits + "x"))
    assert over.status_code == 400
    # Any text without spaces or controls is allowed: the server keeps no emoji list.
    assert _react(bob, thread, message, "+1")["reactions"][fits] == ["bob"]
    assert _react(bob, thread, message, ".")["reactions"]["."] == ["bob"]


def test_unknown_deleted_and_foreign_messages_are_404(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    other = alice.new_thread("bob")["thread_id"]
    foreign = alice.say(other, "elsewhere")["message_id"]
    gone = alice.say(thread, "soon gone")["message_id"]
    assert alice.delete(f"/v1/threads/{thread}/messages/{gone}").status_code == 204
    for message in ("m999999", "not-an-id", foreign, gone):
        for method in ("PUT", "DELETE"):
            response = bob.request(method, _path(thread, message, THUMBS))
            assert response.status_code == 404, (method, message)
            assert response.json()["error"] == "not_found"


def test_one_person_may_add_only_so_many_different_reactions(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    message = alice.say(thread, "hi")["message_id"]
    emoji = [chr(0x1F600 + i) for i in range(validate.MAX_REACTIONS_PER_USER + 1)]
    for e in emoji[:-1]:
        _react(bob, thread, message, e)
    refused = bob.put(_path(thread, message, emoji[-1]))
    assert (refused.status_code, refused.json()["error"]) == (409, "too_many_reactions")
    _react(alice, thread, message, emoji[-1])  # others still may
    _react(bob, thread, message, emoji[0])  # a repeat is no new reaction
    _unreact(bob, thread, message, emoji[0])
    _react(bob, thread, message, emoji[-1])  # room again
    reactions = bob.history(thread)[0]["reactions"]
    assert list(reactions) == emoji[1:]
    assert reactions[emoji[-1]] == ["alice", "bob"]


def test_deleting_a_message_forgets_its_reactions(
    server: ServerThread, alice: Api, bob: Api
) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    message = alice.say(thread, "hi")["message_id"]
    _react(bob, thread, message, THUMBS)
    _react(alice, thread, message, FAMILY)
    assert alice.delete(f"/v1/threads/{thread}/messages/{message}").status_code == 204
    with sqlite3.connect(server.db_path) as conn:
        assert conn.execute("SELECT count(*) FROM reactions").fetchone() == (0,)
