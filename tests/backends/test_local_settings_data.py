"""Reading setting notices, reactions and expired redactions from server JSON.

Server data is untrusted: a notice with a broken ``change`` is still a message, an
odd ``expired`` is not an expiry, and nothing here may raise past the adapter.
"""

from __future__ import annotations

from typing import Any

import pytest

from chatui.backends.local import LocalBackend
from chatui.backends.local.decode import message_from_json, thread_from_json
from chatui.core.models import (
    VANISH_OFF,
    AccountConfig,
    MessageReceived,
    MessageRedacted,
    ThreadUpdated,
    VanishSetting,
)
from chatui.core.notices import describe_change


def _message(**fields: Any) -> dict[str, Any]:
    return {
        "message_id": "m7",
        "thread_id": "t1",
        "sender": "alice",
        "body": "alice turned on vanish mode",
        "ts": 1_700_000_000_000,
        "txn_id": None,
        "reply_to": None,
        "reactions": {},
        "vanish": {"mode": "off"},
        "kind": "text",
        "change": None,
        **fields,
    }


def _backend() -> LocalBackend:
    return LocalBackend(AccountConfig("acct", "local", "http://127.0.0.1:9", "bob", "L", "#fff"))


def test_a_setting_notice_is_read_with_its_change() -> None:
    change = {"what": "vanish", "vanish": {"mode": "timer", "seconds": 30}}
    message = message_from_json("acct", _message(kind="setting", change=change))
    assert message.kind == "setting"
    assert dict(message.change or {}) == change
    assert message.vanish == VANISH_OFF


def test_a_plain_message_from_an_older_server_is_text() -> None:
    data = _message()
    del data["kind"], data["change"]
    message = message_from_json("acct", data)
    assert (message.kind, message.change) == ("text", None)


@pytest.mark.parametrize("change", [None, "vanish", ["what", "theme"], 42, True])
def test_a_malformed_change_still_gives_the_notice(change: Any) -> None:
    message = message_from_json("acct", _message(kind="setting", change=change))
    assert message.kind == "setting"
    assert message.change is None
    assert message.body == "alice turned on vanish mode"
    # The shared wording copes with whatever is left.
    assert describe_change("alice", message.change) == "alice changed the conversation settings"


def test_an_odd_change_object_is_kept_for_the_reader_to_judge() -> None:
    odd = {"what": "theme", "name": ["not", "a", "name"], "extra": {"deep": 1}}
    message = message_from_json("acct", _message(kind="setting", change=odd))
    assert dict(message.change or {}) == odd
    assert describe_change("alice", message.change) == "alice reset the theme to the default"


@pytest.mark.parametrize("kind", ["emote", "", None, 3, "SETTING"])
def test_unknown_kinds_are_text(kind: Any) -> None:
    message = message_from_json("acct", _message(kind=kind, change={"what": "vanish"}))
    assert (message.kind, message.change) == ("text", None)


def test_a_setting_notice_never_vanishes_whatever_the_server_says() -> None:
    data = _message(kind="setting", vanish={"mode": "timer", "seconds": 5})
    assert message_from_json("acct", data).vanish == VANISH_OFF
    plain = message_from_json("acct", _message(vanish={"mode": "timer", "seconds": 5}))
    assert plain.vanish == VanishSetting("timer", 5)


def test_reactions_keep_their_order_and_drop_junk() -> None:
    data = _message(reactions={"🍕": ["bob", "alice"], "👍": ["carol", 5], "x": "bob", "❤": []})
    message = message_from_json("acct", data)
    assert list(message.reactions.items()) == [
        ("🍕", ("bob", "alice")),
        ("👍", ("carol",)),
        ("❤", ()),
    ]


@pytest.mark.parametrize(
    ("expired", "expected"),
    [(True, True), (False, False), (None, False), ("true", False), (1, False)],
)
def test_only_a_true_expired_flag_is_an_expiry(expired: Any, expected: bool) -> None:
    data: dict[str, Any] = {"thread_id": "t1", "message_id": "m7"}
    if expired is not None:
        data["expired"] = expired
    event = _backend()._event_from_json("redaction", data, "c-1")
    assert isinstance(event, MessageRedacted)
    assert event.expired is expected


def test_setting_events_become_model_events() -> None:
    backend = _backend()
    notice = backend._event_from_json(
        "message", _message(kind="setting", change={"what": "theme", "name": "Sunset"}), "c-2"
    )
    assert isinstance(notice, MessageReceived) and notice.message.kind == "setting"
    thread = backend._event_from_json(
        "thread",
        {
            "thread_id": "t1",
            "title": None,
            "members": ["alice", "bob"],
            "theme": {"name": "Sunset", "dark": True},
            "vanish": {"mode": "vanish"},
            "last_message": _message(kind="setting", change="garbage"),
            "unread": 0,
            "created_ts": 1,
        },
        "c-3",
    )
    assert isinstance(thread, ThreadUpdated)
    assert thread.thread.vanish == VanishSetting("vanish")
    assert thread.thread.last_message is not None
    assert thread.thread.last_message.change is None


def test_a_thread_with_a_malformed_theme_is_still_a_thread() -> None:
    data = {"thread_id": "t1", "title": None, "members": ["a"], "theme": "Sunset"}
    assert thread_from_json("acct", data).theme is None
