"""``chatui account add matrix`` as a real process against the real Synapse."""

from __future__ import annotations

import tomllib
from pathlib import Path

import httpx

from tests.profile import conftest as accounts_fixtures
from tests.profile.conftest import run_chatui

# The accounts tests' sandbox (private HOME, XDG folders, no session bus), reused.
sandbox_env = accounts_fixtures.sandbox_env


def _accounts(config_dir: Path) -> list[dict]:
    path = config_dir / "config.toml"
    if not path.exists():
        return []
    return tomllib.loads(path.read_text(encoding="utf-8")).get("accounts", [])


def _whoami(base_url: str, token: str) -> httpx.Response:
    return httpx.get(
        f"{base_url}/_matrix/client/v3/account/whoami",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def add_matrix(env, config_dir, *args, password):
    return run_chatui(
        env,
        config_dir,
        "account",
        "add",
        "matrix",
        *args,
        "--password-stdin",
        "--token-store",
        "file",
        stdin=password + "\n",
    )


def test_add_with_homeserver_url_then_remove_signs_out(
    synapse, matrix_user, sandbox_env, tmp_path
) -> None:
    alice = matrix_user("alice")
    config_dir = tmp_path / "profile"
    added = add_matrix(
        sandbox_env,
        config_dir,
        "--homeserver",
        synapse.base_url,
        "--user",
        alice.user_id,
        password=alice.password,
    )
    assert added.returncode == 0, added.stderr
    [entry] = _accounts(config_dir)
    assert entry["kind"] == "matrix"
    assert entry["server"] == synapse.base_url
    assert entry["username"] == alice.user_id
    localpart = alice.user_id[1:].split(":")[0]
    assert entry["account_id"] == f"matrix-{localpart}"
    token_file = next((config_dir / "data" / "tokens").glob("*.token"))
    token = token_file.read_text(encoding="utf-8").strip()
    assert _whoami(synapse.base_url, token).json()["user_id"] == alice.user_id
    assert alice.password not in config_dir.joinpath("config.toml").read_text()

    listed = run_chatui(sandbox_env, config_dir, "account", "list")
    assert alice.user_id in listed.stdout and "matrix" in listed.stdout

    removed = run_chatui(sandbox_env, config_dir, "account", "remove", entry["account_id"])
    assert removed.returncode == 0, removed.stderr
    assert _accounts(config_dir) == []
    # The device is signed out on the homeserver, not just forgotten here.
    assert _whoami(synapse.base_url, token).status_code == 401


def test_add_finds_the_homeserver_through_well_known(
    synapse, matrix_user, sandbox_env, tmp_path
) -> None:
    alice = matrix_user("alice")
    config_dir = tmp_path / "profile"
    # A bare server name: https is tried first, then (loopback only) http, whose
    # /.well-known/matrix/client names the homeserver's base URL.
    bare = synapse.base_url.removeprefix("http://")
    added = add_matrix(
        sandbox_env,
        config_dir,
        "--homeserver",
        bare,
        "--user",
        alice.user_id,
        password=alice.password,
    )
    assert added.returncode == 0, added.stderr
    [entry] = _accounts(config_dir)
    assert entry["server"] == synapse.base_url


def test_a_wrong_password_or_an_unknown_server_changes_nothing(
    synapse, matrix_user, sandbox_env, tmp_path
) -> None:
    alice = matrix_user("alice")
    config_dir = tmp_path / "profile"
    wrong = add_matrix(
        sandbox_env,
        config_dir,
        "--homeserver",
        synapse.base_url,
        "--user",
        alice.user_id,
        password="not it",
    )
    assert wrong.returncode == 1
    assert "failed" in wrong.stderr
    # The user id's server ("localhost") offers no .well-known and no homeserver.
    nowhere = add_matrix(sandbox_env, config_dir, "--user", alice.user_id, password="x")
    assert nowhere.returncode == 1
    assert "cannot find the homeserver for localhost" in nowhere.stderr
    assert "--homeserver" in nowhere.stderr
    assert not (config_dir / "config.toml").exists()
    assert not list(config_dir.rglob("*.token"))
