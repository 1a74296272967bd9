"""Folding sync answers without a server: hostile and odd input, room names.

These need no Synapse: they feed the processor JSON that a broken or malicious
homeserver could send, which a real Synapse never would.
"""

from __future__ import annotations

from chatui.backends.matrix.convert import (
    EXPIRED_REASON,
    THEME_EVENT,
    VANISH_EVENT,
    strip_reply_fallback,
)
from chatui.backends.matrix.sync import SyncProcessor
from chatui.core.models import VANISH_OFF, MessageReceived, MessageRedacted, ThreadUpdated

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
    # Only a reply's body loses its quote (an emote's too); elsewhere "> " is text.
    reply = {"m.relates_to": {"m.in_reply_to": {"event_id": "$q"}}}
    processor = SyncProcessor("mx", ME)
    out = processor.process(
        {
            "next_batch": "s1",
            **_timeline(
                _message("$1", "> <@bob:x> hi\n\nwaves back", msgtype="m.emote", **reply),
                _message("$2", "> quoted\n\nnot a reply"),
            ),
        }
    )
    got = [e.message.body for e in out if isinstance(e, MessageReceived)]
    assert got == ["* @bob:example.org waves back", "> quoted\n\nnot a reply"]


def _state(event_id: str, event_type: str, content: object, **unsigned) -> dict:
    event = {
        "type": event_type,
        "state_key": "",
        "event_id": event_id,
        "sender": "@bob:example.org",
        "origin_server_ts": 1_700_000_000_000,
        "content": content,
    }
    if unsigned:
        event["unsigned"] = unsigned
    return event


def _timeline(*events: dict) -> dict:
    return {"rooms": {"join": {"!r": {"timeline": {"events": list(events)}}}}}


def test_setting_notices_say_only_what_changed_and_a_hostile_one_is_harmless() -> None:
    processor = SyncProcessor("mx", ME)
    events = processor.process(
        _timeline(
            _state("$1", VANISH_EVENT, {"mode": "off"}),  # first ever, the default: nothing
            _state("$2", VANISH_EVENT, {"mode": "vanish"}, replaces_state="$1"),  # unknown before
            _state("$3", VANISH_EVENT, {"mode": "vanish"}, prev_content={"mode": "vanish"}),
            _state("$4", VANISH_EVENT, {"mode": "timer", "seconds": True}, prev_content={}),
            _state("$5", THEME_EVENT, {"name": ["not", "text"], "accent": "red"}),
            _state("$6", THEME_EVENT, {}, prev_content={"name": "Sunset"}),
            _state("$7", THEME_EVENT, "not an object"),
            {**_state("$8", THEME_EVENT, {"name": "Wrong key"}), "state_key": "x"},
            _state(  # a notice someone redacted: its content is gone
                "$10",
                THEME_EVENT,
                {},
                prev_content={"name": "Sunset"},
                redacted_because={"type": "m.room.redaction"},
            ),
            _message("$9", "after"),
        )
    )
    lines = [
        (e.message.message_id, e.message.body) for e in events if isinstance(e, MessageReceived)
    ]
    assert lines == [
        ("$2", "@bob:example.org turned on vanish mode"),
        # $3 set what was there already; $4's malformed timer reads as off, as before
        ("$5", "@bob:example.org reset the theme to the default"),
        ("$6", "@bob:example.org reset the theme to the default"),
        ("$9", "after"),
    ]
    assert processor.rooms["!r"].own_unread == 1  # only the message
    notices = [e.message for e in events if isinstance(e, MessageReceived)][:3]
    assert all(m.kind == "setting" and m.vanish == VANISH_OFF for m in notices)
    assert notices[0].change == {"what": "vanish", "vanish": {"mode": "vanish"}}
    assert notices[2].change == {"what": "theme", "name": None}


def test_an_expiry_is_told_apart_from_a_deletion() -> None:
    processor = SyncProcessor("mx", ME)

    def redaction(event_id: str, target: str, **content: object) -> dict:
        return {
            "type": "m.room.redaction",
            "event_id": event_id,
            "sender": "@bob:example.org",
            "origin_server_ts": 1_700_000_000_000,
            "content": {"redacts": target, **content},
        }

    events = processor.process(
        _timeline(
            _message("$1", "one"),
            _message("$2", "two"),
            redaction("$3", "$1", reason=EXPIRED_REASON),
            redaction("$4", "$2", reason="spam"),
        )
    )
    gone = {e.message_id: e.expired for e in events if isinstance(e, MessageRedacted)}
    assert gone == {"$1": True, "$2": False}


def _member(user: str, name: str | None = None, membership: str = "join") -> dict:
    content: dict = {"membership": membership}
    if name is not None:
        content["displayname"] = name
    return {"type": "m.room.member", "state_key": user, "content": content}


def test_display_names_reach_the_thread_also_from_a_history_page() -> None:
    processor = SyncProcessor("mx", ME)
    room = {"state": {"events": [_member(ME), _member("@bo:x", "Bo"), _member("@al:x")]}}
    processor.process({"rooms": {"join": {"!r": room}}}, emit=False)
    [thread] = processor.threads()
    assert dict(thread.member_names) == {"@bo:x": "Bo"}  # Al has no display name
    assert thread.name_of("@al:x") == "@al:x"

    # An older page names Dee, who reacted long ago and never wrote: her name goes
    # out with the next sync answer (the page itself is no event of the stream).
    reaction = {
        "type": "m.reaction",
        "event_id": "$like",
        "sender": "@dee:x",
        "origin_server_ts": 1_700_000_000_001,
        "content": {"m.relates_to": {"rel_type": "m.annotation", "event_id": "$1", "key": "👍"}},
    }
    [old] = processor.history_page(
        "!r", [reaction, _message("$1", "hello", sender="@bo:x")], [_member("@dee:x", "Dee")]
    )
    assert old.reactions == {"👍": ("@dee:x",)}
    events = processor.process({"next_batch": "s2", "rooms": {}})
    [update] = [e for e in events if isinstance(e, ThreadUpdated)]
    assert dict(update.thread.member_names) == {"@bo:x": "Bo", "@dee:x": "Dee"}
    assert processor.process({"next_batch": "s3", "rooms": {}}) == []  # said once


