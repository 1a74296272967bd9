"""Fixtures for the Matrix tests: one real Synapse per test run.

Synapse takes seconds to start, so ``synapse`` is session-scoped and shared; every
test isolates itself by registering fresh, uniquely named users (``matrix_user``)
and creating its own rooms. Without Synapse the tests skip on a developer machine
and fail under ``CI`` (tests.support.require).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.backends.matrix.synapse import MatrixUser, SynapseServer, SynapseUnavailable
from tests.support import require


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynapseServer]:
    """A running Synapse on 127.0.0.1 (``.base_url``, ``.server_name``,
    ``.register()``, ``.login()``, ``.new_user()``, ``.override_ratelimit()``)."""
    server = SynapseServer(Path(tmp_path_factory.mktemp("synapse")))
    failure: SynapseUnavailable | None = None
    try:
        server.start()
    except SynapseUnavailable as error:
        server.stop()
        failure = error
    if failure is not None:  # outside the except block: no chained traceback noise
        require(False, f"Synapse ({failure})")
    try:
        yield server
    finally:
        # Runs on session teardown whatever happened in the tests.
        server.stop()


@pytest.fixture
def matrix_user(synapse: SynapseServer) -> Iterator[Callable[..., MatrixUser]]:
    """Factory: ``matrix_user("alice")`` registers a new user whose localpart starts
    with "alice-" and is unique on the shared server; returns a MatrixUser. Keyword
    arguments ``password=`` and ``admin=`` are passed to registration. Clients are
    closed after the test."""
    made: list[MatrixUser] = []

    def make(prefix: str = "user", password: str | None = None, admin: bool = False) -> MatrixUser:
        user = synapse.new_user(prefix, password=password, admin=admin)
        made.append(user)
        return user

    yield make
    for user in made:
        user.close()
