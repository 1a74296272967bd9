"""Folding sync answers without a server: hostile and odd input, room names.

These need no Synapse: they feed the processor JSON that a broken or malicious
homeserver could send, which a real Synapse never would.
"""

from __future__ import annotations

from chatui.backends.matrix.convert import strip_reply_fallback
from chatui.backends.matrix.sync import SyncProcessor
from chatui.core.models import MessageReceived, ThreadUpdated

ME = "@me:example.org"
NAME_CLUB = {"type": "m.room.name", "state_key": "", "content": {"name": "Club"}}


def _message(event_id: str, body: object, sender: str = "@bob:example.org", **extra) -> dict:
    return {
        "type": "m.room.message",
        "event_id": event_id,
        "sender": sender,
        "origin_server_ts": 1_700_000_000_000,
        "content": {"msgtype": "m.text", "body": body, **extra},
    }


def test_malformed_events_are_skipped_and_the_rest_goes_on() -> None:
    processor = SyncProcessor("mx", ME)
    response = {
        "next_batch": "s1",
        "rooms": {
            "join": {
                "!ok": {
                    "timeline": {
                        "events": [
                            "not an object",
                            {"type": "m.room.message"},  # no id, sender, content
                            _message("$1", {"nested": "object"}),  # body not a string
                            {**_message("$2", "x"), "origin_server_ts": "yesterday"},
                            _message("$3", "still here"),
                        ]
                    },
                    "state": {"events": [None, {"type": "m.room.name", "content": []}]},
                    "unread_notifications": {"notification_count": "many"},
                },
                "!broken": "not a room",
            },
            "invite": ["not", "a", "mapping"],
        },
        "account_data": {"events": [{"type": "m.direct", "content": {"@x:y": "nope"}}]},
    }
    events = processor.process(response)
    bodies = [e.message.body for e in events if isinstance(e, MessageReceived)]
    assert bodies == ["still here"]
    assert any(isinstance(e, ThreadUpdated) and e.thread.thread_id == "!ok" for e in events)


def test_room_names_follow_the_spec_order() -> None:
    processor = SyncProcessor("mx", ME)
    members = [
        {"type": "m.room.member", "state_key": user, "content": {"membership": "join", **name}}
        for user, name in [
            (ME, {}),
            ("@a:x", {"displayname": "Ann"}),
            ("@b:x", {"displayname": "Ben"}),
            ("@c:x", {}),
        ]
    ]
    processor.process(
        {
            "rooms": {
                "join": {
                    "!group": {
                        "summary": {
                            "m.heroes": ["@a:x", "@b:x", "@c:x"],
                            "m.joined_member_count": 6,
                        },
                        "state": {"events": members},
                    },
                    "!named": {"state": {"events": [NAME_CLUB]}},
                    "!alone": {},
                }
            }
        },
        emit=False,
    )
    titles = {t.thread_id: t.title for t in processor.threads()}
    assert titles == {
        "!group": "Ann, Ben, @c:x and 2 others",
        "!named": "Club",
        "!alone": "Empty room",
    }


def test_reply_fallbacks_are_dropped_from_the_body() -> None:
    assert strip_reply_fallback("> <@bob:x> tea or coffee?\n\ntea") == "tea"
    assert strip_reply_fallback("> just a quote") == "> just a quote"
    assert strip_reply_fallback("no quote") == "no quote"
