"""The README's "Linking your accounts" steps, run verbatim on a fresh profile.

The commands are read out of the README's own fenced blocks in that section, so the
README cannot promise steps that do not work (they once ended in "wrong username
or password": nothing but a curl call could create the user). They run as a reader
runs them:

* ``chatui`` is this checkout's (``python -m chatui``), and the profile is the
  platform's inside a private HOME: no ``--config-dir``, as in the README;
* ``chatui serve`` runs in the background on a free port (``--port 0`` is added,
  the only change made to any command); the README's URL must name the port that
  command would listen on, and is pointed at the real one;
* a command that asks for a password (``account add`` without
  ``--password-stdin``) runs on a pseudo-terminal and is typed it at each prompt;
  ``chatui`` alone, the app, runs there too and is quit with Ctrl+Q;
* the token goes to a real Secret Service (gnome-keyring on a private D-Bus), as on
  a desktop; without one the test fails under CI rather than skipping.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from chatui.server.command import DEFAULT_PORT
from tests.profile.conftest import keyring_lookup
from tests.support import app_env, chatui_on_pty

pytestmark = [pytest.mark.keyring, pytest.mark.e2e]

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Linking your accounts"
PASSWORD = "a new password, typed twice"
TIMEOUT = 60.0  # bounds a hang only

T = TypeVar("T")


def section_commands(text: str, heading: str) -> list[list[str]]:
    """Every command in the fenced code blocks under ``heading``, up to the next
    heading, split as the shell splits it (comments dropped)."""
    start = text.index(f"\n{heading}\n") + len(heading) + 2
    following = re.search(r"^#{1,6} ", text[start:], re.MULTILINE)
    body = text[start : start + following.start()] if following else text[start:]
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", body, re.MULTILINE | re.DOTALL)
    commands = (shlex.split(line, comments=True) for block in blocks for line in block.splitlines())
    return [command for command in commands if command]


def option(args: list[str], name: str) -> str | None:
    """The value of ``--name VALUE`` or ``--name=VALUE`` in ``args``, if given."""
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(f"{name}="):
            return arg.partition("=")[2]
    return None


def wait_until(check: Callable[[], T | None], what: str, process: subprocess.Popen) -> T:
    """Poll ``check`` until it gives something; fail naming ``what`` if ``process``
    ends first or the (generous) deadline passes."""
    deadline = time.monotonic() + TIMEOUT
    while (found := check()) is None:
        if process.poll() is not None:
            pytest.fail(f"the process ended ({process.returncode}) before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)
    return found


@pytest.fixture
def readme_env(secret_service: dict[str, str]) -> dict[str, str]:
    """A fresh profile (private HOME and XDG folders) with a real Secret Service."""
    return app_env(secret_service)


class Server:
    """``chatui serve ...`` from the README, in the background on a free port."""

    def __init__(self, args: list[str], env: Mapping[str, str], log: Path) -> None:
        host = option(args, "--host") or "127.0.0.1"
        self.readme_url = f"http://{host}:{option(args, '--port') or DEFAULT_PORT}"
        with log.open("wb") as out:  # the child has its own copy of the descriptor
            self.process = subprocess.Popen(
                [sys.executable, "-m", "chatui", *args, "--port", "0"],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=dict(env),
            )

        def listening() -> str | None:
            found = re.search(r"listening on (http://\S+)", log.read_text(errors="replace"))
            return found.group(1) if found else None

        self.url = wait_until(listening, "the server listened", self.process)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def run(command: list[str], args: list[str], env: Mapping[str, str], stdin: str = "") -> str:
    """``chatui ARGS`` (the README's ``command``) to its end; what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "chatui", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=dict(env),
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, f"{shlex.join(command)} failed:\n{done.stderr}"
    return done.stdout


def run_asking_password(args: list[str], env: Mapping[str, str]) -> str:
    """``chatui ARGS`` on a terminal, typing the password at each prompt; its screen."""
    # --register asks for the new password twice; a plain link asks once.
    prompts = ["New password for", "Type it again:"] if "--register" in args else ["Password for"]
    terminal = chatui_on_pty(None, *args, env=env, columns=200, rows=30)
    try:
        for prompt in prompts:
            terminal.wait_for(lambda screen, p=prompt: p in screen, repr(prompt), TIMEOUT)
            terminal.type(PASSWORD)
            terminal.press("enter")
        status = terminal.wait_exit(TIMEOUT)
        screen = terminal.screen_text()
    finally:
        terminal.close()
    assert status == 0, f"chatui {shlex.join(args)} failed:\n{screen}"
    return screen


def run_app_until_connected(env: Mapping[str, str], label: str) -> None:
    """The app on the profile: it signs in with the stored token and says so."""
    terminal = chatui_on_pty(None, env=env, columns=100, rows=24)
    try:
        terminal.wait_for(lambda s: f"{label} connected" in s, "the account connected", TIMEOUT)
        terminal.press("ctrl+q")
        assert terminal.wait_exit(TIMEOUT) == 0
    finally:
        terminal.close()


def linked_accounts(env: Mapping[str, str]) -> list[dict]:
    config = Path(env["XDG_CONFIG_HOME"]) / "chatui" / "config.toml"
    assert config.exists(), f"no {config}: nothing was linked"
    return tomllib.loads(config.read_text(encoding="utf-8")).get("accounts", [])


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


def test_the_readme_steps_link_an_account(
    readme_env: dict[str, str], servers: list[Server], tmp_path: Path
) -> None:
    commands = section_commands(README.read_text(encoding="utf-8"), SECTION)
    added: list[str] = []  # the --username of each account added
    listed = ""
    for command in commands:
        assert command[0] == "chatui", f"the README asks for {shlex.join(command)!r}"
        args = command[1:]
        if args[:1] == ["serve"]:
            servers.append(Server(args, readme_env, tmp_path / f"serve-{len(servers)}.log"))
            continue
        for server in servers:  # the README's address, pointed at the real port
            args = [arg.replace(server.readme_url, server.url) for arg in args]
        if not args:
            (account,) = linked_accounts(readme_env)
            run_app_until_connected(readme_env, account["label"])
        elif args[:2] == ["account", "add"]:
            assert option(args, "--server") in {s.url for s in servers}, (
                f"{shlex.join(command)!r} does not use the server the README starts"
            )
            if "--password-stdin" in args:  # the documented way without a terminal
                output = run(command, args, readme_env, stdin=f"{PASSWORD}\n")
            else:
                output = run_asking_password(args, readme_env)
            assert "Linked" in output
            added.append(option(args, "--username") or "")
        else:
            output = run(command, args, readme_env)
            if args[:2] == ["account", "list"]:
                listed = output

    assert listed, "the README's steps never ran `chatui account list`"
    # The account the README created is linked: in config.toml, its token in the
    # keyring (and accepted by the server), and shown by `chatui account list`.
    assert len(servers) == 1, "the README's steps should start one server"
    assert len(added) == 1, "the README's steps should add one account"
    (server,), (username,) = servers, added
    (account,) = linked_accounts(readme_env)
    assert (account["kind"], account["server"], account["username"]) == (
        "local",
        server.url,
        username,
    )
    assert account["token_store"] == "keyring"
    backend, token = keyring_lookup(readme_env, account["account_id"])
    assert backend == "keyring.backends.SecretService.Keyring"
    assert token, "no token in the keyring"
    me = httpx.get(f"{server.url}/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == username
    rows = [line.split() for line in listed.splitlines()[1:]]
    assert [account["account_id"], "local", server.url, username] in [row[:4] for row in rows]
