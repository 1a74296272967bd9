"""One reading of a vanish setting: what one place refuses, every place refuses.

The setting travels between the server, the local adapter, the Matrix adapter and
the store. If one of them accepted a shape another refused, a conversation could
vanish on one screen and keep its messages on the other, so each refusal is checked
at every place here, and each accepted setting reads the same everywhere.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from chatui.backends.local.decode import MalformedData, message_from_json
from chatui.backends.matrix.convert import vanish_from
from chatui.core import wire
from chatui.core.models import MAX_TIMER_SECONDS, VANISH_OFF, VanishSetting
from chatui.core.notices import describe_change
from chatui.server import validate
from chatui.server.refusals import Invalid
from chatui.storage.store import thread_from_dict

BAD: list[Any] = [
    ["vanish"],
    "vanish",
    {"mode": "sometimes"},
    {"mode": None},
    {"mode": "OFF"},
    {"mode": "timer"},
    {"mode": "timer", "seconds": None},
    {"mode": "timer", "seconds": 0},
    {"mode": "timer", "seconds": -5},
    {"mode": "timer", "seconds": MAX_TIMER_SECONDS + 1},
    {"mode": "timer", "seconds": "300"},
    {"mode": "timer", "seconds": 1.5},
    {"mode": "timer", "seconds": True},
    {"mode": "off", "seconds": 30},
    {"mode": "vanish", "seconds": 30},
    {"mode": "vanish", "colour": "red"},
]

GOOD: list[tuple[dict[str, Any], VanishSetting]] = [
    ({"mode": "off"}, VANISH_OFF),
    ({"mode": "vanish"}, VanishSetting("vanish")),
    ({"mode": "timer", "seconds": 1}, VanishSetting("timer", 1)),
    ({"mode": "timer", "seconds": MAX_TIMER_SECONDS}, VanishSetting("timer", MAX_TIMER_SECONDS)),
]


def _message(vanish: Any) -> dict[str, Any]:
    return {"message_id": "m1", "thread_id": "t1", "sender": "bob", "body": "hi", "ts": 1,
            "vanish": vanish}  # fmt: skip


def _stored_thread(vanish: Any) -> dict[str, Any]:
    return {"account_id": "a", "thread_id": "t1", "members": ["me"], "vanish": vanish}


@pytest.mark.parametrize("setting", BAD, ids=repr)
def test_a_bad_setting_is_refused_everywhere(setting: Any) -> None:
    with pytest.raises(Invalid) as server:
        validate.vanish(setting)
    assert server.value.code == "invalid_vanish"
    with pytest.raises(MalformedData, match="invalid vanish setting"):
        message_from_json("acct", _message(setting))
    assert vanish_from(setting) == VANISH_OFF  # Matrix: any client writes these
    with pytest.raises(ValueError):
        thread_from_dict(_stored_thread(setting))
    change = {"what": "vanish", "vanish": setting}
    assert describe_change("bob", change) == "bob turned off vanish mode"


@pytest.mark.parametrize(("setting", "expected"), GOOD, ids=repr)
def test_a_good_setting_reads_the_same_everywhere(
    setting: dict[str, Any], expected: VanishSetting
) -> None:
    assert validate.vanish(setting) == expected
    assert message_from_json("acct", _message(setting)).vanish == expected
    assert vanish_from(setting) == expected
    assert thread_from_dict(_stored_thread(setting)).vanish == expected
    assert expected.to_json() == setting  # and it is written back as it was read


@pytest.mark.parametrize("setting", BAD, ids=repr)
def test_the_documented_vanish_type_refuses_what_the_parser_refuses(setting: Any) -> None:
    """The API document's ``Vanish`` (chatui/core/wire.py) says what the parser does."""
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert(setting, wire.Vanish)


@pytest.mark.parametrize(("setting", "expected"), GOOD, ids=repr)
def test_the_documented_vanish_type_accepts_what_the_parser_accepts(
    setting: dict[str, Any], expected: VanishSetting
) -> None:
    assert msgspec.to_builtins(msgspec.convert(setting, wire.Vanish)) == expected.to_json()