def _edit(event_id: str, target: str, body: object, sender: str, ts: int, **new) -> dict:
    return {
        "type": "m.room.message",
        "event_id": event_id,
        "sender": sender,
        "origin_server_ts": ts,
        "content": {
            "msgtype": "m.text",
            "body": f"* {body}",
            "m.new_content": {"msgtype": "m.text", "body": body, **new},
            "m.relates_to": {"rel_type": "m.replace", "event_id": target},
        },
    }


def _bodies(events: list) -> list[tuple[str, str, bool]]:
    return [
        (e.message.message_id, e.message.body, e.message.edited)
        for e in events
        if isinstance(e, MessageReceived)
    ]


def test_edits_count_only_from_the_sender_newest_last_and_never_revive_a_tombstone() -> None:
    processor = SyncProcessor("mx", ME)
    t0 = 1_700_000_000_000
    out = processor.process(
        {
            "next_batch": "s1",
            **_timeline(
                _message("$m", "v1"),
                _edit("$e2", "$m", "v3", "@bob:example.org", t0 + 20),
                _edit("$e1", "$m", "v2", "@bob:example.org", t0 + 10),  # older, late
                _edit("$x", "$m", "not hers", "@eve:example.org", t0 + 30),
                _edit("$bad", "$m", {"not": "text"}, "@bob:example.org", t0 + 40),
            ),
        }
    )
    assert _bodies(out) == [("$m", "v1", False), ("$m", "v3", True)]
    out = processor.process(
        {
            "next_batch": "s2",
            **_timeline(
                {
                    "type": "m.room.redaction",
                    "event_id": "$r",
                    "sender": "@bob:example.org",
                    "origin_server_ts": t0 + 50,
                    "redacts": "$m",
                    "content": {},
                },
                _edit("$e3", "$m", "back from the dead", "@bob:example.org", t0 + 60),
            ),
        }
    )
    assert [type(e).__name__ for e in out if not isinstance(e, ThreadUpdated)] == [
        "MessageRedacted"
    ]
    preview = processor.thread(processor.rooms["!r"]).last_message
    assert preview is not None and preview.deleted  # "message deleted"


def test_a_redacted_message_in_history_is_a_tombstone_unless_it_expired() -> None:
    processor = SyncProcessor("mx", ME)
    redacted = {**_message("$gone", "x"), "content": {}}
    deleted = {**redacted, "unsigned": {"redacted_because": {"content": {}}}}
    expired = {
        **redacted,
        "event_id": "$vanished",
        "unsigned": {"redacted_because": {"content": {"reason": EXPIRED_REASON}}},
    }
    odd = {**redacted, "event_id": "$odd", "unsigned": {"redacted_because": "yes"}}
    page = processor.history_page("!r", [odd, expired, deleted])
    assert [(m.message_id, m.kind, m.body) for m in page] == [("$gone", "deleted", "")]


def test_mentions_of_me_from_any_shape_of_content() -> None:
    processor = SyncProcessor("mx", ME)
    cases = [
        ({"m.mentions": {"user_ids": [ME]}}, True),
        ({"m.mentions": {"user_ids": ME}}, False),  # not a list: nobody
        ({"m.mentions": {"room": "yes"}}, False),
        ({"m.mentions": {"room": True}}, True),
        ({"m.mentions": "everyone"}, False),  # not an object: read as absent
        ({}, False),
    ]
    events = [
        _message(f"${n}", "hi @me" if extra.get("m.mentions") == "everyone" else "hi", **extra)
        for n, (extra, _) in enumerate(cases)
    ]
    out = processor.process({"next_batch": "s1", **_timeline(*events)})
    got = [e.message.mentions_me for e in out if isinstance(e, MessageReceived)]
    # "everyone" is no m.mentions object, so the body's "@me" counts (an older client).
    assert got == [True, False, False, True, True, False]
    mine = processor.process(
        {"next_batch": "s2", **_timeline(_message("$own", "hi @me", sender=ME))}
    )
    assert [e.message.mentions_me for e in mine if isinstance(e, MessageReceived)] == [False]


def test_typing_lists_become_events_and_odd_ones_are_skipped() -> None:
    processor = SyncProcessor("mx", ME)
    ephemeral = {
        "events": [
            {"type": "m.typing", "content": {"user_ids": ["@bob:x", 5, "@bob:x", "@cy:x"]}},
            {"type": "m.typing", "content": {"user_ids": "@bob:x"}},
            {"type": "m.typing", "content": []},
        ]
    }
    out = processor.process(
        {"next_batch": "s1", "rooms": {"join": {"!r": {"ephemeral": ephemeral}}}}
    )
    typing = [e for e in out if type(e).__name__ == "TypingChanged"]
    assert [(e.thread_id, e.users, e.timeout_ms) for e in typing] == [
        ("!r", ("@bob:x", "@cy:x"), None)
    ]
