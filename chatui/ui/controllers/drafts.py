"""Unsent text per conversation: nothing typed is lost, not on a switch, a failed
send, a quit or a crash.

Each conversation's draft lives in memory while another one is open and in the
store (drafts table) so that it survives a restart; the open conversation's text
is the composer's, passed in by the main screen.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from chatui.core.models import ThreadKey
from chatui.storage.store import Store

log = logging.getLogger(__name__)


class Drafts:
    def __init__(self, store: Store | None) -> None:
        self._store = store
        self._drafts: dict[ThreadKey, str] = {}

    def load(self) -> None:
        """The drafts kept by the last run."""
        if self._store is not None:
            self._drafts.update(self._store.drafts())

    def get(self, key: ThreadKey) -> str:
        return self._drafts.get(key, "")

    def leave(self, key: ThreadKey, text: str) -> None:
        """``key`` is no longer open; ``text`` was in its composer."""
        self._drafts[key] = text
        self.store(key, text)

    def take(self, key: ThreadKey) -> str:
        """``key`` is being opened: its draft moves into the composer."""
        return self._drafts.pop(key, "")

    def keep_unsent(self, key: ThreadKey, text: str) -> None:
        """A send to ``key`` (not open) failed: its text goes before that draft."""
        draft = self._drafts.get(key, "")
        self._drafts[key] = f"{text} {draft}" if draft.strip() else text

    def store(self, key: ThreadKey, text: str) -> None:
        """Keep ``key``'s text on disk now (typing paused; a crash keeps it)."""
        if self._store is None:
            return
        try:
            self._store.set_draft(key, text)
        except Exception:
            log.exception("could not store the draft")

    def save_all(self, open_drafts: Mapping[ThreadKey, str]) -> None:
        """Quitting: every draft, with ``open_drafts`` (the open thread's) on top."""
        if self._store is None:
            return
        try:
            self._store.save_drafts({**self._drafts, **open_drafts})
        except Exception:  # a full disk must not turn quitting into a crash
            log.exception("could not save the drafts")
