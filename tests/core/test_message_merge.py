"""How the Session folds echoes, retries and late arrivals into a thread's messages."""

from __future__ import annotations

from chatui.core.models import Message
from chatui.session.session import _merge_into


def msg(mid: str, ts: int, *, txn: str | None = None, pending: bool = False) -> Message:
    return Message("a", "t", mid, "me", f"body {mid}", ts, txn_id=txn, pending=pending)


def test_server_copy_replaces_the_pending_echo_in_place():
    loaded = [msg("1", 10), msg("~x", 20, txn="x", pending=True)]
    assert _merge_into(loaded, msg("2", 21, txn="x"))
    assert [m.message_id for m in loaded] == ["1", "2"]
    assert not loaded[1].pending


def test_the_same_message_twice_is_not_a_change():
    loaded = [msg("1", 10)]
    assert not _merge_into(loaded, msg("1", 10))
    assert len(loaded) == 1


def test_an_accepted_message_is_never_downgraded_to_pending():
    loaded = [msg("2", 21, txn="x")]
    assert not _merge_into(loaded, msg("~x", 22, txn="x", pending=True))
    assert not loaded[0].pending


def test_a_late_arrival_is_placed_by_time():
    loaded = [msg("1", 10), msg("3", 30)]
    assert _merge_into(loaded, msg("2", 20))
    assert [m.message_id for m in loaded] == ["1", "2", "3"]
