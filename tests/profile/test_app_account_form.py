"""The app's account form keeps tokens where ``chatui account add`` does.

The app runs under Pilot in this process, so this process's keyring is made the
test's own: a real gnome-keyring on a private D-Bus (the ``secret_service``
fixture), or a bus that leads nowhere (no Secret Service at all). The server is a
real reference server over loopback; what the form wrote is read back as the next
start would read it (config.toml, the keyring through a process of its own, the
token file).
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import pytest
from textual.widgets import Checkbox, Input

from chatui.profile.config import load_accounts
from chatui.profile.folders import Profile
from chatui.server.runner import ServerThread
from chatui.ui.app import ChatApp
from chatui.ui.main_screen import MainScreen
from chatui.ui.screens.account_form import AccountForm
from chatui.ui.screens.first_run import FirstRunScreen
from tests.conftest import make_user
from tests.profile.conftest import files_containing, keyring_lookup
from tests.profile.test_cli import me, tokens_issued
from tests.ui.conftest import thread_rows, wait_for

_KEYRING_ENV = (
    "DBUS_SESSION_BUS_ADDRESS",
    "PYTHON_KEYRING_BACKEND",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
)
"""What picks this process's keyring: the session bus, and keyring's own settings."""


def _keyring_from(env: Mapping[str, str]) -> Iterator[None]:
    """This process's keyring as ``env`` places it, chosen afresh; the old one after.

    keyring finds the usable backends and picks one once per process, on first use:
    forgetting both makes the next use (the app's, in chatui.profile.tokens) find
    and pick again, as a new process would, and fail there the way it would fail
    for a user.
    """

    saved = {name: os.environ.get(name) for name in _KEYRING_ENV}
    for name in _KEYRING_ENV:
        if name in env:
            os.environ[name] = env[name]
        else:
            os.environ.pop(name, None)
    _forget_keyring()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _forget_keyring()


def _forget_keyring() -> None:
    import keyring.backend
    import keyring.core

    with contextlib.suppress(KeyError):  # nothing found yet: nothing to forget
        keyring.backend.get_all_keyring.reset()
    keyring.core._keyring_backend = None


@pytest.fixture
def keyring_here(secret_service: dict[str, str]) -> Iterator[dict[str, str]]:
    """A real gnome-keyring as this process's keyring; yields its environment."""
    yield from (secret_service for _ in _keyring_from(secret_service))


@pytest.fixture
def no_keyring_here(sandbox_env: dict[str, str]) -> Iterator[None]:
    """No Secret Service for this process (a session bus that leads nowhere)."""
    yield from _keyring_from(sandbox_env)


async def open_form(pilot) -> AccountForm:
    app = pilot.app
    assert isinstance(app.screen, FirstRunScreen)
    await pilot.press("a")
    await wait_for(pilot, lambda: isinstance(app.screen, AccountForm), "the account form")
    return app.screen


async def fill(pilot, server: str, username: str, *, register: bool = False) -> None:
    """The form's first fields, typed as a person does (the server field has focus)."""
    await pilot.press(*server, "tab", *username, "tab")
    if register:
        await pilot.press("right", "space")  # the second choice: create a new account
    await pilot.press("tab")


def field(form: AccountForm, name: str) -> str:
    return form.query_one(f"#{name}", Input).value


pytestmark = [pytest.mark.keyring]


async def test_first_run_creates_the_account_and_keeps_its_token_in_the_keyring(
    server: ServerThread, keyring_here: dict[str, str], tmp_path: Path
) -> None:
    profile = Profile.resolve(tmp_path / "profile")
    alice = make_user(server, "alice")
    app = ChatApp(None, profile)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_form(pilot)
        await fill(pilot, server.url, "dora", register=True)
        await pilot.press(*"new-secret", "tab", *"new-secret", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the main window")

        # Written as `account add --register` writes it: config, then the keyring.
        (account,) = load_accounts(profile)
        assert (account.account_id, account.username, account.server) == (
            "local-dora",
            "dora",
            server.url,
        )
        assert account.token_store == "keyring"
        _backend, token = keyring_lookup(keyring_here, "local-dora")
        assert token and me(server.url, token).json()["username"] == "dora"
        assert files_containing(tmp_path, token) == []  # only the keyring has it
        assert "new-secret" not in (profile.config_file.read_text())

        # The new account is live: a conversation started with dora shows up.
        status = app.main.status_bar
        await wait_for(pilot, lambda: "connected" in status.plain, "dora connected")
        httpx.post(
            f"{server.url}/v1/threads",
            json={"members": ["dora"], "title": "Welcome aboard"},
            headers={"Authorization": f"Bearer {alice.token}"},
            timeout=10,
        ).raise_for_status()
        await wait_for(
            pilot,
            lambda: any("Welcome aboard" in row for row in thread_rows(app.main)),
            "the thread",
        )
        assert form not in app.screen_stack


async def test_a_refused_login_is_said_in_the_form_and_nothing_is_written(
    server: ServerThread, keyring_here: dict[str, str], tmp_path: Path
) -> None:
    profile = Profile.resolve(tmp_path / "profile")
    make_user(server, "erin", "right-password")
    app = ChatApp(None, profile)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_form(pilot)
        await fill(pilot, server.url, "erin")
        await pilot.press(*"wrong-password", "enter")
        await wait_for(pilot, lambda: "wrong username or password" in form.error_text, "the error")
        assert form.error_text == (
            f"Login to {server.url} as erin failed: wrong username or password"
        )
        # Still the form, with everything typed but the password, which is cleared.
        assert app.screen is form
        assert (field(form, "server"), field(form, "username")) == (server.url, "erin")
        assert field(form, "password") == ""
        assert app.focused is form.query_one("#password", Input)
        assert not profile.config_file.exists()
        assert keyring_lookup(keyring_here, "local-erin")[1] is None

        # A name the server does not know: the form says how to create it.
        username = form.query_one("#username", Input)
        username.value = "nobody"
        await pilot.press(*"whatever", "enter")
        await wait_for(pilot, lambda: "no such user" in form.error_text, "the second error")
        assert form.error_text.endswith("no such user — choose “Create a new account” to create it")
        assert not profile.config_file.exists()

        # The right password links the account.
        username.value = "erin"
        await pilot.press(*"right-password", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the main window")
        assert [a.account_id for a in load_accounts(profile)] == ["local-erin"]
        assert keyring_lookup(keyring_here, "local-erin")[1]


async def test_without_a_keyring_the_form_offers_a_token_file(
    server: ServerThread, no_keyring_here: None, tmp_path: Path
) -> None:
    profile = Profile.resolve(tmp_path / "profile")
    make_user(server, "fay")
    issued = tokens_issued(server)
    app = ChatApp(None, profile)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_form(pilot)
        file_store = form.query_one("#file-store", Checkbox)
        assert not file_store.display  # the keyring is the default, as for the CLI
        await fill(pilot, server.url, "fay")
        await pilot.press(*"pw-fay", "enter")
        await wait_for(pilot, lambda: "system keyring" in form.error_text, "the keyring's error")
        # Decided before any password went to the server, as `account add` does.
        assert tokens_issued(server) == issued
        assert file_store.display and not file_store.value

        file_store.focus()
        await pilot.press("space")
        form.query_one("#password", Input).focus()
        await pilot.press(*"pw-fay", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the main window")
        (account,) = load_accounts(profile)
        assert account.token_store == "file"
        token_file = profile.tokens_dir / "local-fay.token"
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        assert me(server.url, token_file.read_text().strip()).json()["username"] == "fay"
