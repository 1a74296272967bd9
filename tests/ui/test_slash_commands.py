"""Slash commands typed in the composer: what is a command, and what is a message.

The parser decides whether text reaches the other person, so the cases that
matter are the ones where a mistake would send something by accident (a
mistyped command) or refuse an ordinary message (a path, a smiley).
"""

from __future__ import annotations

import pytest

from chatui.core.models import VanishSetting
from chatui.ui import slash_commands as commands
from chatui.ui.slash_commands import (
    Invalid,
    OpenReactionPicker,
    OpenThemePicker,
    OpenVanishMenu,
    React,
    SendText,
    SetTheme,
    SetVanish,
    ShowHelp,
    parse,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/vanish on", SetVanish(VanishSetting(mode="vanish"))),
        ("/vanish off", SetVanish(VanishSetting())),
        ("/VANISH Off", SetVanish(VanishSetting())),
        ("/vanish 5m", SetVanish(VanishSetting(mode="timer", seconds=300))),
        ("/vanish 1h30m", SetVanish(VanishSetting(mode="timer", seconds=5400))),
        ("/vanish timer 30s", SetVanish(VanishSetting(mode="timer", seconds=30))),
        ("/vanish", OpenVanishMenu()),
        ("/theme Sunset", SetTheme("Sunset")),
        ("/theme High contrast", SetTheme("High contrast")),
        ("/theme default", SetTheme(None)),
        ("/theme", OpenThemePicker()),
        ("/react 👍", React("👍")),
        ("/react :thumbsup:", React("👍")),
        ("/react :+1:", React("👍")),
        ("/react 👨\u200d👩\u200d👧", React("👨\u200d👩\u200d👧")),
        ("/react", OpenReactionPicker()),
        ("/help", ShowHelp()),
    ],
)
def test_commands_are_understood(typed: str, expected: object) -> None:
    assert parse(typed) == expected


@pytest.mark.parametrize(
    "typed",
    ["hello", "/usr/bin is full", "/ shrug", "/5 minutes late", "a /vanish off in the middle", "/"],
)
def test_ordinary_messages_are_sent_as_typed(typed: str) -> None:
    assert parse(typed) == SendText(typed)


def test_double_slash_sends_the_text_with_one_slash() -> None:
    assert parse("//vanish off") == SendText("/vanish off")
    assert parse("//shrug ¯\\_(ツ)_/¯") == SendText("/shrug ¯\\_(ツ)_/¯")


@pytest.mark.parametrize("typed", ["/nosuch", "/shrug hi", "/vanishh on"])
def test_unknown_commands_are_refused_with_a_hint(typed: str) -> None:
    result = parse(typed)
    assert isinstance(result, Invalid)
    assert typed.split()[0] in result.message
    assert "//" in result.message  # how to send it as text instead


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("/vanish soon", "not a duration"),
        ("/vanish 9w", "4 weeks"),
        ("/vanish 0s", "1 second"),
        ("/react hi", "not one emoji"),
        ("/react 👍👍", "not one emoji"),
    ],
)
def test_bad_arguments_say_why(typed: str, says: str) -> None:
    result = parse(typed)
    assert isinstance(result, Invalid)
    assert says in result.message


def test_every_command_in_the_help_parses() -> None:
    for command in commands.COMMANDS_HELP:
        if command.usage == "/theme NAME":
            continue
        assert not isinstance(parse(command.usage), Invalid), command.usage
