"""Tokens in a real Secret Service, and the clear way out when there is none.

The Secret Service is a real gnome-keyring-daemon on a private D-Bus session bus
(see the ``secret_service`` fixture), so the test proves what a Linux desktop user
gets: the token readable through the keyring and written to no file of ours.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import httpx
import pytest

from tests.conftest import make_user
from tests.profile.conftest import files_containing, keyring_lookup, run_chatui

pytestmark = pytest.mark.keyring


def add(env, config_dir: Path, server_url: str, username: str, *extra: str):
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
        stdin=f"pw-{username}\n",
    )


def test_token_lives_in_the_secret_service_only(
    server, secret_service, config_dir: Path, tmp_path: Path
) -> None:
    make_user(server, "alice")
    # keyring is the default store: no flag needed.
    done = add(secret_service, config_dir, server.url, "alice")
    assert done.returncode == 0, done.stderr
    assert "UNENCRYPTED" not in done.stderr

    backend, token = keyring_lookup(secret_service, "local-alice")
    assert backend == "keyring.backends.SecretService.Keyring"
    assert token
    answer = httpx.get(f"{server.url}/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert answer.json()["username"] == "alice"

    config = tomllib.loads((config_dir / "config.toml").read_text(encoding="utf-8"))
    assert config["accounts"][0]["token_store"] == "keyring"
    assert not (config_dir / "data" / "tokens").exists()
    # Not in the profile, not in HOME, nowhere under this test's folders in clear text.
    assert files_containing(tmp_path, token) == []

    listed = run_chatui(secret_service, config_dir, "account", "list")
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[1].split()[-1] == "keyring"

    removed = run_chatui(secret_service, config_dir, "account", "remove", "local-alice")
    assert removed.returncode == 0, removed.stderr
    assert keyring_lookup(secret_service, "local-alice")[1] is None
    assert tomllib.loads((config_dir / "config.toml").read_text())["accounts"] == []


def test_without_a_secret_service_add_stops_and_names_both_choices(
    server, sandbox_env, config_dir: Path
) -> None:
    # sandbox_env's session bus address is a socket that does not exist.
    make_user(server, "alice")
    done = add(sandbox_env, config_dir, server.url, "alice")
    assert done.returncode == 2
    message = done.stderr
    assert "Traceback" not in message
    assert "Secret Service" in message
    assert "gnome-keyring" in message
    assert "--token-store file" in message
    assert "Nothing was changed" in message
    # Nothing half-done: no account, no token, not even an empty profile folder.
    assert not config_dir.exists()
