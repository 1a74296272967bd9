"""``chatui account add local --register``: creating an account, then linking it.

Real processes against a real server, as test_cli.py; the tokens go to 0600 files
(``--token-store file``) here, the keyring path is in test_readme_accounts.py. The
password typed twice is typed on a real pseudo-terminal.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from chatui.server.runner import ServerThread
from tests.conftest import TEST_SCRYPT_N, make_user
from tests.profile.conftest import run_chatui
from tests.profile.test_cli import accounts_in, add, me, tokens_issued
from tests.support import app_env, chatui_on_pty

TIMEOUT = 60.0  # bounds a hang only

CLOSED = (
    "this server does not take new accounts — ask its operator, "
    "or start it with --open-registration"
)


def register(env, config_dir: Path, server_url: str, username: str, password: str = "pw-new"):
    return add(
        env, config_dir, server_url, username, "--register", "--token-store", "file",
        password=password,
    )  # fmt: skip


def errors(done) -> list[str]:
    """The lines the command said as errors (each must be one line)."""
    return [line for line in done.stderr.splitlines() if line.startswith("chatui:")]


@pytest.fixture
def closed_server(tmp_path: Path):
    """A reference server started without --open-registration."""
    with ServerThread(tmp_path / "closed.db", scrypt_n=TEST_SCRYPT_N) as srv:
        yield srv


def test_register_creates_the_account_and_links_it(
    server: ServerThread, sandbox_env, config_dir: Path, tmp_path: Path
) -> None:
    done = register(sandbox_env, config_dir, server.url, "alice", "new-secret")
    assert done.returncode == 0, done.stderr
    assert f"Created the account alice on {server.url}." in done.stdout
    assert "Linked local-alice" in done.stdout
    (account,) = accounts_in(config_dir)
    assert (account["account_id"], account["username"]) == ("local-alice", "alice")
    token = (config_dir / "data" / "tokens" / "local-alice.token").read_text().strip()
    assert me(server.url, token).json()["username"] == "alice"

    # The password chosen is the account's: a second profile logs in with it.
    second = tmp_path / "second-profile"
    again = add(
        sandbox_env, second, server.url, "alice", "--token-store", "file", password="new-secret"
    )
    assert again.returncode == 0, again.stderr
    other = (second / "data" / "tokens" / "local-alice.token").read_text().strip()
    assert other != token
    assert me(server.url, other).json()["username"] == "alice"


def test_a_closed_server_says_who_can_open_it(
    closed_server: ServerThread, sandbox_env, config_dir: Path
) -> None:
    done = register(sandbox_env, config_dir, closed_server.url, "alice")
    assert done.returncode == 1
    assert errors(done) == [f"chatui: cannot create alice on {closed_server.url}: {CLOSED}"]
    assert not config_dir.exists()


def test_a_taken_username_is_refused_and_links_nothing(
    server: ServerThread, sandbox_env, config_dir: Path
) -> None:
    make_user(server, "alice")
    done = register(sandbox_env, config_dir, server.url, "alice")
    assert done.returncode == 1
    assert errors(done) == [
        f"chatui: cannot create alice on {server.url}: the username alice is taken — "
        "pick another, or leave out --register if it is yours"
    ]
    assert not config_dir.exists()


def test_a_username_the_server_cannot_take_is_refused_before_any_password(
    server: ServerThread, sandbox_env, config_dir: Path
) -> None:
    done = register(sandbox_env, config_dir, server.url, "al ice")
    assert done.returncode == 2
    assert errors(done) == [
        "chatui: --username 'al ice' cannot be registered: "
        "use 1 to 32 characters from a-z, 0-9, '.', '_' and '-'"
    ]
    assert tokens_issued(server) == 0  # nothing reached the server
    assert not config_dir.exists()


def test_an_unreachable_server_is_one_clear_line(sandbox_env, config_dir: Path) -> None:
    # Port 9 on loopback: nothing listens there, the connection is refused at once.
    done = register(sandbox_env, config_dir, "http://127.0.0.1:9", "alice")
    assert done.returncode == 1
    assert errors(done) == [
        "chatui: cannot create alice on http://127.0.0.1:9: cannot reach the server at 127.0.0.1:9"
    ]
    assert not config_dir.exists()


def test_register_is_for_chatui_servers_only(sandbox_env, config_dir: Path) -> None:
    done = run_chatui(
        sandbox_env, config_dir,
        *("account", "add", "matrix", "--user", "@alice:example.org", "--register"),
        "--password-stdin", stdin="pw\n",
    )  # fmt: skip
    assert done.returncode == 2
    assert "--register creates accounts on chatui servers (local) only" in done.stderr
    assert not config_dir.exists()


# --- logging in to a name the server does not know --------------------------------------


def test_with_open_registration_an_unknown_name_is_offered_register(
    server: ServerThread, sandbox_env, config_dir: Path
) -> None:
    done = add(sandbox_env, config_dir, server.url, "alice", "--token-store", "file")
    assert done.returncode == 1
    assert errors(done) == [
        f"chatui: login to {server.url} as alice failed: no such user — add --register to create it"
    ]
    assert not config_dir.exists()
    # Following the advice works.
    assert register(sandbox_env, config_dir, server.url, "alice").returncode == 0


def test_with_closed_registration_an_unknown_name_is_only_a_failed_login(
    closed_server: ServerThread, sandbox_env, config_dir: Path
) -> None:
    done = add(sandbox_env, config_dir, closed_server.url, "alice", "--token-store", "file")
    assert done.returncode == 1
    assert errors(done) == [
        f"chatui: login to {closed_server.url} as alice failed: wrong username or password"
    ]


# --- the new password, typed twice ------------------------------------------------------


def register_on_pty(env, config_dir: Path, server_url: str):
    """``account add --register`` on a pseudo-terminal, where it asks for the password."""
    return chatui_on_pty(
        config_dir,
        *("account", "add", "local", "--server", server_url, "--username", "alice"),
        *("--register", "--token-store", "file"),
        env=app_env(env),
        columns=160,
        rows=24,
    )


def type_password(terminal, prompt: str, password: str, occurrence: int) -> None:
    """Wait for the ``occurrence``-th ``prompt`` on the screen, then type ``password``."""
    terminal.wait_for(lambda s: s.count(prompt) >= occurrence, f"{prompt!r} #{occurrence}", TIMEOUT)
    terminal.type(password)
    terminal.press("enter")


def test_two_different_passwords_are_asked_for_again(
    server: ServerThread, sandbox_env, config_dir: Path
) -> None:
    terminal = register_on_pty(sandbox_env, config_dir, server.url)
    try:
        type_password(terminal, f"New password for alice on {server.url}:", "first-try", 1)
        type_password(terminal, "Type it again:", "frist-try", 1)
        terminal.wait_for(
            lambda s: "The two passwords differ; type them again." in s, "the mismatch", TIMEOUT
        )
        type_password(terminal, f"New password for alice on {server.url}:", "second-try", 2)
        type_password(terminal, "Type it again:", "second-try", 2)
        assert terminal.wait_exit(TIMEOUT) == 0, terminal.screen_text()
        screen = terminal.screen_text()
    finally:
        terminal.close()
    assert "Linked local-alice" in screen
    for typed in ("first-try", "frist-try", "second-try"):
        assert typed not in screen  # never echoed
    # The account has the password typed the same twice.
    login = httpx.post(
        f"{server.url}/v1/login", json={"username": "alice", "password": "second-try"}
    )
    assert login.status_code == 200


def test_passwords_that_never_match_stop_without_creating_anything(
    server: ServerThread, sandbox_env, config_dir: Path
) -> None:
    terminal = register_on_pty(sandbox_env, config_dir, server.url)
    try:
        for attempt in (1, 2, 3):
            type_password(terminal, "New password for alice", f"pw-{attempt}", attempt)
            type_password(terminal, "Type it again:", f"other-{attempt}", attempt)
        assert terminal.wait_exit(TIMEOUT) == 1
        screen = terminal.screen_text()
    finally:
        terminal.close()
    assert "chatui: the two passwords differed 3 times; nothing was changed" in screen
    assert screen.count("New password for alice") == 3
    assert tokens_issued(server) == 0  # no account was made
    assert not config_dir.exists()


def test_help_explains_register(sandbox_env, config_dir: Path) -> None:
    done = run_chatui(sandbox_env, config_dir, "account", "add", "--help")
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert "--register create the account on the server, then link it" in text
    assert "--username alice --register" in text
