"""Snapshot tests of every screen and dialog a person meets: the first run, the
account form, the list, help, a new conversation, an invitation, the vanish menu,
the theme picker, the emoji picker, who reacted and the command palette (the open
thread in its themes is in test_snapshots.py, with the same fixed world and the same
update command).

Each dialog is opened the way a person opens it — its key on the real app over a
live reference server — and pictured once it has settled: its content is there
and no text cursor blinks (a blinking cursor would make the picture depend on the
moment it was taken).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from chatui.core.models import ConnectionState, Message, Thread, ThreadUpdated
from chatui.profile.folders import Profile
from chatui.session.session import Session
from chatui.ui.app import ChatApp
from tests.ui.snapshot_world import ACCOUNT_ID, ME, SnapshotWorld, at, snapshot_world
from tests.ui.test_snapshots import SIZE, _open_picnic, _wait, colors, in_utc  # noqa: F401

pytestmark = pytest.mark.usefixtures("colors", "in_utc")


def _steady(app: ChatApp) -> None:
    """No blinking text cursor on any input of the screen on top."""
    for field in app.screen.query(Input):
        field.cursor_blink = False


async def _list_ready(pilot: Pilot) -> None:
    app = pilot.app
    assert isinstance(app, ChatApp) and app.session is not None
    session = app.session
    await _wait(
        pilot,
        lambda: (
            len(session.inbox) == 2
            and all(s is ConnectionState.CONNECTED for s, _ in session.states.values())
        ),
        "the thread list, connected",
    )
    # Connecting refetches each account's list (the server's is the truth): a thread
    # added by hand before that lands would be dropped by it.
    refetches = [t for t in session._tasks if "_refresh_threads" in t.get_coro().__qualname__]
    await _wait(pilot, lambda: bool(refetches) and all(t.done() for t in refetches), "refetched")


def _then(world: SnapshotWorld, keys: tuple[str, ...], screen: str, *, open_thread: bool):
    """``run_before``: the list (and the picnic, if asked), then ``keys``, then wait
    until the screen on top is the one named ``screen`` and has settled."""
    open_picnic = _open_picnic(world, "Default")

    async def run_before(pilot: Pilot) -> None:
        app = pilot.app
        await _list_ready(pilot)
        if open_thread:
            await open_picnic(pilot)
        await pilot.press(*keys)
        await _wait(pilot, lambda: type(app.screen).__name__ == screen, screen)
        _steady(app)
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()

    return run_before


def _snapshot(snap_compare, tmp_path: Path, run_before, size: tuple[int, int] = SIZE) -> bool:
    with snapshot_world(tmp_path, None) as world:
        app = ChatApp(world.session(), title="chatui")
        return snap_compare(app, terminal_size=size, run_before=run_before(world))


def test_first_run(snap_compare, tmp_path: Path) -> None:
    """No account linked yet: what chatui offers instead (adding one here, the demo,
    the commands that link one)."""

    async def run_before(pilot: Pilot) -> None:
        await _wait(pilot, lambda: type(pilot.app.screen).__name__ == "FirstRunScreen", "it")
        await pilot.pause()

    app = ChatApp(Session([]), Profile.resolve(tmp_path / "profile"))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_account_form(snap_compare, tmp_path: Path) -> None:
    """The account form from the first run, creating an account: kind, server and
    username, log in or create, the new password twice, where the token goes."""

    async def run_before(pilot: Pilot) -> None:
        app = pilot.app
        await _wait(pilot, lambda: type(app.screen).__name__ == "FirstRunScreen", "first run")
        await pilot.press("a")
        await _wait(pilot, lambda: type(app.screen).__name__ == "AccountForm", "the form")
        await pilot.press(*"http://127.0.0.1:8765", "tab", *"dora", "tab", "right", "space")
        await pilot.press("tab", *"new-secret", "tab", *"new-secret")
        _steady(app)
        await pilot.pause()

    # Nothing is submitted: the profile is only where the account would be written.
    app = ChatApp(None, Profile.resolve(tmp_path / "profile"))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_thread_list(snap_compare, tmp_path: Path) -> None:
    """The merged list before anything is opened, both rows and the status bar."""
    assert _snapshot(snap_compare, tmp_path, lambda world: _list_ready)


def test_help(snap_compare, tmp_path: Path) -> None:
    assert _snapshot(
        snap_compare,
        tmp_path,
        lambda world: _then(world, ("f1",), "HelpScreen", open_thread=False),
    )


def test_new_conversation(snap_compare, tmp_path: Path) -> None:
    assert _snapshot(
        snap_compare,
        tmp_path,
        lambda world: _then(world, ("ctrl+n",), "NewConversationScreen", open_thread=False),
    )


def test_command_palette(snap_compare, tmp_path: Path) -> None:
    """Ctrl+P with "ben" typed: the conversation with ben is offered."""

    def run_before(world: SnapshotWorld):
        opened = _then(world, ("ctrl+p", *"ben"), "CommandPalette", open_thread=False)

        async def run(pilot: Pilot) -> None:
            await opened(pilot)
            from textual.command import CommandList

            options = pilot.app.screen.query_one(CommandList)
            await _wait(pilot, lambda: options.option_count > 0, "the palette's matches")
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()

        return run

    assert _snapshot(snap_compare, tmp_path, run_before)


def test_invitation(snap_compare, tmp_path: Path) -> None:
    """Enter on an invitation asks first: accept, decline or later."""

    def run_before(world: SnapshotWorld):
        async def run(pilot: Pilot) -> None:
            app = pilot.app
            assert isinstance(app, ChatApp) and app.session is not None
            await _list_ready(pilot)
            # An invitation arrives as a backend delivers one (the Matrix adapter
            # does; the reference server has no invitations).
            invite = Thread(
                account_id=ACCOUNT_ID,
                thread_id="invited",
                title="Book swap 📚",
                members=(ME, "dora"),
                last_message=Message(
                    account_id=ACCOUNT_ID,
                    thread_id="invited",
                    message_id="m-invite",
                    sender="dora",
                    body="Join us?",
                    ts=at(7, 12, 0),
                ),
                membership="invite",
                inviter="dora",
            )
            app.session.apply(ThreadUpdated(invite))
            await _wait(pilot, lambda: invite.key in app.session.inbox, "the invitation")
            app.main.jump_to(invite.key)
            await _wait(pilot, lambda: type(app.screen).__name__ == "InviteScreen", "the dialog")
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()

        return run

    assert _snapshot(snap_compare, tmp_path, run_before)


@pytest.mark.parametrize(
    ("key", "screen"),
    [
        pytest.param("ctrl+g", "VanishMenu", id="vanish-menu"),
        pytest.param("ctrl+t", "ThemePicker", id="theme-picker"),
        pytest.param("ctrl+o", "EmojiPicker", id="emoji-picker"),
    ],
)
def test_conversation_dialog(snap_compare, tmp_path: Path, key: str, screen: str) -> None:
    """A dialog over the open picnic conversation."""
    assert _snapshot(
        snap_compare, tmp_path, lambda world: _then(world, (key,), screen, open_thread=True)
    )


def test_who_reacted(snap_compare, tmp_path: Path) -> None:
    """``w`` on Cleo's lemonade message, selected in the focused conversation: its ❤️
    from ana ("you") and ben."""
    keys = ("tab", "end", "up", "up", "up", "w")
    assert _snapshot(
        snap_compare, tmp_path, lambda world: _then(world, keys, "WhoReacted", open_thread=True)
    )


def test_quit_with_unsent_messages(snap_compare, tmp_path: Path) -> None:
    """Ctrl+Q with messages not sent yet: the question, and that they are kept (the
    dialog as the app pushes it; tests/ui/test_app_quit_unsent.py drives it live)."""
    from chatui.ui.screens.confirm_quit import ConfirmQuit

    def run_before(world: SnapshotWorld):
        async def run(pilot: Pilot) -> None:
            await _list_ready(pilot)
            pilot.app.push_screen(ConfirmQuit(2))
            await _wait(pilot, lambda: isinstance(pilot.app.screen, ConfirmQuit), "the question")
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()

        return run

    assert _snapshot(snap_compare, tmp_path, run_before)


@pytest.mark.parametrize(
    "size",
    [pytest.param((80, 24), id="80x24"), pytest.param((60, 20), id="60x20")],
)
@pytest.mark.parametrize(
    ("keys", "screen", "open_thread"),
    [
        pytest.param((), "MainScreen", True, id="conversation"),
        pytest.param(("f1",), "HelpScreen", True, id="help"),
        pytest.param(("ctrl+t",), "ThemePicker", True, id="theme-picker"),
    ],
)
def test_small_terminal(
    snap_compare,
    tmp_path: Path,
    size: tuple[int, int],
    keys: tuple[str, ...],
    screen: str,
    open_thread: bool,
) -> None:
    """The classic 80x24 and a small 60x20: the picnic open (the list yields width
    at 60), the help over it (wrapped under its text), the theme picker over the
    list (the conversation whole beside it). No word is cut without an ellipsis."""
    assert _snapshot(
        snap_compare,
        tmp_path,
        lambda world: _then(world, keys, screen, open_thread=open_thread),
        size,
    )
