"""Adding an account in the running app, and logging in again to one whose token the
server refused: the account form, over real reference servers, on a real profile
(config.toml and 0600 token files; the keyring's side is tests/profile's
test_app_account_form.py). The app is built as ``chatui`` builds it: a
LaunchSession on the profile's linked accounts.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from textual.widgets import Input

from chatui.core.models import AccountConfig, ConnectionState, Credentials
from chatui.profile.config import load_accounts, save_accounts
from chatui.profile.folders import Profile
from chatui.profile.tokens import load_token, store_token
from chatui.session.launch import LaunchSession
from chatui.ui.app import ChatApp
from chatui.ui.screens.account_form import AccountForm
from chatui.ui.widgets.status import KeyBar, StatusBar
from tests.conftest import make_user
from tests.session.helpers import Restartable
from tests.ui.conftest import World, choose_in_palette, rendered, thread_rows, wait_for


def linked_profile(tmp_path: Path, server_url: str, creds: Credentials) -> Profile:
    """A profile with one account linked as ``chatui account add --token-store file``
    leaves it: its config entry and its 0600 token file."""
    profile = Profile.resolve(tmp_path / "profile")
    account = AccountConfig(
        account_id="home",
        kind="local",
        server=server_url,
        username=creds.username,
        label="H",
        color="#5fafff",
        token_store="file",
    )
    save_accounts(profile, [account])
    store_token(profile, account, creds.token)
    return profile


def chatui_app(profile: Profile) -> ChatApp:
    """The app as ``chatui`` starts it on ``profile`` (chatui.main)."""
    return ChatApp(LaunchSession(profile, load_accounts(profile)), profile)


def me(server_url: str, token: str) -> httpx.Response:
    return httpx.get(
        f"{server_url}/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


async def test_an_account_added_from_the_palette_joins_the_list_live(
    world: World, tmp_path: Path
) -> None:
    profile = linked_profile(tmp_path, world.home.url, world.bob_home)
    app = chatui_app(profile)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(
            pilot, lambda: any("Lunch plans" in row for row in thread_rows(app)), "home's thread"
        )
        await pilot.press("ctrl+p")
        await choose_in_palette(pilot, "add account", "Add an account…")
        await wait_for(pilot, lambda: isinstance(app.screen, AccountForm), "the account form")
        # bob's account on the second server, typed as a person does.
        await pilot.press(*world.work.url, "tab", *"bob", "tab", "tab", *"pw-bob", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, AccountForm), "the form closed")

        # Its conversation joins the merged list, without a restart.
        await wait_for(
            pilot,
            lambda: any("Climbing trip" in row for row in thread_rows(app)),
            "the new account's thread in the list",
        )
        assert any("Lunch plans" in row for row in thread_rows(app))
        status = app.query_one(StatusBar)
        await wait_for(pilot, lambda: status.plain.count("connected") == 2, "both connected")

        # Linked for the next start too: the config and a 0600 token file, as the
        # profile's other account keeps its token (the CLI's --token-store file).
        home, added = load_accounts(profile)
        assert home.account_id == "home"
        assert (added.server, added.username, added.token_store) == (world.work.url, "bob", "file")
        assert me(world.work.url, load_token(profile, added)).json()["username"] == "bob"

        # Live, too: carol's next message on the new account arrives.
        world.work.database.add_message(world.climbing[1], "carol", "bring the rope")
        key = (added.account_id, world.climbing[1])
        await wait_for(
            pilot,
            lambda: (
                (thread := app.session.inbox.get(key)) is not None
                and thread.last_message is not None
                and thread.last_message.body == "bring the rope"
            ),
            "carol's message on the added account",
        )


async def revoke(pilot, srv: Restartable, token: str) -> None:
    """The token is revoked (a logout elsewhere) and the server restarted: the app's
    next connection is refused, and its status bar says to log in again."""
    httpx.post(
        f"{srv.url}/v1/logout", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).raise_for_status()
    srv.stop()
    srv.start()
    status = pilot.app.query_one(StatusBar)
    await wait_for(
        pilot, lambda: "log in again (f6)" in status.plain, "'log in again' in the status"
    )


async def test_a_refused_token_is_replaced_by_logging_in_again(tmp_path: Path) -> None:
    srv = Restartable(tmp_path / "server.db")
    server = srv.start()
    try:
        bob = make_user(server, "bob")
        make_user(server, "alice")
        lunch = server.database.create_thread("alice", ["bob"], "Lunch plans")
        profile = linked_profile(tmp_path, srv.url, bob)
        app = chatui_app(profile)
        async with app.run_test(size=(120, 30)) as pilot:
            session = app.session
            assert session is not None
            status = app.query_one(StatusBar)
            await wait_for(
                pilot,
                lambda: session.states["home"][0] is ConnectionState.CONNECTED,
                "connected",
            )

            await revoke(pilot, srv, bob.token)
            assert "signed out" in status.plain
            assert "f6 Log in" in rendered(app.main.query_one(KeyBar))

            await pilot.press("f6")
            await wait_for(pilot, lambda: isinstance(app.screen, AccountForm), "the form")
            form = app.screen
            # Only the password is asked: the account is the one refused.
            for name, value in (("server", srv.url), ("username", "bob")):
                box = form.query_one(f"#{name}", Input)
                assert box.value == value and box.disabled
            assert app.focused is form.query_one("#password", Input)

            await pilot.press(*"not-it", "enter")
            await wait_for(pilot, lambda: "wrong username or password" in form.error_text, "err")
            assert form.query_one("#password", Input).value == ""
            await pilot.press(*"pw-bob", "enter")

            await wait_for(
                pilot,
                lambda: (
                    session.states["home"][0] is ConnectionState.CONNECTED
                    and "log in again" not in status.plain
                ),
                "reconnected",
            )
            assert not isinstance(app.screen, AccountForm)
            assert "Log in" not in rendered(app.main.query_one(KeyBar))
            # The new token replaced the old one where it was kept; nothing else changed.
            (account,) = load_accounts(profile)
            assert account.account_id == "home"
            token = load_token(profile, account)
            assert token != bob.token
            assert me(srv.url, token).json()["username"] == "bob"
            assert me(srv.url, bob.token).status_code == 401

            # And it is live again.
            assert srv.server is not None
            srv.server.database.add_message(lunch["thread_id"], "alice", "still hungry?")
            await wait_for(
                pilot,
                lambda: any("still hungry?" in row for row in thread_rows(app)),
                "alice's message after logging in again",
            )
    finally:
        srv.stop()


async def test_adding_a_signed_out_account_again_logs_it_in_again(tmp_path: Path) -> None:
    """The way a person tries before knowing F6: "Add an account" with the same server
    and name logs the account in again, instead of refusing it as already linked."""
    srv = Restartable(tmp_path / "server.db")
    server = srv.start()
    try:
        bob = make_user(server, "bob")
        profile = linked_profile(tmp_path, srv.url, bob)
        app = chatui_app(profile)
        async with app.run_test(size=(120, 30)) as pilot:
            session = app.session
            assert session is not None
            await wait_for(
                pilot,
                lambda: session.states["home"][0] is ConnectionState.CONNECTED,
                "connected",
            )
            await revoke(pilot, srv, bob.token)
            await pilot.press("ctrl+p")
            await choose_in_palette(pilot, "add account", "Add an account…")
            await wait_for(pilot, lambda: isinstance(app.screen, AccountForm), "the form")
            form = app.screen
            await pilot.press(*srv.url, "tab", *"Bob", "tab", "tab", *"pw-bob", "enter")
            await wait_for(
                pilot,
                lambda: session.states["home"][0] is ConnectionState.CONNECTED,
                "reconnected",
            )
            assert app.screen is not form  # done: no "already linked" left to read
            (account,) = load_accounts(profile)  # no second entry for the same account
            assert me(srv.url, load_token(profile, account)).json()["username"] == "bob"
            assert session.signed_out() == []
    finally:
        srv.stop()
