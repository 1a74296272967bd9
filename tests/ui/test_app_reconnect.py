"""A dropped server, as the user sees it: the status bar counts down to the next
try (it does not freeze on one number), F5 ("Reconnect") is offered while an
account waits and tries at once, and the first retries after a drop come quickly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chatui.backends import retry
from chatui.backends.retry import RetryPolicy
from chatui.core.models import ConnectionState
from chatui.session.session import Session
from chatui.ui.app import ChatApp
from chatui.ui.widgets.status import KeyBar, StatusBar
from tests.conftest import make_user
from tests.session.helpers import Restartable, linked
from tests.ui.conftest import rendered, wait_for


def countdown(app: ChatApp) -> int | None:
    found = re.search(r"retrying in (\d+) s", app.query_one(StatusBar).plain)
    return int(found.group(1)) if found else None


async def test_the_countdown_counts_and_f5_reconnects_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every wait is its longest (no jitter) and a minute long: a reconnect well
    # inside the test's deadline can only come from F5.
    monkeypatch.setattr(retry.random, "uniform", lambda low, high: high)
    srv = Restartable(tmp_path / "server.db")
    server = srv.start()
    try:
        bob = make_user(server, "bob")
        account = linked(srv.url, bob)
        account.backend.backoff_base = 60.0
        account.backend.backoff_cap = 60.0
        session = Session([account])
        app = ChatApp(session)
        async with app.run_test(size=(120, 30)) as pilot:
            state = lambda: session.states["home"][0]  # noqa: E731
            await wait_for(pilot, lambda: state() is ConnectionState.CONNECTED, "connected")
            srv.stop()
            await wait_for(pilot, lambda: countdown(app) is not None, "the countdown")
            first = countdown(app)
            assert first is not None and 55 <= first <= 60
            await wait_for(pilot, lambda: (countdown(app) or 99) < first, "the count going down")
            assert "f5 Reconnect" in rendered(app.main.query_one(KeyBar))

            srv.start()  # back, on the same port
            await pilot.press("f5")
            await wait_for(pilot, lambda: state() is ConnectionState.CONNECTED, "reconnected")
            assert countdown(app) is None
            await wait_for(
                pilot,
                lambda: "Reconnect" not in rendered(app.main.query_one(KeyBar)),
                "the key gone with nothing to retry",
            )
    finally:
        srv.stop()


def test_the_first_retries_after_a_drop_come_within_a_second() -> None:
    from chatui.backends.local import LocalBackend
    from chatui.backends.matrix import MatrixBackend

    for backend in (LocalBackend, MatrixBackend):
        policy = RetryPolicy(backend.backoff_base, backend.backoff_cap)
        assert policy.ceiling(1) <= 0.5 and policy.ceiling(2) <= 1.0, backend
    assert Session.start_retry.ceiling(1) <= 0.5
