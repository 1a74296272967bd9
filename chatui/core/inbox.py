"""The merged inbox: every account's threads in one list, newest activity first.

Kept sorted incrementally (bisect on a precomputed sort key) because it is touched
on every incoming message and may hold tens of thousands of threads; re-sorting the
whole list per event would make a burst of messages quadratic.
"""

from __future__ import annotations

from bisect import bisect_left, insort

from chatui.core.models import Thread, ThreadKey

SortKey = tuple[int, str, str]


def _sort_key(thread: Thread) -> SortKey:
    # Negated time so that ascending order is newest first; the key breaks ties
    # stably so rows never swap places on a redraw.
    return (-thread.activity_ts, thread.account_id, thread.thread_id)


class Inbox:
    """An ordered, keyed collection of threads across all accounts."""

    def __init__(self) -> None:
        self._by_key: dict[ThreadKey, Thread] = {}
        self._order: list[SortKey] = []

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def get(self, key: ThreadKey) -> Thread | None:
        return self._by_key.get(key)

    def at(self, index: int) -> Thread:
        """The thread shown on row ``index`` (0 is the newest)."""
        _, account_id, thread_id = self._order[index]
        return self._by_key[(account_id, thread_id)]

    def index_of(self, key: ThreadKey) -> int | None:
        thread = self._by_key.get(key)
        if thread is None:
            return None
        sort_key = _sort_key(thread)
        index = bisect_left(self._order, sort_key)
        return index if index < len(self._order) and self._order[index] == sort_key else None

    def upsert(self, thread: Thread) -> None:
        """Insert or replace a thread, moving it to where its activity puts it."""
        old = self._by_key.get(thread.key)
        if old is not None:
            old_key = _sort_key(old)
            index = bisect_left(self._order, old_key)
            del self._order[index]
        self._by_key[thread.key] = thread
        insort(self._order, _sort_key(thread))

    def replace_account(self, account_id: str, threads: list[Thread]) -> None:
        """Swap in a fresh full list for one account (after a (re)connect)."""
        for key in [k for k in self._by_key if k[0] == account_id]:
            del self._by_key[key]
        for thread in threads:
            self._by_key[thread.key] = thread
        self._order = sorted(_sort_key(t) for t in self._by_key.values())

    def remove(self, key: ThreadKey) -> None:
        old = self._by_key.pop(key, None)
        if old is not None:
            del self._order[bisect_left(self._order, _sort_key(old))]

    def threads(self) -> list[Thread]:
        """All threads in display order."""
        return [self._by_key[(a, t)] for _, a, t in self._order]
