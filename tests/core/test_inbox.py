"""The merged inbox keeps every account's threads in one newest-first order."""

from __future__ import annotations

import random

from chatui.core.inbox import Inbox
from chatui.core.models import Message, Thread


def thread(account: str, tid: str, ts: int, unread: int = 0) -> Thread:
    last = Message(account, tid, f"m-{tid}-{ts}", "bob", "hi", ts)
    return Thread(account, tid, None, ("me", "bob"), last_message=last, unread=unread)


def test_threads_of_all_accounts_merge_newest_first():
    inbox = Inbox()
    inbox.replace_account("a", [thread("a", "1", 100), thread("a", "2", 300)])
    inbox.replace_account("b", [thread("b", "1", 200)])
    assert [t.key for t in inbox.threads()] == [("a", "2"), ("b", "1"), ("a", "1")]


def test_new_activity_moves_a_thread_to_the_top_and_keeps_index_consistent():
    inbox = Inbox()
    inbox.replace_account("a", [thread("a", str(i), i * 10) for i in range(50)])
    inbox.upsert(thread("a", "3", 10_000, unread=1))
    assert inbox.at(0).key == ("a", "3")
    assert inbox.at(0).unread == 1
    assert len(inbox) == 50
    for index in range(len(inbox)):
        assert inbox.index_of(inbox.at(index).key) == index


def test_replacing_one_account_leaves_the_others_alone():
    inbox = Inbox()
    inbox.replace_account("a", [thread("a", "1", 1)])
    inbox.replace_account("b", [thread("b", "1", 2)])
    inbox.replace_account("a", [thread("a", "9", 3)])
    assert [t.key for t in inbox.threads()] == [("a", "9"), ("b", "1")]
    assert ("a", "1") not in inbox


def test_random_updates_match_a_full_sort():
    rng = random.Random(7)
    inbox = Inbox()
    expected: dict = {}
    for _ in range(2_000):
        t = thread(rng.choice("abc"), str(rng.randrange(100)), rng.randrange(1_000_000))
        if rng.random() < 0.1 and t.key in expected:
            inbox.remove(t.key)
            del expected[t.key]
            continue
        inbox.upsert(t)
        expected[t.key] = t
    want = sorted(expected.values(), key=lambda t: (-t.activity_ts, t.account_id, t.thread_id))
    assert inbox.threads() == want
