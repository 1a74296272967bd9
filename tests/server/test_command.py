"""``chatui serve`` as a user runs it: a real process, stopped with Ctrl+C."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest


def _start(*args: str, cwd: Path) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("CHATUI_CONFIG_DIR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatui", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=cwd,
        env=env,
    )
    assert proc.stdout is not None
    for line in proc.stdout:  # ends if the process dies: then the assert below fails
        match = re.search(r"listening on (http://\S+)", line)
        if match:
            return proc, match.group(1)
    proc.wait(timeout=10)
    raise AssertionError(f"chatui serve exited with {proc.returncode} before listening")


def _stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGINT)
    try:
        return proc.wait(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.timeout(60)
def test_serve_prints_its_url_serves_the_api_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    db = tmp_path / "here.db"
    proc, url = _start("serve", "--port", "0", "--db", str(db), "--open-registration", cwd=tmp_path)
    try:
        assert httpx.get(f"{url}/openapi.json").json()["openapi"].startswith("3.1")
        account = httpx.post(f"{url}/v1/register", json={"username": "al", "password": "pw"})
        assert account.status_code == 201
        # An open event stream must not keep Ctrl+C from stopping the server.
        headers = {"Authorization": f"Bearer {account.json()['token']}"}
        with httpx.stream("GET", f"{url}/v1/events", headers=headers) as events:
            assert next(events.iter_lines()) == "event: hello"
            assert _stop(proc) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert db.exists()


@pytest.mark.timeout(60)
def test_serve_keeps_registration_closed_and_uses_the_profile_data_dir(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    proc, url = _start("--config-dir", str(profile), "serve", "--port", "0", cwd=tmp_path)
    try:
        refused = httpx.post(f"{url}/v1/register", json={"username": "al", "password": "pw"})
        assert refused.status_code == 403
    finally:
        _stop(proc)
    assert (profile / "data" / "server.db").exists()


@pytest.mark.timeout(60)
def test_serve_on_a_taken_port_says_so(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "chatui", "serve", "--port", str(port), "--db", "x.db"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=30,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.timeout(60)
@pytest.mark.parametrize("port", ["99999", "-5", "eighty"])
def test_serve_refuses_a_port_that_is_not_one_in_a_line(tmp_path: Path, port: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "chatui", "serve", "--port", port, "--db", "x.db"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=30,
    )
    assert result.returncode == 2
    assert f"argument --port: {port!r} is not a port number (0-65535" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.db").exists()  # refused before anything started
