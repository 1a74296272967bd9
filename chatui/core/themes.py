"""Chat themes: the schema, the shipped and user theme files, and a thread's shared theme.

A chat theme colors one conversation's message view (my bubbles, theirs, accent,
background) and picks its quick-reaction emoji (docs/themes.md). Themes
come from three places, and two of them are untrusted:

- the TOML files shipped in ``themes/`` (packaged into the wheel as
  ``chatui/themes``; read through :mod:`importlib.resources`, or from the
  checkout's ``themes/`` folder in an editable install, where ``chatui/themes``
  does not exist);
- the user's theme folder (the app passes ``profile.config_dir / "themes"``): a
  user theme with the name of a shipped one replaces it; a broken file is
  reported in :attr:`ThemeCatalog.errors` and every other theme still loads;
- the thread itself: the theme a participant shared travels as its *wire form*
  (:meth:`ChatTheme.to_wire`) through a server, so it is validated exactly like a
  file and :func:`theme_for_thread` never lets a bad one crash or disfigure the
  view — it falls back to the local theme of that name, then to the default.

Validation is strict (an unknown field is an error, not a silently ignored typo)
and every :class:`ThemeError` names the file, the field and what is wrong, so a
person editing a theme can fix it from the message alone. Readability is not the
schema's job: :mod:`chatui.core.contrast` makes any colors readable at render time.

Pure: no Textual; the only I/O is reading theme files. ``emoji`` is imported on
first validation, not at import time (it costs ~50 ms).
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from chatui.core.contrast import ANSI_NAMES, is_color, relative_luminance, to_rgb
from chatui.core.sanitize import safe_text

log = logging.getLogger(__name__)

DEFAULT_THEME_NAME = "Default"
"""The theme of a thread nobody has themed (and the fallback for broken ones)."""

MAX_NAME = 64
MAX_STOPS = 8
MAX_QUICK = 8
MAX_REACTIONS = 64
MAX_FILE_BYTES = 64 * 1024
SHIPPED_PREFIX = "shipped:"
"""``ChatTheme.source`` of a shipped theme: ``"shipped:sunset.toml"``."""
WIRE_SOURCE = "thread"
"""``ChatTheme.source`` of a theme that came with a thread (from a server)."""

DEFAULT_QUICK_REACTIONS: tuple[str, ...] = ("👍", "❤️", "😂")
DEFAULT_REACTIONS: tuple[str, ...] = ("👍", "❤️", "😂", "😮", "😢", "🙏", "🎉", "🔥")

FIELDS: tuple[str, ...] = (
    "name",
    "dark",
    "mine_bubble",
    "theirs_bubble",
    "mine_text",
    "theirs_text",
    "accent",
    "background",
    "quick_reactions",
    "reactions",
)
"""Every field a theme file (or a wire theme) may have, in documentation order."""
REQUIRED: frozenset[str] = frozenset(
    {"name", "mine_bubble", "theirs_bubble", "accent", "background"}
)
_COLOR_HELP = "use '#rrggbb' or one of the 16 ANSI names (" + ", ".join(ANSI_NAMES) + ")"


class ThemeError(Exception):
    """A theme that cannot be used: which file (``source``), which ``field``, and why.

    ``field`` is None for a problem with the whole file (unreadable, not TOML).
    ``str()`` reads ``"sunset.toml: mine_bubble[1]: 'orange' is not a color ..."``.
    """

    def __init__(self, source: str, field: str | None, problem: str) -> None:
        self.source = source
        self.field = field
        self.problem = problem
        where = f"{source}: {field}" if field is not None else source
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True, slots=True)
class ChatTheme:
    """One validated chat theme. Colors are ``"#rrggbb"`` (lower case) or ANSI names."""

    name: str
    dark: bool
    mine_bubble: tuple[str, ...]  # 1+ gradient stops
    theirs_bubble: tuple[str, ...]
    mine_text: str | None  # None: auto (near-black or near-white per bubble)
    theirs_text: str | None
    accent: str
    background: str
    quick_reactions: tuple[str, ...]  # >= 1; the first is the one-key quick reaction
    reactions: tuple[str, ...]  # offered first in the emoji picker
    source: str = field(default="", compare=False)

    @property
    def quick_reaction(self) -> str:
        """The emoji the one-key quick reaction sends."""
        return self.quick_reactions[0]

    @classmethod
    def from_mapping(cls, data: object, *, source: str) -> ChatTheme:
        """Validate a parsed TOML table or a wire theme; raises :class:`ThemeError`.

        ``data`` is untrusted: anything other than a well-formed theme raises
        ThemeError (never KeyError/TypeError...), naming ``source`` and the field.
        """
        return _validate(data, source)

    def to_wire(self) -> dict[str, Any]:
        """The form shared through a server (JSON-able; ``from_mapping`` reads it back)."""
        return {
            "name": self.name,
            "dark": self.dark,
            "mine_bubble": list(self.mine_bubble),
            "theirs_bubble": list(self.theirs_bubble),
            "mine_text": self.mine_text if self.mine_text is not None else "auto",
            "theirs_text": self.theirs_text if self.theirs_text is not None else "auto",
            "accent": self.accent,
            "background": self.background,
            "quick_reactions": list(self.quick_reactions),
            "reactions": list(self.reactions),
        }


BUILTIN_DEFAULT = ChatTheme(
    name=DEFAULT_THEME_NAME,
    dark=True,
    mine_bubble=("#2f6fde",),
    theirs_bubble=("#303640",),
    mine_text=None,
    theirs_text=None,
    accent="#7fb4ff",
    background="#15181d",
    quick_reactions=DEFAULT_QUICK_REACTIONS,
    reactions=DEFAULT_REACTIONS,
    source="builtin",
)
"""Used only when the shipped ``default.toml`` is missing or broken (a damaged install)."""


# --- validation -----------------------------------------------------------------------


def _type_name(value: object) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", str: "a string"}
    for kind, name in names.items():
        if type(value) is kind:
            return name
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _shown(value: object) -> str:
    """A short, safe rendering of a bad value for an error message."""
    text = safe_text(repr(value), max_len=40, single_line=True)
    return text


def _color(value: object, source: str, name: str) -> str:
    if not isinstance(value, str):
        raise ThemeError(source, name, f"expected a color string, got {_type_name(value)}")
    if not is_color(value):
        raise ThemeError(source, name, f"{_shown(value)} is not a color ({_COLOR_HELP})")
    return value.lower() if value.startswith("#") else value


def _stops(value: object, source: str, name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (_color(value, source, name),)
    if not isinstance(value, list | tuple):
        raise ThemeError(
            source, name, f"expected a color or a list of colors, got {_type_name(value)}"
        )
    if not value:
        raise ThemeError(source, name, "empty list: give at least one color")
    if len(value) > MAX_STOPS:
        raise ThemeError(source, name, f"too many gradient stops ({len(value)} > {MAX_STOPS})")
    return tuple(_color(item, source, f"{name}[{i}]") for i, item in enumerate(value))


def _text_color(value: object, source: str, name: str) -> str | None:
    if value == "auto":
        return None
    return _color(value, source, name)


def _emoji_list(value: object, source: str, name: str, limit: int) -> tuple[str, ...]:
    import emoji  # lazily: ~50 ms, not at the app's start

    if not isinstance(value, list | tuple):
        raise ThemeError(source, name, f"expected a list of emoji, got {_type_name(value)}")
    if not value:
        raise ThemeError(source, name, "empty list: give at least one emoji")
    if len(value) > limit:
        raise ThemeError(source, name, f"too many emoji ({len(value)} > {limit})")
    seen: set[str] = set()
    for i, item in enumerate(value):
        where = f"{name}[{i}]"
        if not isinstance(item, str):
            raise ThemeError(source, where, f"expected an emoji string, got {_type_name(item)}")
        if len(item) > 32 or not emoji.is_emoji(item):
            raise ThemeError(source, where, f"{_shown(item)} is not an emoji")
        if item in seen:
            raise ThemeError(source, where, f"{_shown(item)} is listed twice")
        seen.add(item)
    return tuple(value)


def _name(value: object, source: str) -> str:
    if not isinstance(value, str):
        raise ThemeError(source, "name", f"expected a string, got {_type_name(value)}")
    if not value.strip():
        raise ThemeError(source, "name", "empty: give the theme a name")
    if len(value) > MAX_NAME:
        raise ThemeError(source, "name", f"too long ({len(value)} > {MAX_NAME} characters)")
    if value != value.strip():
        raise ThemeError(source, "name", "starts or ends with spaces")
    if safe_text(value, single_line=True) != value:
        raise ThemeError(source, "name", "contains control or invisible formatting characters")
    return value


def _validate(data: object, source: str) -> ChatTheme:
    if not isinstance(data, Mapping):
        raise ThemeError(source, None, f"expected a table of fields, got {_type_name(data)}")
    for key in data:
        if key not in FIELDS:
            raise ThemeError(
                source,
                _shown(key) if not isinstance(key, str) else safe_text(key, max_len=40),
                "unknown field (known: " + ", ".join(FIELDS) + ")",
            )
    for key in FIELDS:
        if key in REQUIRED and key not in data:
            raise ThemeError(source, key, "missing (required)")
    name = _name(data["name"], source)
    mine = _stops(data["mine_bubble"], source, "mine_bubble")
    theirs = _stops(data["theirs_bubble"], source, "theirs_bubble")
    background = _color(data["background"], source, "background")
    accent = _color(data["accent"], source, "accent")
    if "dark" in data:
        dark = data["dark"]
        if not isinstance(dark, bool):
            raise ThemeError(source, "dark", f"expected true or false, got {_type_name(dark)}")
    else:
        dark = relative_luminance(to_rgb(background)) < 0.18
    quick = (
        _emoji_list(data["quick_reactions"], source, "quick_reactions", MAX_QUICK)
        if "quick_reactions" in data
        else DEFAULT_QUICK_REACTIONS
    )
    reactions = (
        _emoji_list(data["reactions"], source, "reactions", MAX_REACTIONS)
        if "reactions" in data
        else DEFAULT_REACTIONS
    )
    return ChatTheme(
        name=name,
        dark=dark,
        mine_bubble=mine,
        theirs_bubble=theirs,
        mine_text=_text_color(data.get("mine_text", "auto"), source, "mine_text"),
        theirs_text=_text_color(data.get("theirs_text", "auto"), source, "theirs_text"),
        accent=accent,
        background=background,
        quick_reactions=quick,
        reactions=reactions,
        source=source,
    )


def parse_theme(text: str, *, source: str) -> ChatTheme:
    """A theme from the text of a TOML file; raises :class:`ThemeError`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(source, None, f"not valid TOML: {exc}") from None
    return ChatTheme.from_mapping(data, source=source)


