"""``chatui account add|list|remove`` end to end: real processes, a real server.

These use ``--token-store file``; the keyring path is in test_keyring.py.
"""

from __future__ import annotations

import sqlite3
import stat
import tomllib
from pathlib import Path

import httpx

from tests.conftest import make_user
from tests.profile.conftest import files_containing, run_chatui


def me(server_url: str, token: str) -> httpx.Response:
    return httpx.get(f"{server_url}/v1/me", headers={"Authorization": f"Bearer {token}"})


def accounts_in(config_dir: Path) -> list[dict]:
    path = config_dir / "config.toml"
    if not path.exists():
        return []
    return tomllib.loads(path.read_text(encoding="utf-8")).get("accounts", [])


def add(env, config_dir, server_url, username, *extra, password=None):
    return run_chatui(
        env,
        config_dir,
        "account",
        "add",
        "local",
        "--server",
        server_url,
        "--username",
        username,
        "--password-stdin",
        *extra,
        stdin=(password if password is not None else f"pw-{username}") + "\n",
    )


def test_add_list_remove_with_a_token_file(server, sandbox_env, config_dir: Path) -> None:
    make_user(server, "alice")

    added = add(sandbox_env, config_dir, server.url, "alice", "--token-store", "file")
    assert added.returncode == 0, added.stderr
    token_file = config_dir / "data" / "tokens" / "local-alice.token"
    # The plain warning names the file and says it is not encrypted.
    assert "UNENCRYPTED" in added.stderr
    assert str(token_file) in added.stderr

    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(token_file.parent.stat().st_mode) == 0o700
    token = token_file.read_text(encoding="utf-8").strip()
    answer = me(server.url, token)
    assert answer.status_code == 200
    assert answer.json()["username"] == "alice"

    assert accounts_in(config_dir) == [
        {
            "account_id": "local-alice",
            "kind": "local",
            "server": server.url,
            "username": "alice",
            "label": "A",
            "color": "#5fafff",
            "token_store": "file",
        }
    ]
    # The token is in its file and nowhere else, not in the output either.
    assert files_containing(config_dir, token) == [token_file]
    assert token not in added.stdout + added.stderr
    assert "pw-alice" not in added.stdout + added.stderr

    listed = run_chatui(sandbox_env, config_dir, "account", "list")
    assert listed.returncode == 0, listed.stderr
    header, row = listed.stdout.splitlines()
    assert header.split() == ["ID", "KIND", "SERVER", "USER", "LABEL", "COLOR", "TOKEN", "STORE"]
    assert row.split() == ["local-alice", "local", server.url, "alice", "A", "#5fafff", "file"]

    removed = run_chatui(sandbox_env, config_dir, "account", "remove", "local-alice")
    assert removed.returncode == 0, removed.stderr
    assert not token_file.exists()
    assert accounts_in(config_dir) == []
    listed = run_chatui(sandbox_env, config_dir, "account", "list")
    assert listed.returncode == 0
    assert "No linked accounts" in listed.stdout


def test_removing_a_local_account_revokes_its_token_on_the_server(
    server, sandbox_env, config_dir: Path
) -> None:
    """A removed account leaves nothing behind that still works: a copy of the token
    (a backup, another machine) is refused by the server from then on."""
    make_user(server, "alice")
    added = add(sandbox_env, config_dir, server.url, "alice", "--token-store", "file")
    assert added.returncode == 0, added.stderr
    token_file = config_dir / "data" / "tokens" / "local-alice.token"
    token = token_file.read_text(encoding="utf-8").strip()
    assert me(server.url, token).status_code == 200  # the positive control

    removed = run_chatui(sandbox_env, config_dir, "account", "remove", "local-alice")
    assert removed.returncode == 0, removed.stderr
    assert "warning" not in removed.stderr
    assert me(server.url, token).status_code == 401
    assert not token_file.exists()


def test_removing_works_with_the_server_down_and_says_the_token_was_not_revoked(
    server, sandbox_env, config_dir: Path
) -> None:
    make_user(server, "alice")
    added = add(sandbox_env, config_dir, server.url, "alice", "--token-store", "file")
    assert added.returncode == 0, added.stderr
    token = (config_dir / "data" / "tokens" / "local-alice.token").read_text().strip()
    server.stop()
    removed = run_chatui(sandbox_env, config_dir, "account", "remove", "local-alice")
    assert removed.returncode == 0, removed.stderr
    assert "could not sign out" in removed.stderr
    assert accounts_in(config_dir) == []
    assert files_containing(config_dir, token) == []


