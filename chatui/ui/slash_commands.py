"""Slash commands typed in the composer: ``/vanish 5m``, ``/theme Sunset``, ``/react 👍``.

People who chat in terminals type commands where they type messages (IRC,
weechat, Slack). The composer hands every submitted text to :func:`parse`
first, and only a :class:`SendText` result goes to the server. The rules:

- A command is ``/`` followed by a letter, then letters, digits, ``_`` or ``-``,
  then a space or the end: ``/vanish off``. Anything else starting with ``/`` is
  an ordinary message ("/usr/bin is full", "/ shrug", "/5"), because a path or a
  smiley is not a command.
- ``//text`` sends ``/text``: the way to send a message that would read as a
  command.
- A command we do not know, or a known one with a wrong argument, is an
  :class:`Invalid`: the app says why and leaves the text in the composer. A
  mistyped command is never sent to the other person by accident.

Pure parsing only: no Textual, no Session. The app carries the results out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatui.core.models import VanishSetting
from chatui.core.notices import parse_duration


@dataclass(frozen=True, slots=True)
class SendText:
    """Not a command: send ``text`` as a message."""

    text: str


@dataclass(frozen=True, slots=True)
class SetVanish:
    """``/vanish on|off|DURATION``: change the open thread's shared vanish setting."""

    setting: VanishSetting


@dataclass(frozen=True, slots=True)
class OpenVanishMenu:
    """``/vanish`` alone: choose from the menu."""


@dataclass(frozen=True, slots=True)
class SetTheme:
    """``/theme NAME`` (``name`` as typed) or ``/theme default`` (``name`` None)."""

    name: str | None


@dataclass(frozen=True, slots=True)
class OpenThemePicker:
    """``/theme`` alone: the picker with its live preview."""


@dataclass(frozen=True, slots=True)
class React:
    """``/react EMOJI``: toggle that reaction on the selected (or newest) message."""

    emoji: str


@dataclass(frozen=True, slots=True)
class OpenReactionPicker:
    """``/react`` alone: react with any emoji from the picker."""


@dataclass(frozen=True, slots=True)
class ShowHelp:
    """``/help``: the help screen."""


@dataclass(frozen=True, slots=True)
class Invalid:
    """Not carried out; ``message`` tells the user why. The text stays in the composer."""

    message: str


Command = (
    SendText
    | SetVanish
    | OpenVanishMenu
    | SetTheme
    | OpenThemePicker
    | React
    | OpenReactionPicker
    | ShowHelp
    | Invalid
)


@dataclass(frozen=True, slots=True)
class CommandHelp:
    """One line of the help screen's command list."""

    usage: str
    what: str


COMMANDS_HELP: tuple[CommandHelp, ...] = (
    CommandHelp("/vanish on", "vanish mode: messages go once seen and the chat is closed"),
    CommandHelp("/vanish 5m", "messages disappear 5 minutes after being seen (30s, 1h, 1d, 1w…)"),
    CommandHelp("/vanish off", "messages stay"),
    CommandHelp("/vanish", "choose from the vanish menu"),
    CommandHelp("/theme NAME", "set the conversation's theme (shared with everyone in it)"),
    CommandHelp("/theme default", "back to the default theme"),
    CommandHelp("/theme", "choose a theme with a live preview"),
    CommandHelp("/react 👍", "react to the selected message (or :shortcode:, e.g. :heart:)"),
    CommandHelp("/react", "react with any emoji from the picker"),
    CommandHelp("/help", "this screen"),
    CommandHelp("//text", "send a message that starts with /"),
)

_COMMAND = re.compile(r"/([A-Za-z][A-Za-z0-9_-]*)(?:\s+(.*))?\Z", re.DOTALL)
_NAMES = ("vanish", "theme", "react", "help")
_ON = frozenset({"on", "vanish", "once", "seen"})
_OFF = frozenset({"off", "none", "stop", "0"})
_DEFAULT = frozenset({"default", "reset", "none", "off"})


def parse(text: str) -> Command:
    """What a submitted composer text asks for (see the module docstring)."""
    stripped = text.strip()
    if stripped.startswith("//"):
        return SendText(text.replace("/", "", 1))
    match = _COMMAND.match(stripped)
    if match is None:
        return SendText(text)
    name = match.group(1).lower()
    arg = (match.group(2) or "").strip()
    if name == "vanish":
        return _vanish(arg)
    if name == "theme":
        if not arg:
            return OpenThemePicker()
        return SetTheme(None if arg.lower() in _DEFAULT else arg)
    if name == "react":
        if not arg:
            return OpenReactionPicker()
        return _react(arg)
    if name == "help":
        return ShowHelp()
    known = ", ".join(f"/{n}" for n in _NAMES)
    return Invalid(
        f"Unknown command /{name} — nothing was sent. Commands: {known}."
        " To send text starting with /, begin it with //."
    )


def _vanish(arg: str) -> Command:
    if not arg:
        return OpenVanishMenu()
    word = arg.lower()
    if word in _ON:
        return SetVanish(VanishSetting(mode="vanish"))
    if word in _OFF:
        return SetVanish(VanishSetting())
    if word.startswith("timer"):
        word = word.removeprefix("timer").strip()
    try:
        seconds = parse_duration(word)
    except ValueError as err:
        return Invalid(f"/vanish: {err}. Use /vanish on, /vanish off or /vanish 5m.")
    return SetVanish(VanishSetting(mode="timer", seconds=seconds))


def _react(arg: str) -> Command:
    """One emoji, typed as itself or as a ``:shortcode:``."""
    import emoji  # only when a reaction is typed: not needed for the first frame

    candidate = arg
    if ":" in candidate:
        candidate = emoji.emojize(candidate, language="alias")
    candidate = candidate.strip()
    if candidate and emoji.purely_emoji(candidate) and emoji.emoji_count(candidate) == 1:
        return React(candidate)
    return Invalid(f"/react: {arg[:40]!r} is not one emoji (try /react 👍 or /react :heart:).")
