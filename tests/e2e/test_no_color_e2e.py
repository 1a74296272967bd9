"""End to end: with NO_COLOR (or TERM=dumb) the real chatui writes no color at all.

no-color.org asks a program to leave the terminal's own colors alone; Textual's
answer is to paint everything gray (``38;2;224;224;224``, ``48;2;30;30;30``),
which overrides the palette of exactly the people who set NO_COLOR. So these tests
run the real ``chatui demo`` on a pseudo-terminal (tests/hostile/terminal.py),
walk every screen a person meets — the list, a conversation, help, the command
palette, the new-conversation dialog, emoji completion, a notification, the vanish
menu, the theme picker, both emoji pickers — and read every byte the app wrote
with an SGR parser (tests/e2e/sgr.py): not one color parameter may be among them.

Each screen's content is waited for on the emulated screen (the positive control
that the screen was really drawn), and the same walk with colors on finds colors
with the same parser, so the check can fail. The first-run screen and TERM=dumb
get a start of their own. The invitation dialog needs a Matrix server to arrive
through the app; its frame is checked in tests/ui/test_no_color_screens.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.sgr import color_attributes, sgr_attributes
from tests.support import app_env, chatui_on_pty

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

TIMEOUT = 60.0  # seconds for each wait: generous, only a hang should reach it

# What a terminal sends for these keys (xterm).
F1 = "\x1bOP"
CTRL = {name: chr(ord(name) - ord("a") + 1) for name in "gnoptyq"}
ESC, ENTER, BACKSPACE, DOWN = "\x1b", "\r", "\x7f", "\x1b[B"


def _env(**changes: str) -> dict[str, str]:
    """The test's environment for the app: a terminal that *can* show truecolor,
    so that any color the app asks for would be written; ``changes`` on top."""
    return app_env(COLORTERM="truecolor", **changes)


@contextlib.contextmanager
def _chatui(profile: Path, *args: str, env: dict[str, str]) -> Iterator[object]:
    app = chatui_on_pty(profile, *args, env=env, columns=120, rows=36)
    try:
        yield app
    finally:
        app.close()


class Walk:
    """Keys sent to the app, each step waiting for what it should show, and which
    bytes the app wrote during which step (to name the screen that painted)."""

    def __init__(self, app) -> None:
        self.app = app
        self.steps: list[tuple[str, int]] = []

    def step(self, name: str, keys: str, shown: Callable[[str], bool], what: str) -> None:
        self.steps.append((name, len(self.app.output)))
        if keys:
            self.app.type(keys)
        self.app.wait_for(shown, what, TIMEOUT)

    def colors_by_step(self) -> dict[str, list[str]]:
        output = self.app.output
        bounds = [start for _, start in self.steps[1:]] + [len(output)]
        found: dict[str, list[str]] = {}
        for (name, start), end in zip(self.steps, bounds, strict=True):
            colors = color_attributes(output[start:end])
            if colors:
                found[name] = sorted({str(c) for c in colors})[:8]
        return found


def _list_ready(screen: str) -> bool:
    return "Weekend hike" in screen and screen.count("connected") >= 2


def _composer_empty(screen: str) -> bool:
    """The message box shows its placeholder again (and no suggestions)."""
    return "Message · Enter sends" in screen and "thumbsup" not in screen


def _quit(app) -> None:
    app.type(CTRL["q"])
    assert app.wait_exit(TIMEOUT) == 0


def test_no_color_demo_writes_no_color_on_any_screen(tmp_path: Path) -> None:
    with _chatui(tmp_path / "profile", "demo", env=_env(NO_COLOR="1")) as app:
        walk = Walk(app)
        walk.step("thread list", "", _list_ready, "the merged thread list")

        walk.step("help (F1)", F1, lambda s: "chatui help" in s, "the help screen")
        walk.step("help closed", ESC, lambda s: "chatui help" not in s, "help to close")

        walk.step("command palette (Ctrl+P)", CTRL["p"], lambda s: "Search" in s, "the palette")
        walk.step("palette search", "Book", lambda s: "dmitri, emma" in s, "the palette's hit")
        walk.step("palette closed", ESC, lambda s: "dmitri, emma" not in s, "the palette to close")

        walk.step(
            "new conversation (Ctrl+N)",
            CTRL["n"],
            lambda s: "New conversation" in s and "Members" in s,
            "the new-conversation dialog",
        )
        walk.step("new conversation closed", ESC, lambda s: "Members" not in s, "it to close")

        walk.step(
            "conversation",
            ENTER,
            lambda s: "Did you get the slides from Friday?" in s,
            "the conversation with alice",
        )
        walk.step("emoji completion", ":thumbs", lambda s: "thumbsup" in s, "the suggestions")
        walk.step("completion closed", ESC, lambda s: "thumbsup" not in s, "them to close")
        # Erasing keys get a step of their own: Textual 8.2.8 drops a DEL that
        # arrives in one read with the text after it.
        walk.step("composer emptied", BACKSPACE * len(":thumbs"), _composer_empty, "no text")
        walk.step(
            "warning notification",
            "/vanish soon" + ENTER,
            lambda s: "Not sent" in s,
            "the 'Not sent' notification",
        )
        walk.step("composer cleared", BACKSPACE * len("/vanish soon"), _composer_empty, "no text")

        walk.step(
            "vanish menu (Ctrl+G)",
            CTRL["g"],
            lambda s: "Vanish — once seen" in s,
            "the vanish menu",
        )
        walk.step("vanish menu closed", ESC, lambda s: "Vanish — once seen" not in s, "it to close")

        walk.step(
            "theme picker (Ctrl+T)",
            CTRL["t"],
            lambda s: "use it here" in s and "Sunset" in s,
            "the theme picker",
        )
        # Two themes further on: the conversation is previewed in their colors.
        walk.step("theme preview", DOWN + DOWN, lambda s: "use it here" in s, "the preview")
        walk.step("theme picker closed", ESC, lambda s: "use it here" not in s, "it to close")

        walk.step(
            "emoji picker (Ctrl+O)",
            CTRL["o"],
            lambda s: "Search emoji by name" in s,
            "the emoji picker",
        )
        walk.step("emoji picker closed", ESC, lambda s: "Search emoji" not in s, "it to close")
        walk.step(
            "reaction picker (Ctrl+Y)",
            CTRL["y"],
            lambda s: "Search emoji by name" in s,
            "the reaction picker",
        )
        walk.step("reaction picker closed", ESC, lambda s: "Search emoji" not in s, "it to close")

        _quit(app)
        assert walk.colors_by_step() == {}, "color parameters written, by screen"
        # Emphasis is still there, as attributes: bold names, reverse cursors.
        codes = {a.code for a in sgr_attributes(app.output)}
        assert {1, 7} <= codes, f"no bold or no reverse video at all: {sorted(codes)}"


def test_a_dumb_terminal_gets_no_color(tmp_path: Path) -> None:
    with _chatui(tmp_path / "profile", "demo", env=_env(TERM="dumb")) as app:
        walk = Walk(app)
        walk.step("thread list", "", _list_ready, "the merged thread list")
        walk.step(
            "new conversation (Ctrl+N)",
            CTRL["n"],
            lambda s: "New conversation" in s,
            "the new-conversation dialog",
        )
        walk.step("closed", ESC, lambda s: "New conversation" not in s, "it to close")
        _quit(app)
        assert walk.colors_by_step() == {}


def test_the_first_run_screen_has_no_color(tmp_path: Path) -> None:
    with _chatui(tmp_path / "empty-profile", env=_env(NO_COLOR="1")) as app:
        walk = Walk(app)
        walk.step(
            "first run",
            "",
            lambda s: "Welcome to chatui" in s and "Try the demo" in s,
            "the first-run screen",
        )
        _quit(app)
        assert walk.colors_by_step() == {}


def test_with_colors_on_the_same_reading_finds_colors(tmp_path: Path) -> None:
    """The control: the parser and the walk do see color when the app paints it."""
    with _chatui(tmp_path / "profile", "demo", env=_env()) as app:
        walk = Walk(app)
        walk.step("thread list", "", _list_ready, "the merged thread list")
        walk.step(
            "vanish-free dialog",
            CTRL["n"],
            lambda s: "New conversation" in s,
            "the new-conversation dialog",
        )
        _quit(app)
        painted = walk.colors_by_step()
        assert set(painted) == {"thread list", "vanish-free dialog"}, painted
