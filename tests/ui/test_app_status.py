"""The status bar: each account's connection state, in words a user can act on."""

from __future__ import annotations

from chatui.core.models import AccountConfig, ConnectionState
from chatui.ui.widgets.status import status_text


def _account(account_id: str, label: str) -> AccountConfig:
    return AccountConfig(account_id, "local", "http://127.0.0.1:1", "bob", label, "#d75f00")


def test_every_state_is_named_with_its_detail() -> None:
    accounts = {a.account_id: a for a in (_account("h", "home"), _account("w", "work"))}
    accounts["x"] = _account("x", "lab")
    accounts["c"] = _account("c", "club")
    text = status_text(
        accounts,
        {
            "h": (ConnectionState.CONNECTED, ""),
            "w": (ConnectionState.RECONNECTING, "server unreachable"),
            "x": (ConnectionState.ERROR, "the server refused the token"),
            # "c" not reported yet: shown as connecting
        },
        retry_at={"w": 1_000_000 + 3_200},
        now=1_000_000,
    ).plain
    assert "home connected" in text
    assert "work reconnecting (server unreachable — retrying in 4 s)" in text
    assert "lab error (the server refused the token)" in text
    assert "club connecting" in text


def test_the_countdown_counts_down_to_retrying_now() -> None:
    accounts = {"w": _account("w", "work")}
    states = {"w": (ConnectionState.RECONNECTING, "")}
    due = 10_000

    def said(now: int) -> str:
        return status_text(accounts, states, retry_at={"w": due}, now=now).plain

    assert said(due - 15_000).endswith("(retrying in 15 s)")
    assert said(due - 14_001).endswith("(retrying in 15 s)")  # whole seconds, rounded up
    assert said(due - 1_000).endswith("(retrying in 1 s)")
    assert said(due - 400).endswith("(retrying now)")
    assert said(due + 5_000).endswith("(retrying now)")  # late: the try is under way


def test_server_detail_cannot_break_the_bar() -> None:
    accounts = {"w": _account("w", "work")}
    detail = "[b]bad[/b]\nsecond line \x1b]52;c;AAAA\x07"
    text = status_text(accounts, {"w": (ConnectionState.ERROR, detail)})
    assert "\n" not in text.plain and "\x1b" not in text.plain
    assert "[b]bad[/b]" in text.plain  # shown as typed, never read as markup


def test_thread_header_names_the_others_not_yourself() -> None:
    from chatui.core.models import Thread
    from chatui.ui.widgets.status import ThreadHeader

    header = ThreadHeader()
    account = _account("h", "home")
    header.show(Thread("h", "t1", None, ("bob", "alice", "carol")), account, "bob")
    first, second = header.plain.split("\n")
    assert "alice, carol" in first  # the untitled thread is named after the others
    assert second.startswith("with alice, carol")
    assert "bob, " not in second
    header.show(Thread("h", "t2", "Notes", ("bob",)), account, "bob")
    assert header.plain.split("\n")[1].startswith("just you")


def test_stuck_sends_are_counted_and_explained_once() -> None:
    accounts = {a.account_id: a for a in (_account("h", "home"), _account("w", "work"))}
    text = status_text(
        accounts,
        {
            "h": (ConnectionState.CONNECTED, ""),
            "w": (ConnectionState.RECONNECTING, "cannot reach the server at example.org"),
        },
        {"h": (3, "the server had an internal error (HTTP 500)"), "w": (1, "cannot reach it")},
    ).plain
    assert "home connected  ⚠ 3 messages waiting to send — the server had an internal" in text
    # The connection's own detail says why: the reason is not repeated.
    assert "work reconnecting  ⚠ 1 message waiting to send (cannot reach the server at" in text
    assert "cannot reach it" not in text
