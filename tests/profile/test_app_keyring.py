"""The app itself reads each account's token from the Secret Service when it starts.

``test_keyring.py`` checks where ``account add`` puts a token, reading it back
through a process of its own; this runs the real ``chatui`` on a pseudo-terminal
against a real gnome-keyring (private D-Bus) and a real server, so the app's own
read — in its worker thread, after the first frame — is what is proven.
"""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

from chatui.server.runner import ServerThread
from tests.conftest import make_user
from tests.profile.conftest import files_containing, keyring_lookup, run_chatui
from tests.support import app_env, chatui_on_pty

pytestmark = [pytest.mark.keyring, pytest.mark.e2e]

TIMEOUT = 60.0  # bounds a hang only


def test_the_app_signs_in_with_the_token_from_the_secret_service(
    server: ServerThread, secret_service: dict[str, str], config_dir: Path, tmp_path: Path
) -> None:
    alice = make_user(server, "alice")
    make_user(server, "bob")
    httpx.post(
        f"{server.url}/v1/threads",
        json={"members": ["bob"], "title": "Read from the keyring"},
        headers={"Authorization": f"Bearer {alice.token}"},
        timeout=10,
    ).raise_for_status()
    added = run_chatui(
        secret_service,
        config_dir,
        *("account", "add", "local", "--server", server.url, "--username", "bob"),
        "--password-stdin",
        stdin="pw-bob\n",
    )
    assert added.returncode == 0, added.stderr
    _backend, token = keyring_lookup(secret_service, "local-bob")
    assert token and files_containing(tmp_path, token) == []  # only the keyring has it

    app = chatui_on_pty(config_dir, env=app_env(secret_service))
    try:
        # Only a token the server accepts lists bob's conversations and connects.
        app.wait_for(
            lambda s: "Read from the keyring" in s and "connected" in s,
            "bob's conversation, signed in with the keyring's token",
            TIMEOUT,
        )
    finally:
        app.close()


def test_the_app_says_so_when_the_keyring_has_no_token(
    server: ServerThread, secret_service: dict[str, str], config_dir: Path
) -> None:
    make_user(server, "bob")
    added = run_chatui(
        secret_service,
        config_dir,
        *("account", "add", "local", "--server", server.url, "--username", "bob"),
        "--password-stdin",
        stdin="pw-bob\n",
    )
    assert added.returncode == 0, added.stderr
    # The entry is deleted behind chatui's back (another tool, a wiped keyring).
    code = "import keyring; keyring.delete_password('chatui', 'local-bob')"
    deleted = run_chatui_python(secret_service, code)
    assert deleted.returncode == 0, deleted.stderr

    app = chatui_on_pty(config_dir, env=app_env(secret_service))
    try:
        screen = app.wait_for(
            lambda s: "local-bob" in s and "✖" in s, "the account's error", TIMEOUT
        )
        assert "connected" not in screen
        print(screen)
    finally:
        app.close()


def run_chatui_python(env: dict[str, str], code: str):
    import subprocess

    return subprocess.run(
        [sys.executable, "-c", code], env=dict(env), capture_output=True, text=True, timeout=60
    )
