"""The merged inbox as the app first sees it: ordered from the store, read lazily.

Lives beside the Session rather than in ``core/`` because it reads the store
(``core`` does no I/O); the Inbox it extends stays pure.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable

from chatui.core.inbox import Inbox, SortKey
from chatui.core.models import Thread, ThreadKey


class CachedInbox(Inbox):
    """The Inbox, able to take the store's order first and each thread when shown.

    Why: with 10,000 cached threads, decoding every row's JSON into Thread objects
    and sorting them took most of the time before the app's first frame (~120 ms),
    yet the first frame shows some twenty rows. :meth:`load_sorted` takes only the
    sort keys, already ordered (``Store.thread_order``); a thread is read from the
    store the first time anything asks for it, once (the thread list relies on
    getting the same object back). Every Inbox method behaves as before; only
    when the work happens changes.
    """

    def __init__(self) -> None:
        super().__init__()
        self._load: Callable[[list[ThreadKey]], dict[ThreadKey, Thread]] | None = None
        # The sort keys as loaded; indexed by key (_pending) on first need, which
        # drawing rows (len, at) does not have.
        self._listed: list[SortKey] = []
        self._pending_index: dict[ThreadKey, SortKey] | None = {}

    @property
    def _pending(self) -> dict[ThreadKey, SortKey]:
        """Listed but not read yet -> the sort key it is listed under."""
        if self._pending_index is None:
            self._pending_index = {
                (a, t): (ts, a, t) for ts, a, t in self._listed if (a, t) not in self._by_key
            }
            self._listed = []
        return self._pending_index

    def load_sorted(
        self,
        order: list[SortKey],
        load: Callable[[list[ThreadKey]], dict[ThreadKey, Thread]],
    ) -> None:
        """Replace everything with the threads whose sort keys ``order`` lists, in
        display order; ``load(keys)`` reads threads when they are first needed."""
        self._by_key = {}
        self._order = list(order)
        self._listed = order
        self._pending_index = None
        self._load = load

    def _read(self, keys: list[ThreadKey], listed_at: list[SortKey] | None = None) -> None:
        """Read ``keys`` (pending, listed under ``listed_at`` if given) from the store."""
        assert self._load is not None
        found = self._load(keys)
        if listed_at is None:
            listed_at = [self._pending[key] for key in keys]
        settled = [found.get(key) for key in keys]
        pairs = zip(settled, listed_at, strict=True)
        if any(t is None or inbox_sort_key(t) != k for t, k in pairs):
            # The store changed since the list was loaded: build the index now,
            # while it can still tell what was listed from what is settled below.
            self._pending  # noqa: B018
        for key, listed, thread in zip(keys, listed_at, settled, strict=True):
            if self._pending_index is not None:
                self._pending_index.pop(key, None)
            if thread is None:  # gone from the store meanwhile
                del self._order[bisect_left(self._order, listed)]
                continue
            self._by_key[key] = thread
            now = inbox_sort_key(thread)
            if now != listed:  # changed in the store meanwhile: move it
                del self._order[bisect_left(self._order, listed)]
                insort(self._order, now)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key or key in self._pending

    def get(self, key: ThreadKey) -> Thread | None:
        thread = self._by_key.get(key)
        if thread is None and key in self._pending:
            self._read([key])
            thread = self._by_key.get(key)
        return thread

    def at(self, index: int) -> Thread:
        _, account_id, thread_id = self._order[index]
        thread = self._by_key.get((account_id, thread_id))
        if thread is not None:
            return thread
        # Not read yet (every listed key is read or pending): read the rows after
        # it too, as a screenful is drawn at a time.
        near = [k for k in self._order[index : index + 32] if k[1:] not in self._by_key]
        self._read([(a, t) for _, a, t in near], near)
        if index >= len(self._order) > 0:
            # Rows deleted from the store behind the Session's back shortened the
            # list while a row was drawn: the caller's bounds check is stale, and
            # a wrong row for one frame beats a crash (the list is redrawn anyway).
            index = len(self._order) - 1
        return self.at(index)

    def index_of(self, key: ThreadKey) -> int | None:
        self.get(key)
        return super().index_of(key)

    def upsert(self, thread: Thread) -> None:
        self.get(thread.key)  # the old copy's place in the order must be known
        super().upsert(thread)

    def remove(self, key: ThreadKey) -> None:
        self.get(key)
        super().remove(key)

    def replace_account(self, account_id: str, threads: list[Thread]) -> None:
        # Other accounts' rows not read yet keep their place (their sort key is known).
        kept = [k for key, k in self._pending.items() if key[0] != account_id]
        self._pending_index = {key: k for key, k in self._pending.items() if key[0] != account_id}
        super().replace_account(account_id, threads)
        if kept:
            self._order = sorted(self._order + kept)

    def threads(self) -> list[Thread]:
        if self._pending:
            self._read(list(self._pending))
        return super().threads()


def inbox_sort_key(thread: Thread) -> SortKey:
    return (-thread.activity_ts, thread.account_id, thread.thread_id)