# --- the catalog ----------------------------------------------------------------------


@dataclass
class ThemeCatalog:
    """Every usable theme by name (Default first, then by name) and what failed to load."""

    themes: dict[str, ChatTheme]
    errors: list[ThemeError] = field(default_factory=list)

    def get(self, name: object) -> ChatTheme | None:
        """The theme called ``name`` (case-insensitively), or None."""
        if not isinstance(name, str):
            return None
        found = self.themes.get(name)
        if found is not None:
            return found
        folded = name.casefold()
        for key, theme in self.themes.items():
            if key.casefold() == folded:
                return theme
        return None

    @property
    def default(self) -> ChatTheme:
        """The Default theme (the built-in copy if the shipped file is gone)."""
        return self.get(DEFAULT_THEME_NAME) or BUILTIN_DEFAULT

    def names(self) -> list[str]:
        return list(self.themes)


def shipped_dir() -> Traversable:
    """Where the shipped theme files are: the wheel's package data, or the checkout's.

    A wheel carries them as ``chatui/themes`` (pyproject's force-include); an
    editable checkout has no such folder, and the files sit in ``themes/`` next
    to the ``chatui`` package.
    """
    return _shipped_dir(resources.files("chatui"), Path(__file__).resolve().parents[2])


def _shipped_dir(package: Traversable, checkout: Path) -> Traversable:
    packaged = package / "themes"
    if packaged.is_dir():
        return packaged
    return checkout / "themes"


