"""chatui.session.typing on its own: the throttle on our notices, and the expiry of
what others' notices said, with the clock in the test's hands."""

from __future__ import annotations

from chatui.session.typing import RENEW_S, Typing
from tests.session.helpers import until

KEY = ("home", "t1")


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def _typing(clock: Clock) -> tuple[Typing, list[tuple[object, bool]], list[object]]:
    sent: list[tuple[object, bool]] = []
    changed: list[object] = []
    return Typing(lambda k, a: sent.append((k, a)), changed.append, clock), sent, changed


def test_one_notice_per_few_seconds_and_a_stop_only_after_a_start() -> None:
    clock = Clock()
    typing, sent, _ = _typing(clock)
    typing.ours(KEY, False)
    assert sent == []  # never said we were typing: nothing to take back
    for _ in range(20):
        typing.ours(KEY, True)
        clock.now += 0.1
    assert sent == [(KEY, True)]
    clock.now += RENEW_S
    typing.ours(KEY, True)  # still typing: renewed
    assert sent == [(KEY, True), (KEY, True)]
    typing.ours(KEY, False)
    typing.ours(KEY, False)
    assert sent[-1] == (KEY, False) and len(sent) == 3
    typing.ours(KEY, True)  # typing again right after a stop is news at once
    assert sent[-1] == (KEY, True)


def test_turned_off_nothing_starts_but_a_started_notice_is_still_stopped() -> None:
    typing, sent, _ = _typing(Clock())
    typing.ours(KEY, True)
    typing.enabled = False
    typing.ours(("home", "t2"), True)
    typing.ours(KEY, False)
    assert sent == [(KEY, True), (KEY, False)]


def test_theirs_runs_out_after_the_adapters_timeout_or_holds_until_told() -> None:
    clock = Clock()
    typing, _, changed = _typing(clock)
    typing.heard(KEY, ["alice", "me", "bob"], 2_000, "me")
    assert typing.who(KEY) == ["alice", "bob"] and changed == [KEY]
    typing.heard(KEY, ["alice", "bob"], 2_000, "me")
    assert changed == [KEY]  # a renewal that changes nothing is not news
    clock.now += 3
    assert typing.who(KEY) == []
    typing.heard(KEY, ["carol"], None, "me")  # Matrix: until the server says otherwise
    clock.now += 3_600
    assert typing.who(KEY) == ["carol"]
    typing.sent_a_message(KEY, "carol")
    assert typing.who(KEY) == []
    typing.heard(KEY, ["dave"], None, "me")
    typing.forget_account("home")  # the connection went: the list is stale
    assert typing.who(KEY) == []


async def test_a_list_that_runs_out_is_announced() -> None:
    changed: list[object] = []
    typing = Typing(lambda k, a: None, changed.append)  # the real clock, a real timer
    typing.heard(KEY, ["alice"], 50, "me")
    assert changed == [KEY]
    await until(lambda: len(changed) == 2 and typing.who(KEY) == [], "the expiry")
    typing.close()
