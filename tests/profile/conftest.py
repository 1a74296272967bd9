"""Running the real ``chatui`` command in an isolated environment.

Every run gets its own HOME and XDG folders, no inherited keyring settings
(``PYTHON_KEYRING_BACKEND``, keyringrc.cfg) and, unless a test brings its own
Secret Service, a D-Bus address that leads nowhere, so no test can ever touch the
developer's real keyring or profile.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from tests.support import require

# Variables that would let a subprocess reach something outside its sandbox.
_SCRUBBED = (
    "PYTHON_KEYRING_BACKEND",
    "DBUS_SESSION_BUS_ADDRESS",
    "CHATUI_CONFIG_DIR",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_CACHE_HOME",
    "XDG_STATE_HOME",
    "XDG_RUNTIME_DIR",
    "GNOME_KEYRING_CONTROL",
    "KEYRING_PROPERTY_KEYRING",
)


@pytest.fixture
def sandbox_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose HOME, XDG folders and session bus are all private."""
    home = tmp_path / "home"
    runtime = tmp_path / "run"
    for folder in (home, runtime):
        folder.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_RUNTIME_DIR=str(runtime),
        # A socket that does not exist: "no Secret Service" unless a test starts one.
        DBUS_SESSION_BUS_ADDRESS=f"unix:path={tmp_path / 'no-bus' / 'socket'}",
    )
    return env


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path / "profile"


def run_chatui(
    env: Mapping[str, str], config_dir: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``chatui --config-dir DIR ARGS...`` as a real process."""
    return subprocess.run(
        [sys.executable, "-m", "chatui", "--config-dir", str(config_dir), *args],
        input=stdin if stdin is not None else "",
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def files_containing(root: Path, needle: str) -> list[Path]:
    """Every regular file under ``root`` whose bytes contain ``needle``."""
    data = needle.encode("utf-8")
    return [p for p in root.rglob("*") if p.is_file() and data in p.read_bytes()]


# --- a real Secret Service -------------------------------------------------------------


def _secret_service_is_up(address: str) -> bool:
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(bus=address) as conn:
        reply = conn.send_and_get_reply(
            message_bus.NameHasOwner("org.freedesktop.secrets"), timeout=5
        )
    return bool(reply.body[0])


@pytest.fixture
def secret_service(sandbox_env: dict[str, str], tmp_path: Path) -> Iterator[dict[str, str]]:
    """A private D-Bus session with an unlocked gnome-keyring; yields the env to use."""
    require(
        bool(shutil.which("dbus-daemon") and shutil.which("gnome-keyring-daemon")),
        "a Secret Service (dbus-daemon and gnome-keyring-daemon)",
    )
    env = dict(sandbox_env)
    del env["DBUS_SESSION_BUS_ADDRESS"]
    log = (tmp_path / "secret-service.log").open("wb")
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        stderr=log,
        env=env,
        text=True,
    )
    daemon: subprocess.Popen[bytes] | None = None
    try:
        assert bus.stdout is not None
        address = bus.stdout.readline().strip()
        assert address, "dbus-daemon did not print its address"
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=log,
            env=env,
        )
        assert daemon.stdin is not None
        daemon.stdin.write(b"keyring-password-for-tests")  # --unlock reads it to EOF
        daemon.stdin.close()
        deadline = time.monotonic() + 20
        while not _secret_service_is_up(address):
            if daemon.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(
                    "gnome-keyring-daemon did not come up on the test bus:\n"
                    + (tmp_path / "secret-service.log").read_text(errors="replace")
                )
            time.sleep(0.05)
        yield env
    finally:
        for process in (daemon, bus):
            if process is None:
                continue
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
        if bus.stdout is not None:
            bus.stdout.close()


def keyring_lookup(env: Mapping[str, str], account_id: str) -> tuple[str, str | None]:
    """(active keyring backend, the stored secret) as a separate process sees them."""
    code = (
        "import sys, keyring\n"
        "backend = keyring.get_keyring()\n"
        "print(type(backend).__module__ + '.' + type(backend).__name__)\n"
        "value = backend.get_password('chatui', sys.argv[1])\n"
        "print('<none>' if value is None else value)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, account_id],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    backend, value = done.stdout.splitlines()
    return backend, (None if value == "<none>" else value)