def _toml_files(folder: Traversable) -> list[Traversable]:
    try:
        if not folder.is_dir():
            return []
        entries = [entry for entry in folder.iterdir() if entry.name.endswith(".toml")]
    except OSError as exc:
        log.warning("cannot list theme folder %s: %s", folder, exc)
        return []
    return sorted(entries, key=lambda entry: entry.name)


def _load_files(
    files: Iterable[Traversable], source_of: Any, errors: list[ThemeError]
) -> list[ChatTheme]:
    loaded: list[ChatTheme] = []
    for entry in files:
        source = source_of(entry)
        try:
            raw = entry.read_bytes()
            if len(raw) > MAX_FILE_BYTES:
                raise ThemeError(source, None, f"too large (over {MAX_FILE_BYTES // 1024} KiB)")
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ThemeError(source, None, "not UTF-8 text") from None
            loaded.append(parse_theme(text, source=source))
        except ThemeError as exc:
            errors.append(exc)
        except OSError as exc:
            errors.append(ThemeError(source, None, f"cannot read: {exc.strerror or exc}"))
    return loaded


def load_themes(user_dir: Path | None, *, shipped: Traversable | None = None) -> ThemeCatalog:
    """The shipped themes, then the user's from ``user_dir`` (which may not exist).

    A user theme named like a shipped one (case-insensitively) takes its place; a
    second user file with a name already used is an error. Bad files end up in
    ``.errors``; the rest load. ``shipped`` overrides the shipped folder (tests).
    """
    errors: list[ThemeError] = []
    shipped_themes = _load_files(
        _toml_files(shipped if shipped is not None else shipped_dir()),
        lambda entry: SHIPPED_PREFIX + entry.name,
        errors,
    )
    user_themes = (
        _load_files(_toml_files(user_dir), lambda entry: str(entry), errors)
        if user_dir is not None
        else []
    )
    by_key: dict[str, ChatTheme] = {}
    for theme in shipped_themes:
        key = theme.name.casefold()
        if key in by_key:
            errors.append(
                ThemeError(theme.source, "name", f"{theme.name!r} is also {by_key[key].source}")
            )
            continue
        by_key[key] = theme
    from_user: set[str] = set()
    for theme in user_themes:
        key = theme.name.casefold()
        if key in from_user:
            errors.append(
                ThemeError(theme.source, "name", f"{theme.name!r} is also {by_key[key].source}")
            )
            continue
        from_user.add(key)
        by_key[key] = theme
    ordered = sorted(
        by_key.values(),
        key=lambda t: (t.name.casefold() != DEFAULT_THEME_NAME.casefold(), t.name.casefold()),
    )
    for error in errors:
        log.warning("theme not loaded: %s", error)
    return ThemeCatalog({theme.name: theme for theme in ordered}, errors)


def theme_for_thread(mapping: object, catalog: ThemeCatalog) -> ChatTheme:
    """The theme to draw a thread in, from its shared theme (``Thread.theme``).

    The mapping came from a server: it is validated like a file. A theme that
    does not validate (a newer client's extra field, a hostile value) falls back
    to the local theme of the same name, and anything else to the default. This
    never raises.
    """
    if not mapping or not isinstance(mapping, Mapping):
        return catalog.default
    try:
        return ChatTheme.from_mapping(mapping, source=WIRE_SOURCE)
    except ThemeError as exc:
        log.info("shared theme not usable: %s", exc)
    except Exception:  # belt and braces: a shared theme must never break the view
        log.exception("shared theme crashed validation")
    try:
        name = mapping.get("name")
    except Exception:
        name = None
    return catalog.get(name) or catalog.default
