"""Snapshot tests (pytest-textual-snapshot) of an open thread in several chat themes
and under ``NO_COLOR``: what a person sees, pinned character by character
and color by color, so that a change to the look is a reviewed decision.

The world is fixed (tests/ui/snapshot_world.py: a live reference server on a fixed
port, seeded with fixed people, bodies, timestamps in January 2024 and reactions;
the time zone is UTC). The app is the real one: ChatApp over a Session and the
local backend, the thread opened with Enter as a person would.

Update after an intended change of the look, then look at the pictures before
committing them::

    .venv/bin/python -m pytest tests/ui/test_snapshots.py --snapshot-update

The SVGs are in tests/ui/__snapshots__/test_snapshots/; ``rsvg-convert X.svg -o
/tmp/X.png`` makes a picture of one. On a failure, pytest-textual-snapshot writes
an HTML report with both screens side by side (its path is printed).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from chatui.core.models import ConnectionState
from chatui.ui.app import ChatApp
from chatui.ui.widgets.message_view import MessageView
from chatui.ui.widgets.thread_list import ThreadListView
from tests.ui.snapshot_world import SnapshotWorld, snapshot_world, utc

SIZE = (100, 30)
WAIT_TIMEOUT = 15.0


@pytest.fixture
def colors(monkeypatch: pytest.MonkeyPatch) -> None:
    """A truecolor terminal, as most are (the chat colors depend on the depth)."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLORTERM", "truecolor")


@pytest.fixture
def no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    """https://no-color.org: set before the app exists (Textual reads it at start)."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLORTERM", "truecolor")


@pytest.fixture
def in_utc() -> Iterator[None]:
    with utc():
        yield


async def _wait(pilot: Pilot, check, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_TIMEOUT
    while not check():
        failure = getattr(pilot.app, "_exception", None)
        if failure is not None:
            raise failure  # the app died (a render error): say what, not "timed out"
        if loop.time() > deadline:
            pytest.fail(f"timed out after {WAIT_TIMEOUT:.0f}s waiting for {what}")
        await pilot.pause(0.05)


def _open_picnic(world: SnapshotWorld, theme_name: str):
    """``run_before``: open the picnic thread with Enter, wait until it is drawn in
    its theme with every reaction, then give the focus back to the list (Esc), so
    no blinking text cursor is in the picture."""

    async def run_before(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, ChatApp) and app.session is not None
        session = app.session
        key = world.picnic_key
        await _wait(
            pilot,
            lambda: (
                key in session.inbox
                and len(session.inbox) == 2
                and all(s is ConnectionState.CONNECTED for s, _ in session.states.values())
            ),
            "the thread list",
        )
        assert session.inbox.at(0).key == key  # the newest: the row under the cursor
        await pilot.press("enter")
        view = app.query_one(MessageView)

        def drawn() -> bool:
            messages = session.messages(key) if session.is_loaded(key) else []
            reactions = sum(len(users) for m in messages for users in m.reactions.values())
            return (
                reactions == 5
                and view.chat_styles is not None
                and view.chat_styles.theme.name == theme_name
            )

        await _wait(pilot, drawn, f"the picnic drawn in {theme_name} with its reactions")
        await pilot.press("escape")
        await _wait(pilot, lambda: isinstance(app.focused, ThreadListView), "the focus on the list")
        await pilot.pause()  # and the messages that move brings handled

    return run_before


THEMES = [
    pytest.param("Sunset", id="sunset"),
    pytest.param("Paper", id="paper"),
    pytest.param("High Contrast", id="high-contrast"),
    pytest.param("Classic 16", id="classic16"),
]


@pytest.mark.usefixtures("colors", "in_utc")
@pytest.mark.parametrize("theme_name", THEMES)
def test_thread_in_theme(snap_compare, tmp_path: Path, theme_name: str) -> None:
    """The picnic thread in a shared chat theme: bubbles, names, reactions (mine
    marked), the theme notice, and the header naming the theme."""
    with snapshot_world(tmp_path, theme_name) as world:
        app = ChatApp(world.session(), title="chatui")
        assert snap_compare(app, terminal_size=SIZE, run_before=_open_picnic(world, theme_name))


@pytest.mark.usefixtures("no_color", "in_utc")
def test_thread_with_no_color(snap_compare, tmp_path: Path) -> None:
    """Under NO_COLOR a themed thread has no color at all; mine still stands apart
    from theirs (reverse video), and my reaction chip too.

    Without colors a whole line is one text run in the SVG, and rsvg-convert
    squeezes a run that holds an emoji, so the picture looks skewed there; the text
    in the file is right (tests/ui/test_no_color_screens.py checks real frames)."""
    with snapshot_world(tmp_path, "Sunset") as world:
        app = ChatApp(world.session(), title="chatui")
        assert app.no_color
        assert snap_compare(app, terminal_size=SIZE, run_before=_open_picnic(world, "Sunset"))


@pytest.mark.usefixtures("colors", "in_utc")
def test_thread_without_a_theme(snap_compare, tmp_path: Path) -> None:
    """A thread nobody has themed: the Default chat theme, no notice, no theme name."""
    with snapshot_world(tmp_path, None) as world:
        app = ChatApp(world.session(), title="chatui")
        assert snap_compare(app, terminal_size=SIZE, run_before=_open_picnic(world, "Default"))
