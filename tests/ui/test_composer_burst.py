"""Keys that arrive in one burst (a fast typist, a paste without bracketed paste, a
terminal that batches input) send exactly what was typed before each Enter, once.

``pilot.press`` waits for the app to go idle after every key, which hides the bug
this guards against: here all the key events are handed to the driver at once, as
a terminal's read of several bytes does, before the app has handled the first.
"""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.pilot import Pilot

from chatui.server.runner import ServerThread
from chatui.session.session import Session
from chatui.storage.store import Store
from chatui.ui.app import ChatApp
from chatui.ui.widgets.composer import Composer
from tests.ui.conftest import World, wait_for

_NAMED = {"\n": ("enter", "\r"), "\b": ("backspace", "\x7f"), "\x02": ("left", None)}
"""Stand-ins in a burst string: newline is Enter, \\b Backspace, \\x02 the left arrow."""


def _burst(app: ChatApp, keys: str) -> None:
    """Queue every key of ``keys`` at once, with no pause between (see _NAMED)."""
    driver = app._driver
    assert driver is not None
    for char in keys:
        key = events.Key(*_NAMED[char]) if char in _NAMED else events.Key(char, char)
        key.set_sender(app)
        driver.send_message(key)


def _bob_with_store(world: World, tmp_path: Path) -> ChatApp:
    """Bob's app as it really runs: every send goes through the durable outbox."""
    plain = world.bob_session()
    return ChatApp(Session(list(plain.linked.values()), store=Store(tmp_path / "store.sqlite3")))


async def _lunch_open(app: ChatApp, pilot: Pilot, world: World) -> Composer:
    """Wait for the list, open "Lunch plans" and return its focused composer."""
    await wait_for(pilot, lambda: len(app.session.inbox) == 2, "both accounts' threads")
    app.main.jump_to(world.lunch)
    composer = app.query_one(Composer)
    await wait_for(pilot, lambda: app.focused is composer, "the composer")
    return composer


def _bodies_from(server: ServerThread, username: str, thread_id: str) -> list[str]:
    caller = server.database.caller(username)
    return [m["body"] for m in server.database.history(caller, thread_id) if m["sender"] == "bob"]


async def test_lines_typed_in_one_burst_are_sent_once_each_in_order(
    world: World, tmp_path: Path
) -> None:
    app = _bob_with_store(world, tmp_path)
    thread_id = world.lunch[1]
    async with app.run_test(size=(100, 30)) as pilot:
        composer = await _lunch_open(app, pilot, world)

        _burst(app, "a1\na2\na3\n")
        await wait_for(
            pilot,
            lambda: len(_bodies_from(world.home, "alice", thread_id)) >= 3,
            "three messages on the server",
        )
        # Exactly once is judged after the outbox is empty: a late duplicate would
        # have been sent before the outbox let go of the row.
        await wait_for(pilot, lambda: not app.session.outbox.items, "the outbox to drain")
        assert _bodies_from(world.home, "alice", thread_id) == ["a1", "a2", "a3"]
        assert composer.value == ""


async def test_text_typed_after_enter_in_the_same_burst_stays_in_the_composer(
    world: World, tmp_path: Path
) -> None:
    app = _bob_with_store(world, tmp_path)
    thread_id = world.lunch[1]
    async with app.run_test(size=(100, 30)) as pilot:
        composer = await _lunch_open(app, pilot, world)

        _burst(app, "first\nstill typing")
        await wait_for(
            pilot,
            lambda: _bodies_from(world.home, "alice", thread_id) == ["first"],
            "the first line on the server",
        )
        await wait_for(pilot, lambda: not app.session.outbox.items, "the outbox to drain")
        assert composer.value == "still typing"
        assert _bodies_from(world.home, "alice", thread_id) == ["first"]


async def test_a_bracketed_paste_of_several_lines_loses_nothing(
    world: World, tmp_path: Path
) -> None:
    app = _bob_with_store(world, tmp_path)
    pasted = "line one\nline two\n\nline four, after an empty line"
    async with app.run_test(size=(100, 30)) as pilot:
        composer = await _lunch_open(app, pilot, world)
        await pilot.press(*"before: ")
        composer.post_message(events.Paste(pasted))
        await wait_for(pilot, lambda: "line four" in composer.value, "the pasted text")
        assert composer.value == "before: " + pasted
        # Every line shows, each on its own row: the box grew to hold them.
        await wait_for(pilot, lambda: composer.content_size.height == 4, "four rows")
        shown = [composer.render_line(y).text.rstrip() for y in range(4)]
        assert shown == ["before: line one", "line two", "", "line four, after an empty line"]

        await pilot.press("enter")
        thread_id = world.lunch[1]
        await wait_for(
            pilot,
            lambda: _bodies_from(world.home, "alice", thread_id) == ["before: " + pasted],
            "the whole pasted text sent as one message",
        )


async def test_a_dialog_text_box_keeps_the_order_of_a_burst(world: World, tmp_path: Path) -> None:
    """Not only the composer: the new-conversation dialog's fields too."""
    from textual.widgets import Input

    app = _bob_with_store(world, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 2, "both accounts' threads")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: app.screen.query("#members"), "the new conversation dialog")
        members = app.screen.query_one("#members", Input)
        await wait_for(pilot, lambda: app.focused is members, "the members field")
        _burst(app, "carl\bol, dn\x02a")
        await wait_for(pilot, lambda: len(members.value) == len("carol, dan"), "the whole burst")
        assert members.value == "carol, dan"
