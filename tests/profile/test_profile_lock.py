"""One running app per profile: a second ``chatui`` (or ``chatui demo``) on the same
profile says who holds it and exits; a crashed app never leaves the profile stuck;
read-only commands keep working beside a running app.

Real processes throughout: the app on a pseudo-terminal, the second start and the
read-only command as plain subprocesses, a real reference server over loopback.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatui.profile.lock import LOCK_NAME, ProfileInUse, ProfileLock
from chatui.server.runner import ServerThread
from tests.conftest import make_user
from tests.profile.conftest import run_chatui
from tests.support import app_env, chatui_on_pty

TIMEOUT = 60.0  # bounds a hang only


def test_a_second_lock_on_the_same_file_is_refused_until_the_first_lets_go(tmp_path: Path):
    path = tmp_path / LOCK_NAME
    first = ProfileLock(path).acquire()
    with pytest.raises(ProfileInUse, match=rf"pid {os.getpid()}"):
        ProfileLock(path).acquire()
    first.release()
    with ProfileLock(path):  # free again
        pass


@pytest.fixture
def linked_profile(server: ServerThread, sandbox_env, config_dir: Path) -> Iterator[Path]:
    """A profile with alice's account on a live server (token in a 0600 file)."""
    make_user(server, "alice")
    added = run_chatui(
        sandbox_env,
        config_dir,
        "account",
        "add",
        "local",
        "--server",
        server.url,
        "--username",
        "alice",
        "--password-stdin",
        "--token-store",
        "file",
        stdin="pw-alice\n",
    )
    assert added.returncode == 0, added.stderr
    yield config_dir


def test_a_second_app_on_the_profile_names_the_first_and_exits(
    linked_profile: Path, sandbox_env
) -> None:
    first = chatui_on_pty(linked_profile, env=app_env(sandbox_env))
    try:
        first.wait_for(lambda s: "connected" in s, "the first app to be up", TIMEOUT)

        second = run_chatui(sandbox_env, linked_profile)
        assert second.returncode == 1
        assert "already open in another chatui" in second.stderr
        assert f"pid {first.process.pid}" in second.stderr
        assert "--config-dir" in second.stderr  # and what to do instead

        # Reading is fine beside it.
        listed = run_chatui(sandbox_env, linked_profile, "account", "list")
        assert listed.returncode == 0, listed.stderr
        assert "local-alice" in listed.stdout
        assert first.alive()
    finally:
        first.close()


def test_a_killed_app_does_not_leave_the_profile_locked(linked_profile: Path, sandbox_env):
    first = chatui_on_pty(linked_profile, env=app_env(sandbox_env))
    try:
        first.wait_for(lambda s: "connected" in s, "the first app to be up", TIMEOUT)
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait(TIMEOUT)
    finally:
        first.close()
    assert (linked_profile / "data" / LOCK_NAME).exists()  # left behind, but not held

    again = chatui_on_pty(linked_profile, env=app_env(sandbox_env))
    try:
        again.wait_for(lambda s: "connected" in s, "a new app after the crash", TIMEOUT)
    finally:
        again.close()


def test_a_second_demo_is_refused_and_cannot_reset_the_running_one(sandbox_env, config_dir):
    first = chatui_on_pty(config_dir, "demo", env=app_env(sandbox_env))
    try:
        first.wait_for(lambda s: "Weekend hike" in s, "the first demo", TIMEOUT)
        demo_dbs = sorted((config_dir / "data" / "demo").glob("*.db"))
        assert demo_dbs

        second = run_chatui(sandbox_env, config_dir, "demo", "--reset")
        assert second.returncode == 1
        assert "The demo is already open in another chatui" in second.stderr
        assert f"pid {first.process.pid}" in second.stderr
        # --reset was refused before it deleted anything of the running demo.
        assert sorted((config_dir / "data" / "demo").glob("*.db")) == demo_dbs
        assert first.alive()
    finally:
        first.close()
