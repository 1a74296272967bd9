"""No linked account: the first-run screen, and the launcher around the app."""

from __future__ import annotations

import argparse
from pathlib import Path

from textual.widgets import Button, Static

from chatui.core.models import AccountConfig, ConnectionState
from chatui.main import run_linked_accounts
from chatui.profile.config import save_accounts
from chatui.profile.folders import Profile
from chatui.profile.tokens import store_token
from chatui.server.runner import ServerThread
from chatui.session.launch import UnusableBackend, link_account
from chatui.session.session import Session
from chatui.ui.app import ChatApp
from chatui.ui.screens.first_run import ADD_LOCAL_COMMAND, FirstRunScreen
from chatui.ui.widgets.status import StatusBar
from tests.conftest import make_user
from tests.ui.conftest import wait_for


async def test_first_run_without_a_profile_offers_the_demo_and_the_commands() -> None:
    # No profile to keep an account in: no form, but the commands that link one.
    app = ChatApp(None)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, FirstRunScreen)
        assert not app.screen.query("#add")
        help_box = app.screen.query_one("#add-help", Static)
        assert help_box.display
        text = str(help_box.content)
        assert ADD_LOCAL_COMMAND in text and "--register" in text
        assert "clipboard" not in text
        await pilot.press("a")  # the form's key does nothing without a profile
        assert isinstance(app.screen, FirstRunScreen)
        await pilot.click("#demo")
    assert app.return_value == "demo"


async def test_first_run_with_an_empty_session_and_quit() -> None:
    app = ChatApp(Session([]))
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, FirstRunScreen)
        assert app.screen.query_one("#demo", Button).has_focus
        await pilot.press("q")
    assert app.return_value is None


def _account(server_url: str, account_id: str, username: str) -> AccountConfig:
    return AccountConfig(
        account_id=account_id,
        kind="local",
        server=server_url,
        username=username,
        label=account_id[:1].upper(),
        color="#5fafff",
        token_store="file",
    )


async def test_an_account_without_token_shows_its_error_and_the_rest_works(
    server: ServerThread, tmp_path: Path
) -> None:
    profile = Profile.resolve(tmp_path / "profile")
    good = _account(server.url, "good", "dora")
    lost = _account(server.url, "lost", "eve")
    store_token(profile, good, make_user(server, "dora").token)
    make_user(server, "eve")  # registered, but this profile never stored her token

    linked = [link_account(profile, good), link_account(profile, lost)]
    assert isinstance(linked[1].backend, UnusableBackend)
    app = ChatApp(Session(linked), profile)
    async with app.run_test(size=(100, 30)) as pilot:
        status = app.query_one(StatusBar)
        await wait_for(
            pilot,
            lambda: (
                app.session.states["lost"][0] is ConnectionState.ERROR
                and "connected" in status.plain
            ),
            "one account in error, the other connected",
        )
        assert "error" in status.plain and "lost" in status.plain
        assert app.session.states["good"][0] is ConnectionState.CONNECTED


def test_launcher_rejects_a_broken_config_with_exit_2(tmp_path: Path, capsys) -> None:
    profile_dir = tmp_path / "profile"
    profile_dir.mkdir()
    (profile_dir / "config.toml").write_text("[[accounts]]\naccount_id = 3\n")
    code = run_linked_accounts(argparse.Namespace(config_dir=str(profile_dir)))
    assert code == 2
    err = capsys.readouterr().err
    assert "config.toml" in err


def test_saved_accounts_are_linked(server: ServerThread, tmp_path: Path) -> None:
    profile = Profile.resolve(tmp_path / "profile")
    account = _account(server.url, "main", "fred")
    save_accounts(profile, [account])
    store_token(profile, account, make_user(server, "fred").token)
    linked = link_account(profile, account)
    assert not isinstance(linked.backend, UnusableBackend)
    assert linked.backend.kind == "local"
