"""The shared-setting notices and the durations people type for vanish timers."""

import pytest

from chatui.core.models import VanishSetting
from chatui.core.notices import (
    describe_change,
    duration_short,
    duration_words,
    parse_duration,
    theme_change,
    vanish_change,
)


def test_vanish_notices_read_as_sentences():
    assert describe_change("alice", vanish_change(VanishSetting("vanish"))) == (
        "alice turned on vanish mode"
    )
    assert describe_change("bob", vanish_change(VanishSetting("timer", 300))) == (
        "bob set messages to disappear after 5 minutes"
    )
    assert describe_change("bob", vanish_change(VanishSetting())) == ("bob turned off vanish mode")


def test_theme_notices_name_the_theme_or_the_default():
    assert describe_change("bob", theme_change("Sunset")) == "bob changed the theme to Sunset"
    assert describe_change("bob", theme_change(None)) == "bob reset the theme to the default"


@pytest.mark.parametrize("junk", [None, {}, {"what": "vanish", "vanish": "x"}, {"what": 3}])
def test_a_malformed_change_still_reads_as_a_sentence(junk):
    assert describe_change("eve", junk).startswith("eve ")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("5m", 300), ("1h30m", 5400), ("1d", 86400), ("2w", 1209600), ("45", 45)],
)
def test_durations_people_type(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "five", "5x", "m5", "0", "5w", "1h 30"])
def test_bad_durations_are_refused_with_a_reason(text):
    with pytest.raises(ValueError, match=r"duration|4 weeks"):
        parse_duration(text)


def test_duration_wording():
    assert duration_words(90) == "1 minute 30 seconds"
    assert duration_words(604800) == "1 week"
    assert duration_short(299.2) == "5m 0s"
    assert duration_short(0.2) == "1s"
    assert duration_short(90061) == "1d 1h"
