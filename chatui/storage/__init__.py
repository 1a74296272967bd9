"""What chatui keeps on disk between runs, in one SQLite file per profile.

Imports only ``chatui.core``. Modules:

* :mod:`.store` — :class:`~chatui.storage.store.Store`: threads, messages, cursors,
  the outbox, drafts, vanish deadlines and tombstones; schema migrations;
* :mod:`.order_snapshot` — the list's order kept as one blob for a fast first frame;
* :mod:`.checkpoint` — folding the WAL after an erasure, retried until it completes.
"""
