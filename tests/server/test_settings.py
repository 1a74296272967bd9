"""Shared thread settings: PUT vanish and PUT theme, and the notices they leave.

A change is a message of kind "setting" from the caller, worded by
chatui.core.notices.describe_change, told to every member as a thread event
followed by that message; setting the same value again changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.conftest import Api

DAY = 24 * 60 * 60
FOUR_WEEKS = 28 * DAY


def _vanish(api: Api, thread: str, setting: Any) -> Any:
    return api.put(f"/v1/threads/{thread}/vanish", json=setting)


def _theme(api: Api, thread: str, theme: Any) -> Any:
    return api.put(f"/v1/threads/{thread}/theme", json=theme)


def _notices(api: Api, thread: str) -> list[str]:
    return [m["body"] for m in api.history(thread) if m["kind"] == "setting"]


# --- vanish ------------------------------------------------------------------------


def test_turning_on_vanish_mode_is_shared_and_announced(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    response = _vanish(alice, thread, {"mode": "vanish"})
    assert response.status_code == 200, response.text
    assert response.json()["vanish"] == {"mode": "vanish"}
    assert bob.get(f"/v1/threads/{thread}").json()["vanish"] == {"mode": "vanish"}

    [notice] = bob.history(thread)
    assert notice["kind"] == "setting"
    assert notice["sender"] == "alice"
    assert notice["body"] == "alice turned on vanish mode"
    assert notice["change"] == {"what": "vanish", "vanish": {"mode": "vanish"}}
    assert notice["vanish"] == {"mode": "off"}  # notices never vanish themselves
    assert notice["reactions"] == {}
    listed = bob.get("/v1/threads").json()["threads"][0]
    assert listed["last_message"]["body"] == "alice turned on vanish mode"
    assert listed["unread"] == 0  # a notice is not something to read


def test_messages_keep_the_setting_in_force_when_sent(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    before = alice.say(thread, "plain")
    assert _vanish(alice, thread, {"mode": "timer", "seconds": 300}).status_code == 200
    during = bob.say(thread, "gone in five minutes")
    assert _vanish(bob, thread, {"mode": "off"}).status_code == 200
    after = alice.say(thread, "plain again")
    assert before["vanish"] == after["vanish"] == {"mode": "off"}
    assert during["vanish"] == {"mode": "timer", "seconds": 300}
    assert during["kind"] == "text" and during["change"] is None
    assert _notices(alice, thread) == [
        "alice set messages to disappear after 5 minutes",
        "bob turned off vanish mode",
    ]
    # Bob's own notice does not count for him; Alice's notices never count.
    assert bob.get(f"/v1/threads/{thread}").json()["unread"] == 2  # "plain", "plain again"
    assert alice.get(f"/v1/threads/{thread}").json()["unread"] == 1  # Bob's message


def test_setting_the_same_vanish_again_adds_no_notice(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    assert _vanish(alice, thread, {"mode": "off"}).status_code == 200  # already off
    for _ in range(2):
        assert _vanish(alice, thread, {"mode": "timer", "seconds": DAY}).status_code == 200
    assert _vanish(bob, thread, {"mode": "timer", "seconds": DAY}).status_code == 200
    assert _notices(bob, thread) == ["alice set messages to disappear after 1 day"]


@pytest.mark.parametrize(
    "setting",
    [
        {},
        {"mode": "sometimes"},
        {"mode": None},
        {"mode": "OFF"},
        {"mode": "timer"},
        {"mode": "timer", "seconds": None},
        {"mode": "timer", "seconds": 0},
        {"mode": "timer", "seconds": -5},
        {"mode": "timer", "seconds": FOUR_WEEKS + 1},
        {"mode": "timer", "seconds": "300"},
        {"mode": "timer", "seconds": 1.5},
        {"mode": "timer", "seconds": True},
        {"mode": "off", "seconds": 30},
        {"mode": "vanish", "seconds": 30},
        {"mode": "off", "seconds": None},
        {"mode": "vanish", "colour": "red"},
    ],
)
def test_invalid_vanish_settings_are_400(alice: Api, bob: Api, setting: dict) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    response = _vanish(alice, thread, setting)
    assert response.status_code == 400, setting
    assert response.json()["error"] == "invalid_vanish"
    assert response.json()["message"]
    assert alice.get(f"/v1/threads/{thread}").json()["vanish"] == {"mode": "off"}
    assert alice.history(thread) == []


def test_vanish_needs_a_json_object(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    assert _vanish(alice, thread, ["vanish"]).json()["error"] == "invalid_request"
    broken = alice.put(f"/v1/threads/{thread}/vanish", content=b"{mode")
    assert (broken.status_code, broken.json()["error"]) == (400, "malformed_json")


def test_the_timer_limits_are_inclusive(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    for seconds in (1, FOUR_WEEKS):
        response = _vanish(alice, thread, {"mode": "timer", "seconds": seconds})
        assert response.json()["vanish"] == {"mode": "timer", "seconds": seconds}


# --- themes ------------------------------------------------------------------------

SUNSET = {
    "name": "Sunset",
    "dark": True,
    "mine_bubble": ["#ff7e5f", "#feb47b"],
    "theirs_bubble": ["#2d2d44"],
    "quick_reactions": ["❤️", "😂", "👍"],
}


def test_a_theme_is_shared_announced_and_reset(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    response = _theme(alice, thread, SUNSET)
    assert response.status_code == 200, response.text
    assert response.json()["theme"] == SUNSET
    # Every field comes back as sent, also ones the server knows nothing about.
    assert bob.get(f"/v1/threads/{thread}").json()["theme"] == SUNSET

    assert _theme(bob, thread, dict(reversed(SUNSET.items()))).status_code == 200  # same
    reset = _theme(bob, thread, {})
    assert reset.status_code == 200 and reset.json()["theme"] is None
    assert _theme(bob, thread, {}).status_code == 200  # already none

    notices = [m for m in alice.history(thread) if m["kind"] == "setting"]
    assert [(m["sender"], m["body"], m["change"]) for m in notices] == [
        ("alice", "alice changed the theme to Sunset", {"what": "theme", "name": "Sunset"}),
        ("bob", "bob reset the theme to the default", {"what": "theme", "name": None}),
    ]


def test_changing_fields_but_not_the_name_is_a_change(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    _theme(alice, thread, SUNSET)
    _theme(alice, thread, {**SUNSET, "dark": False})
    assert _notices(bob, thread) == ["alice changed the theme to Sunset"] * 2
    assert bob.get(f"/v1/threads/{thread}").json()["theme"]["dark"] is False


def _nested(depth: int) -> dict:
    node: dict = {}
    for _ in range(depth - 2):
        node = {"x": node}
    return {"name": "deep", "x": node}


@pytest.mark.parametrize(
    "theme",
    [
        {"name": ""},
        {"name": "   "},
        {"name": 5},
        {"name": None},
        {"name": ["Sunset"]},
        {"mine_bubble": ["#000000"]},  # no name
        {"name": "x" * 65},
        {"name": "evil\x1b]52;c;aGk=\x07"},
        {"name": "tab\there"},
        {"name": "\u202eteS nuS"},
        _nested(9),
    ],
    ids=lambda t: repr(t)[:30],
)
def test_invalid_themes_are_400(alice: Api, bob: Api, theme: dict) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    response = _theme(alice, thread, theme)
    assert response.status_code == 400, theme
    assert response.json()["error"] == "invalid_theme"
    assert alice.get(f"/v1/threads/{thread}").json()["theme"] is None
    assert alice.history(thread) == []


def test_theme_limits(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    assert _theme(alice, thread, {"name": "x" * 64}).status_code == 200
    assert _theme(alice, thread, {"name": "🌅" * 64}).status_code == 200  # characters
    assert _theme(alice, thread, _nested(8)).status_code == 200
    assert _theme(alice, thread, {"name": "fits", "pad": "y" * 16_000}).status_code == 200
    big = _theme(alice, thread, {"name": "big", "pad": "y" * 16_400})
    assert (big.status_code, big.json()["error"]) == (413, "too_large")
    assert alice.get(f"/v1/threads/{thread}").json()["theme"]["name"] == "fits"
    surrogate = alice.put(
        f"/v1/threads/{thread}/theme",
        content=b'{"name": "half \\ud800 a pair"}',
        headers={"Content-Type": "application/json"},
    )
    assert surrogate.status_code == 400
    not_object = _theme(alice, thread, "Sunset")
    assert (not_object.status_code, not_object.json()["error"]) == (400, "invalid_request")


# --- the events ----------------------------------------------------------------------


def test_members_hear_the_new_setting_then_its_notice(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    with bob.events() as bobs:
        bobs.next_of("hello")
        _vanish(alice, thread, {"mode": "vanish"})
        update = bobs.next()
        assert update.kind == "thread"
        assert update.data["vanish"] == {"mode": "vanish"}
        notice = bobs.next()
        assert notice.kind == "message"
        assert notice.data["kind"] == "setting"
        assert notice.data["body"] == "alice turned on vanish mode"

        _theme(alice, thread, SUNSET)
        update = bobs.next()
        assert (update.kind, update.data["theme"]["name"]) == ("thread", "Sunset")
        assert bobs.next().data["body"] == "alice changed the theme to Sunset"

        # Nothing for a repeat: the next event is Bob's own message.
        _vanish(alice, thread, {"mode": "vanish"})
        _theme(alice, thread, SUNSET)
        bob.say(thread, "nice")
        assert bobs.next().data["body"] == "nice"


def test_non_members_get_404_from_every_new_route(alice: Api, bob: Api, carol: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    message = alice.say(thread, "private")["message_id"]
    base = f"/v1/threads/{thread}"
    for method, path, body in [
        ("PUT", f"{base}/vanish", {"mode": "vanish"}),
        ("PUT", f"{base}/theme", SUNSET),
        ("PUT", f"{base}/theme", {}),
        ("PUT", f"{base}/messages/{message}/reactions/%F0%9F%91%8D", None),
        ("DELETE", f"{base}/messages/{message}/reactions/%F0%9F%91%8D", None),
        ("DELETE", f"{base}/messages/{message}?expired=true", None),
    ]:
        response = carol.request(method, path, json=body)
        assert response.status_code == 404, (method, path)
        assert response.json()["error"] == "not_found"
    thread_now = alice.get(base).json()
    assert (thread_now["vanish"], thread_now["theme"]) == ({"mode": "off"}, None)
    assert [(m["body"], m["reactions"]) for m in alice.history(thread)] == [("private", {})]


def test_without_a_token_the_new_routes_are_401(alice: Api, bob: Api, anonymous: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    assert _vanish(anonymous, thread, {"mode": "off"}).status_code == 401
    assert _theme(anonymous, thread, {}).status_code == 401