def test_each_account_gets_its_own_id_label_and_color(
    server, sandbox_env, config_dir: Path
) -> None:
    make_user(server, "alice")
    make_user(server, "anna")
    for name in ("alice", "anna"):
        done = add(sandbox_env, config_dir, server.url, name, "--token-store", "file")
        assert done.returncode == 0, done.stderr
    accounts = accounts_in(config_dir)
    assert [a["account_id"] for a in accounts] == ["local-alice", "local-anna"]
    assert len({a["label"] for a in accounts}) == 2
    assert len({a["color"] for a in accounts}) == 2

    # The same user on the same server twice is refused, and changes nothing.
    again = add(sandbox_env, config_dir, server.url, "alice", "--token-store", "file")
    assert again.returncode == 2
    assert "already linked as 'local-alice'" in again.stderr
    assert accounts_in(config_dir) == accounts


def test_explicit_id_label_and_color_are_kept(server, sandbox_env, config_dir: Path) -> None:
    make_user(server, "alice")
    done = add(
        sandbox_env,
        config_dir,
        server.url,
        "alice",
        "--token-store",
        "file",
        "--id",
        "work",
        "--label",
        "W",
        "--color",
        "magenta",
    )
    assert done.returncode == 0, done.stderr
    (account,) = accounts_in(config_dir)
    assert (account["account_id"], account["label"], account["color"]) == ("work", "W", "magenta")
    assert (config_dir / "data" / "tokens" / "work.token").exists()


def test_a_wrong_password_writes_nothing(server, sandbox_env, config_dir: Path) -> None:
    make_user(server, "alice")
    done = add(
        sandbox_env, config_dir, server.url, "alice", "--token-store", "file", password="nope"
    )
    assert done.returncode == 1
    assert "login" in done.stderr
    assert "Traceback" not in done.stderr
    assert not config_dir.exists()  # not even an empty folder is left


def test_an_unreachable_server_is_a_clear_error(sandbox_env, config_dir: Path) -> None:
    # Port 9 on loopback: nothing listens there, the connection is refused at once.
    done = add(sandbox_env, config_dir, "http://127.0.0.1:9", "alice", "--token-store", "file")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "127.0.0.1:9" in done.stderr
    assert not config_dir.exists()


def test_a_broken_config_is_reported_with_file_and_line(sandbox_env, config_dir: Path) -> None:
    config_dir.mkdir()
    (config_dir / "config.toml").write_text(
        '[[accounts]]\naccount_id = "a"\nkind = "local"\nserver = http://x\n', encoding="utf-8"
    )
    done = run_chatui(sandbox_env, config_dir, "account", "list")
    assert done.returncode == 1
    assert str(config_dir / "config.toml") in done.stderr
    assert "line 4" in done.stderr
    assert "Traceback" not in done.stderr


def test_removing_an_unknown_account_names_the_linked_ones(
    server, sandbox_env, config_dir: Path
) -> None:
    make_user(server, "alice")
    linked = add(sandbox_env, config_dir, server.url, "alice", "--token-store", "file")
    assert linked.returncode == 0, linked.stderr
    done = run_chatui(sandbox_env, config_dir, "account", "remove", "local-bob")
    assert done.returncode == 1
    assert "local-bob" in done.stderr
    assert "local-alice" in done.stderr
    assert len(accounts_in(config_dir)) == 1


def test_without_a_terminal_the_password_must_come_on_stdin(
    server, sandbox_env, config_dir: Path
) -> None:
    make_user(server, "alice")
    result = run_chatui(
        sandbox_env,
        config_dir,
        *("account", "add", "local", "--server", server.url, "--username", "alice"),
        *("--token-store", "file"),
        stdin="pw-alice\n",  # piped, not typed: no terminal to ask on
    )
    assert result.returncode == 2
    assert "no terminal to ask the password on" in result.stderr
    assert "--password-stdin" in result.stderr
    assert "Warning" not in result.stderr  # not getpass's echo warning
    assert accounts_in(config_dir) == []


def test_a_username_in_capitals_is_linked_in_lower_case(
    server, sandbox_env, config_dir: Path
) -> None:
    make_user(server, "alice")
    added = add(
        sandbox_env, config_dir, server.url, "Alice", "--token-store", "file", password="pw-alice"
    )
    assert added.returncode == 0, added.stderr
    assert "usernames on the reference server are lower case: linking alice" in added.stderr
    assert [a["username"] for a in accounts_in(config_dir)] == ["alice"]


def test_an_unusable_config_folder_is_refused_before_logging_in(server, sandbox_env) -> None:
    make_user(server, "alice")
    # Nothing may be made under /sys, even by root (who passes every permission check).
    config_dir = Path("/sys/chatui-test-profile")
    added = add(sandbox_env, config_dir, server.url, "alice", "--token-store", "file")
    assert added.returncode == 2, added.stderr
    assert f"cannot use the config folder {config_dir}" in added.stderr
    assert "Linked" not in added.stdout
    # Refused before the password was sent: the server issued no token but the
    # one registering gave.
    assert tokens_issued(server) == 1


def tokens_issued(server) -> int:
    with sqlite3.connect(f"file:{server.db_path}?mode=ro", uri=True) as db:
        return db.execute("SELECT count(*) FROM tokens").fetchone()[0]
