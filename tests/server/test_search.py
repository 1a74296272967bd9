"""GET /v1/search: words found in the caller's threads only, newest first, paged.

All over real HTTP to a live server. The leak tests matter most: a search must
never show a message of a thread the caller is not a member of, nor one that was
unsent, expired, edited away or sent to vanish.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chatui.core import wire
from chatui.server.runner import ServerThread
from tests.server.conftest import Api
from tests.server.test_edit_unsend import _on_disk


def search(api: Api, q: str, **params: Any) -> dict[str, Any]:
    response = api.get("/v1/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return response.json()


def bodies(api: Api, q: str, **params: Any) -> list[str]:
    return [m["body"] for m in search(api, q, **params)["messages"]]


def test_a_word_finds_the_message_with_where_it_is(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob", title="Lunch")["thread_id"]
    sent = alice.say(thread, "The café on Rue Oberkampf has the best croissants")
    alice.say(thread, "see you at noon")
    answer = search(bob, "croissants")
    assert answer["next"] is None
    [found] = answer["messages"]
    assert found == sent  # the whole message: thread_id, sender, ts, body, message_id...
    assert (found["thread_id"], found["sender"]) == (thread, "alice")


def test_matching_ignores_case_and_accents_and_finds_parts_of_words(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    alice.say(thread, "The CAFÉ on the corner")
    alice.say(thread, "Straße closed, take the Ångström bridge")
    alice.say(thread, "我们明天一起吃午餐吧")
    assert bodies(bob, "cafe") == ["The CAFÉ on the corner"]
    assert bodies(bob, "Café") == ["The CAFÉ on the corner"]
    assert bodies(bob, "strasse angst") == ["Straße closed, take the Ångström bridge"]
    assert bodies(bob, "corn") == ["The CAFÉ on the corner"]  # a prefix, while typing
    assert bodies(bob, "午餐") == ["我们明天一起吃午餐吧"]  # no spaces between words


def test_every_word_must_match_and_a_quoted_phrase_matches_whole(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    alice.say(thread, "the staging key is in the vault")
    alice.say(thread, "the key to staging is patience")
    alice.say(thread, "staging is down")
    assert bodies(bob, "staging key") == [
        "the key to staging is patience",
        "the staging key is in the vault",
    ]
    assert bodies(bob, '"staging key"') == ["the staging key is in the vault"]
    assert bodies(bob, "staging key vault") == ["the staging key is in the vault"]
    assert bodies(bob, "staging nothing") == []


def test_results_come_from_every_thread_newest_first(
    server: ServerThread, alice: Api, bob: Api, carol: Api
) -> None:
    one = alice.new_thread("bob")["thread_id"]
    two = alice.new_thread("bob", "carol", title="Trip")["thread_id"]
    db = server.database
    db.add_message(one, "alice", "hike on saturday?", ts=1_000)
    db.add_message(two, "carol", "the hike starts at 9", ts=3_000)
    db.add_message(one, "bob", "hike yes", ts=2_000)
    found = search(bob, "hike")["messages"]
    assert [(m["thread_id"], m["body"]) for m in found] == [
        (two, "the hike starts at 9"),
        (one, "hike yes"),
        (one, "hike on saturday?"),
    ]
    assert [m["body"] for m in search(carol, "hike")["messages"]] == ["the hike starts at 9"]


def test_another_users_thread_never_leaks(
    server: ServerThread, alice: Api, bob: Api, carol: Api
) -> None:
    ours = alice.new_thread("bob")["thread_id"]
    theirs = bob.new_thread("carol", title="Surprise for alice")["thread_id"]
    alice.say(ours, "password hint: the blue one")
    bob.say(theirs, "password for the party wifi is balloons")
    carol.say(theirs, "balloons ordered")
    # Many more of theirs, so that a missing membership check could not hide behind
    # the page size.
    server.database.add_messages_bulk((theirs, "carol", f"balloons {i}", None) for i in range(60))
    assert bodies(alice, "password") == ["password hint: the blue one"]
    assert bodies(alice, "balloons") == []
    assert search(alice, "balloons", limit=100)["next"] is None
    assert len(search(carol, "balloons", limit=100)["messages"]) == 62
    # A cursor carries a position only: paging with one cannot reach further.
    page = search(carol, "balloons", limit=5)
    assert bodies(alice, "balloons", before=page["next"]) == []
    assert bodies(alice, "password", before=page["next"]) == ["password hint: the blue one"]


def test_unsent_expired_and_edited_away_text_is_not_found(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    unsent = alice.say(thread, "oops the secret plan")
    expired = alice.say(thread, "secret that expires")
    edited = alice.say(thread, "the secret word is swordfish")
    alice.say(thread, "not a secret at all")
    assert alice.delete(f"/v1/threads/{thread}/messages/{unsent['message_id']}").status_code == 204
    gone = alice.delete(
        f"/v1/threads/{thread}/messages/{expired['message_id']}", params={"expired": "true"}
    )
    assert gone.status_code == 204
    changed = alice.patch(
        f"/v1/threads/{thread}/messages/{edited['message_id']}",
        json={"body": "the word is rosebud"},
    )
    assert changed.status_code == 200
    assert bodies(bob, "secret") == ["not a secret at all"]
    assert bodies(bob, "swordfish") == []
    assert bodies(bob, "rosebud") == ["the word is rosebud"]


def test_vanishing_threads_and_their_messages_are_never_found(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    vanish = f"/v1/threads/{thread}/vanish"
    alice.say(thread, "picnic plan, kept")
    assert alice.put(vanish, json={"mode": "timer", "seconds": 3600}).status_code == 200
    alice.say(thread, "picnic plan, sent to vanish")
    # While the thread vanishes, nothing in it is found, older messages included.
    assert bodies(bob, "picnic") == []
    assert alice.put(vanish, json={"mode": "off"}).status_code == 200
    # Off again: what was sent to vanish stays unfindable; the rest comes back.
    assert bodies(bob, "picnic") == ["picnic plan, kept"]
    # Setting notices are not messages anyone wrote: "turned off vanish mode".
    assert bodies(bob, "vanish") == []


def test_pages_follow_each_other_without_gaps_or_repeats(
    server: ServerThread, alice: Api, bob: Api
) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    # Three per millisecond: the order must break ties on the same ts, stably.
    server.database.add_messages_bulk(
        (thread, "alice", f"report {i}" if i % 2 else f"noise {i}", 5_000 + i // 3)
        for i in range(90)
    )
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 20}
        if cursor is not None:
            params["before"] = cursor
        page = search(bob, "report", **params)
        pages += 1
        seen += [m["body"] for m in page["messages"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [f"report {i}" for i in range(89, 0, -2)]
    assert bodies(bob, "report", limit=wire.MAX_SEARCH_LIMIT) == seen


def _refusal(api: Api, params: dict[str, Any]) -> tuple[int, str, str]:
    response = api.get("/v1/search", params=params)
    body = response.json()
    assert set(body) == {"error", "message"}
    return response.status_code, body["error"], body["message"]


@pytest.mark.parametrize(
    ("params", "code", "words"),
    [
        ({}, "invalid_parameter", "q is missing"),
        ({"q": "   "}, "invalid_parameter", "at least one word"),
        ({"q": '""'}, "invalid_parameter", "at least one word"),
        ({"q": "x" * (wire.MAX_SEARCH_QUERY_CHARS + 1)}, "invalid_parameter", "at most 256"),
        ({"q": " ".join(f"w{i}" for i in range(17))}, "invalid_parameter", "at most 16 words"),
        ({"q": "hi", "limit": "0"}, "invalid_parameter", "from 1 to 100"),
        ({"q": "hi", "limit": "101"}, "invalid_parameter", "from 1 to 100"),
        ({"q": "hi", "limit": "ten"}, "invalid_parameter", "from 1 to 100"),
        ({"q": "hi", "before": "m1"}, "invalid_cursor", "not a cursor"),
        ({"q": "hi", "before": "s1.x"}, "invalid_cursor", "not a cursor"),
    ],
)
def test_bad_queries_are_refused_clearly(
    alice: Api, params: dict[str, Any], code: str, words: str
) -> None:
    status, error, message = _refusal(alice, params)
    assert (status, error) == (400, code)
    assert words in message


def test_the_limits_themselves_are_accepted(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    alice.say(thread, "w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15")
    sixteen = " ".join(f"w{i}" for i in range(16))
    assert len(bodies(bob, sixteen, limit=wire.MAX_SEARCH_LIMIT)) == 1
    longest = "w1" + " " * (wire.MAX_SEARCH_QUERY_CHARS - 2)
    assert len(bodies(bob, longest, limit=1)) == 1


def test_search_needs_a_token(anonymous: Api) -> None:
    response = anonymous.get("/v1/search", params={"q": "anything"})
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


def test_the_searchable_copy_leaves_the_files_with_the_text(
    server: ServerThread, alice: Api, bob: Api
) -> None:
    """Search reads a folded copy of each text (chatui/server/search.py): it must go
    wherever the text goes, and a message sent to vanish never gets one."""
    db_path = Path(server.database.path)
    thread = alice.new_thread("bob")["thread_id"]
    unsent = alice.say(thread, "Ünsent SÉCRET Wörd")
    edited = alice.say(thread, "Édited Öld Wörding")
    expired = alice.say(thread, "Éxpired Wörd Here")
    assert _on_disk(db_path, "unsent secret word")  # the folded copy exists...
    assert bodies(bob, "unsent secret") == ["Ünsent SÉCRET Wörd"]
    assert alice.delete(f"/v1/threads/{thread}/messages/{unsent['message_id']}").status_code == 204
    patched = alice.patch(
        f"/v1/threads/{thread}/messages/{edited['message_id']}", json={"body": "new text"}
    )
    assert patched.status_code == 200
    gone = alice.delete(
        f"/v1/threads/{thread}/messages/{expired['message_id']}", params={"expired": "true"}
    )
    assert gone.status_code == 204
    for folded in ("unsent secret word", "edited old wording", "expired word here"):
        assert _on_disk(db_path, folded) == [], folded  # ...and goes with the text
    vanishing = alice.new_thread("bob")["thread_id"]
    assert alice.put(f"/v1/threads/{vanishing}/vanish", json={"mode": "vanish"}).status_code == 200
    alice.say(vanishing, "Vänishing SÉCRET")
    assert _on_disk(db_path, "Vänishing SÉCRET")  # the text, until it goes
    assert _on_disk(db_path, "vanishing secret") == []  # but never a second copy
