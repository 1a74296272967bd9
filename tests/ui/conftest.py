"""Helpers for Pilot tests of the whole app against live reference servers.

Two servers stand for two networks, so that one person's accounts really are on
different servers and the thread list really is a merge. Sessions are built
directly from ``LinkedAccount``s (no config file, no keyring): what is under test
here is the app, with everything below it real.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from textual.app import App
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget

from chatui.backends.local import LocalBackend
from chatui.core.models import AccountConfig, Credentials, ThreadKey
from chatui.server.runner import ServerThread
from chatui.session.session import LinkedAccount, Session
from tests.conftest import make_user

WAIT_TIMEOUT = 30.0  # bounds a failure only: generous for a busy machine


@pytest.fixture
def second_server(tmp_path: Path) -> Iterator[ServerThread]:
    """Another reference server: a second network, with its own users."""
    with ServerThread(tmp_path / "second.db", open_registration=True) as srv:
        yield srv


def linked(
    server: ServerThread, creds: Credentials, account_id: str, label: str, color: str
) -> LinkedAccount:
    config = AccountConfig(
        account_id=account_id,
        kind="local",
        server=server.url,
        username=creds.username,
        label=label,
        color=color,
        token_store="file",
    )
    return LinkedAccount(config, LocalBackend(config), creds.token)


def session_of(*accounts: LinkedAccount) -> Session:
    return Session(list(accounts))


async def wait_for(
    pilot: Pilot, predicate: Callable[[], object], what: str, timeout: float = WAIT_TIMEOUT
) -> None:
    """Let the app run until ``predicate()`` holds; fail naming ``what`` on timeout.

    The timeout only bounds a hang: nothing here asserts how fast anything is.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        await pilot.pause(0.05)


def palette_options(app: App) -> list[str]:
    """The command palette's hits as shown, best first (empty while none are)."""
    from textual.command import CommandList

    results = app.screen.query_one(CommandList)
    return [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]


async def choose_in_palette(pilot: Pilot, query: str, expected: str) -> None:
    """Type ``query`` into the open command palette and run the hit ``expected``.

    The palette searches in a worker and fills its list in batches, so a fixed pause
    can press Enter on a list that is not there yet (Enter then only highlights) or
    is about to be replaced. Instead: wait until the search for this very query is
    done and its first, highlighted hit is ``expected`` — what a person sees before
    pressing Enter.
    """
    from textual.command import CommandList, CommandPalette

    app = pilot.app
    await pilot.press(*query)

    def ready() -> bool:
        palette = app.screen
        if not isinstance(palette, CommandPalette):
            return False
        searching = any(
            worker.group == CommandPalette._GATHER_COMMANDS_GROUP and not worker.is_finished
            for worker in app.workers
        )
        options = palette_options(app)
        return (
            not searching
            and palette.query_one("Input").value == query
            and bool(options)
            and expected in options[0]
            and palette.query_one(CommandList).highlighted == 0
        )

    await wait_for(pilot, ready, f"{expected!r} as the first hit for {query!r}")
    await pilot.press("enter")


def rendered_lines(widget: Widget) -> list[str]:
    """What ``widget`` shows on screen right now, one plain string per line."""
    width, height = widget.size
    return [strip.text for strip in widget.render_lines(Region(0, 0, width, height))]


def rendered(widget: Widget) -> str:
    return "\n".join(rendered_lines(widget))


@dataclass
class World:
    """Bob has two accounts: "home" on the first server, "work" on the second.

    Alice is on the first server, Carol on the second. Seeded conversations, oldest
    first: "Lunch plans" (alice+bob, home), then "Climbing trip" (carol+bob, work).
    """

    home: ServerThread
    work: ServerThread
    alice: Credentials
    bob_home: Credentials
    bob_work: Credentials
    carol: Credentials
    lunch: ThreadKey
    climbing: ThreadKey

    def bob_session(self) -> Session:
        return session_of(
            linked(self.home, self.bob_home, "home", "H", "#5fafff"),
            linked(self.work, self.bob_work, "work", "W", "#d75f00"),
        )

    def alice_session(self) -> Session:
        return session_of(linked(self.home, self.alice, "alice", "A", "#87d75f"))


@pytest.fixture
def world(server: ServerThread, second_server: ServerThread) -> World:
    alice = make_user(server, "alice")
    bob_home = make_user(server, "bob")
    bob_work = make_user(second_server, "bob")
    carol = make_user(second_server, "carol")
    lunch = server.database.create_thread("alice", ["bob"], "Lunch plans")
    server.database.add_message(lunch["thread_id"], "alice", "pizza at noon?")
    # Thread order is by activity time in ms: make sure the two are apart.
    time.sleep(0.01)
    climbing = second_server.database.create_thread("carol", ["bob"], "Climbing trip")
    second_server.database.add_message(climbing["thread_id"], "carol", "saturday works")
    return World(
        home=server,
        work=second_server,
        alice=alice,
        bob_home=bob_home,
        bob_work=bob_work,
        carol=carol,
        lunch=("home", lunch["thread_id"]),
        climbing=("work", climbing["thread_id"]),
    )


def thread_rows(app) -> list[str]:
    """The merged list as the user reads it: one string per thread (two lines each)."""
    from chatui.ui.widgets.thread_list import ROW_HEIGHT, ThreadListView

    lines = rendered_lines(app.query_one(ThreadListView))
    return [
        " ".join(part.strip() for part in lines[i : i + ROW_HEIGHT])
        for i in range(0, len(lines) - ROW_HEIGHT + 1, ROW_HEIGHT)
        if any(part.strip() for part in lines[i : i + ROW_HEIGHT])
    ]
