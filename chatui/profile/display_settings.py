"""The user's display settings: the ``[display]`` table of the profile's config.toml.

::

    [display]
    emoji = "glyph"        # or "shortcode": show emoji as :thumbsup: (terminals
                           # that draw emoji badly); or "exact": draw every emoji
                           # as sent (terminals that draw grapheme clusters)
    theme = "Sunset"       # the chat theme for threads that set none (optional)
    app_theme = "nord"     # the app's own colors (Ctrl+P → Theme; kept when chosen there)
    send_typing = false    # never tell others "… is typing" (default: true)

Settings change how things look, never whether the app starts: a bad value is
reported (an error naming the file and the field, for the app to show) and the
default is used for that field, the others still apply. The accounts in the same
file are :mod:`chatui.profile.config`'s business; this module reads the same
document through it and only ever writes the ``[display]`` table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal

from chatui.profile.files import ConfigError, atomic_write, read_document, type_name
from chatui.profile.folders import Profile

log = logging.getLogger(__name__)

EMOJI_MODES = ("glyph", "shortcode", "exact")
EmojiMode = Literal["glyph", "shortcode", "exact"]
_MODES_WORDS = '"glyph", "shortcode" or "exact"'
TABLE = "display"
_FIELDS = ("emoji", "theme", "app_theme", "send_typing")
_MAX_THEME_NAME = 64  # the wire's limit for a theme name


class SettingsError(Exception):
    """One unusable setting; ``str()`` names the file and the field."""

    def __init__(self, path: object, field: str | None, problem: str) -> None:
        self.path = path
        self.field = field
        where = f"{path}: [{TABLE}] {field}" if field else f"{path}: [{TABLE}]"
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Settings:
    emoji: EmojiMode = "glyph"
    """"glyph" draws emoji, those terminals draw at different widths (ZWJ sequences,
    skin tones, VS16, emoji newer than Unicode 14) by a stand-in every terminal
    draws alike (chatui.core.emoji_width); "exact" draws every one as it is;
    "shortcode" shows them as ``:name:``."""
    theme: str | None = None
    """The default chat theme's name; None = the built-in default."""
    app_theme: str | None = None
    """The app's own Textual theme (its chrome); None = Textual's default."""
    send_typing: bool = True
    """Tell the other members while a message is being typed (they see "… is
    typing"); false keeps it to oneself (others' notices still show)."""
    errors: tuple[SettingsError, ...] = field(default=(), compare=False)
    """What was wrong in the file (defaults were used for those fields)."""

    @property
    def shortcodes(self) -> bool:
        return self.emoji == "shortcode"

    @property
    def exact_emoji(self) -> bool:
        """Draw emoji as they are, trusting the terminal to draw them as Rich counts."""
        return self.emoji == "exact"


def load_settings(profile: Profile) -> Settings:
    """The profile's settings; never raises (problems are in ``Settings.errors``)."""
    path = profile.config_file
    try:
        document = read_document(path)
    except ConfigError as err:
        error = SettingsError(path, None, f"settings not read, defaults used ({err})")
        log.warning("%s", error)
        return Settings(errors=(error,))
    table = document.get(TABLE, {})
    if not isinstance(table, dict):
        error = SettingsError(path, None, f"must be a table, not {type_name(table)}")
        log.warning("%s", error)
        return Settings(errors=(error,))
    errors: list[SettingsError] = []
    values: dict[str, Any] = {}
    for name in sorted(set(table) - set(_FIELDS)):
        errors.append(
            SettingsError(path, name, f"unknown setting (known: {', '.join(_FIELDS)}); ignored")
        )
    if "emoji" in table:
        value = table["emoji"]
        if value in EMOJI_MODES:
            values["emoji"] = value
        else:
            errors.append(
                SettingsError(
                    path,
                    "emoji",
                    f'must be {_MODES_WORDS}, not {_shown(value)}; using "glyph"',
                )
            )
    if "send_typing" in table:
        value = table["send_typing"]
        if isinstance(value, bool):
            values["send_typing"] = value
        else:
            errors.append(
                SettingsError(
                    path, "send_typing", f"must be true or false, not {_shown(value)}; using true"
                )
            )
    for name, what in (("theme", "a theme name"), ("app_theme", "an app theme name")):
        if name not in table:
            continue
        value = table[name]
        if isinstance(value, str) and value.strip() and len(value) <= _MAX_THEME_NAME:
            values[name] = value
        else:
            errors.append(
                SettingsError(
                    path,
                    name,
                    f"must be {what} (1-{_MAX_THEME_NAME} characters), not "
                    f"{_shown(value)}; using the default",
                )
            )
    for error in errors:
        log.warning("%s", error)
    return Settings(**values, errors=tuple(errors))


def save_setting(profile: Profile, name: str, value: str | bool | None) -> None:
    """Set (or with None remove) one ``[display]`` field, keeping the rest of the file.

    Raises ValueError for an unknown field or a bad value, and ConfigError when the
    present file cannot be parsed (it is the user's to fix; overwriting would lose it).
    """
    import tomli_w

    if name not in _FIELDS:
        raise ValueError(f"unknown display setting {name!r} (known: {', '.join(_FIELDS)})")
    if name == "emoji" and value not in EMOJI_MODES:
        raise ValueError(f"emoji must be {_MODES_WORDS}, not {value!r}")
    path = profile.config_file
    document = read_document(path)
    table = document.get(TABLE)
    if not isinstance(table, dict):
        table = {}
    if value is None:
        table.pop(name, None)
    else:
        table[name] = value
    document[TABLE] = table
    atomic_write(path, tomli_w.dumps(document).encode("utf-8"))


def _shown(value: object) -> str:
    return repr(value) if isinstance(value, str) else type_name(value)
