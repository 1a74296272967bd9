"""The words for shared-setting changes, and the vanish durations people type.

Both backends and the app say "alice turned on vanish mode" the same way, so the
sentence is built here, once, from the structured change a ``kind="setting"``
message carries (see :class:`chatui.core.models.Message`). Names in it are
untrusted: the caller renders the result through the sanitiser like any body.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from chatui.core.models import (
    MAX_TIMER_SECONDS,
    VANISH_OFF,
    BadVanish,
    VanishSetting,
    parse_vanish,
)

# The presets offered in menus (docs/vanish.md), in seconds.
TIMER_PRESETS: tuple[int, ...] = (30, 5 * 60, 60 * 60, 24 * 60 * 60, 7 * 24 * 60 * 60)

_UNITS: tuple[tuple[str, int], ...] = (
    ("week", 7 * 24 * 3600),
    ("day", 24 * 3600),
    ("hour", 3600),
    ("minute", 60),
    ("second", 1),
)
_SUFFIX = {"s": 1, "m": 60, "h": 3600, "d": 24 * 3600, "w": 7 * 24 * 3600}
_PART = re.compile(r"(\d+)\s*([smhdw])")


def duration_words(seconds: int) -> str:
    """``300`` -> "5 minutes", ``90`` -> "1 minute 30 seconds" (two units at most)."""
    parts: list[str] = []
    rest = max(0, int(seconds))
    for name, size in _UNITS:
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count} {name}{'' if count == 1 else 's'}")
        if len(parts) == 2:
            break
    return " ".join(parts) or "0 seconds"


def duration_short(seconds: float) -> str:
    """A remaining time for a badge: "4m 59s", "23h 5m", "6d 2h", "12s"."""
    rest = max(0, int(seconds + 0.999))  # 0.2 s left still reads "1s"
    shown: list[str] = []
    for name, size in _UNITS:
        count, rest = divmod(rest, size)
        if count or shown:
            shown.append(f"{count}{name[0]}")
        if len(shown) == 2:
            break
    return " ".join(shown) or "0s"


def duration_setting(seconds: int) -> str:
    """A timer *setting* for a badge: "5m", "1h", "1w", "1h 30m" (no trailing zero
    unit, which would read as a countdown that is not moving)."""
    short = duration_short(seconds)
    head, _, tail = short.partition(" ")
    return head if tail.startswith("0") else short


def parse_duration(text: str) -> int:
    """Seconds from "30s", "5m", "1h30m", "1d", "2w" or a bare number of seconds.

    Raises ValueError with a message fit for the user for anything else, or for a
    duration outside 1 s .. four weeks.
    """
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned.isdigit():
        seconds = int(cleaned)
    else:
        position, seconds = 0, 0
        for match in _PART.finditer(cleaned):
            if match.start() != position:
                break
            seconds += int(match.group(1)) * _SUFFIX[match.group(2)]
            position = match.end()
        if not cleaned or position != len(cleaned):
            raise ValueError(f"not a duration: {text!r} (try 30s, 5m, 1h, 1d or 1w)")
    if not 1 <= seconds <= MAX_TIMER_SECONDS:
        raise ValueError("a vanish timer runs from 1 second to 4 weeks")
    return seconds


def vanish_words(setting: VanishSetting) -> str:
    """What the setting does, for menus and the thread header."""
    if setting.mode == "vanish":
        return "messages go once seen and the chat is closed"
    if setting.mode == "timer" and setting.seconds:
        return f"messages disappear after {duration_words(setting.seconds)}"
    return "messages stay"


def vanish_change(setting: VanishSetting) -> dict[str, Any]:
    """The ``change`` mapping of a message announcing a new vanish setting."""
    return {"what": "vanish", "vanish": setting.to_json()}


def theme_change(name: str | None) -> dict[str, Any]:
    """The ``change`` mapping of a message announcing a new chat theme."""
    return {"what": "theme", "name": name}


def describe_change(who: str, change: Mapping[str, Any] | None) -> str:
    """The in-thread notice: "alice turned on vanish mode", "bob changed the theme to
    Sunset". Anything malformed reads as a neutral sentence, never an error: the
    change came from a server."""
    if not isinstance(change, Mapping):
        return f"{who} changed the conversation settings"
    what = change.get("what")
    if what == "vanish":
        try:
            setting = parse_vanish(change.get("vanish"))
        except BadVanish:
            setting = VANISH_OFF
        if setting.mode == "vanish":
            return f"{who} turned on vanish mode"
        seconds = setting.seconds
        if setting.mode == "timer" and isinstance(seconds, int) and seconds > 0:
            return f"{who} set messages to disappear after {duration_words(seconds)}"
        return f"{who} turned off vanish mode"
    if what == "theme":
        name = change.get("name")
        if isinstance(name, str) and name:
            return f"{who} changed the theme to {name}"
        return f"{who} reset the theme to the default"
    return f"{who} changed the conversation settings"
