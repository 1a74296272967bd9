"""Fixtures shared by every test folder: a live reference server over loopback.

The project prefers real parts over mocks, so ``server`` is a real uvicorn serving
the real app on a free 127.0.0.1 port, in its own thread, on a fresh database.
``make_user`` registers over HTTP, exactly as a user's client would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from chatui.core.models import Credentials
from chatui.server.runner import ServerThread


def make_user(server: ServerThread, username: str, password: str | None = None) -> Credentials:
    """Register ``username`` on ``server`` over HTTP (default password "pw-" + name)."""
    password = password if password is not None else "pw-" + username
    response = httpx.post(
        f"{server.url}/v1/register",
        json={"username": username, "password": password},
        timeout=10,
    )
    response.raise_for_status()
    data = response.json()
    return Credentials(user_id=data["user_id"], username=data["username"], token=data["token"])


# Password hashing at a low work factor: the same scrypt code path, but registering the
# hundreds of users the suite needs costs ~1 ms each instead of ~50 ms (the approach of
# Django's fast test password hasher). Production keeps chatui.server.auth.SCRYPT_N.
TEST_SCRYPT_N = 2**8


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerThread]:
    """A reference server with open registration on a fresh database."""
    with ServerThread(
        tmp_path / "server.db", open_registration=True, scrypt_n=TEST_SCRYPT_N
    ) as srv:
        yield srv


@pytest.fixture(name="make_user")
def _make_user_fixture():
    """``make_user`` as a fixture, for tests that prefer not to import it."""
    return make_user
