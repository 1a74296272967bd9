"""The session layer: linked accounts become one merged, live, kept inbox.

It sits between the app (``chatui.ui``) and the parts below it (``chatui.backends``,
``chatui.storage``, ``chatui.core``) and imports no Textual. Modules:

* :mod:`.session` — :class:`~chatui.session.session.Session`: accounts started and
  retried, backend events folded into the inbox and the store, the operations the
  app calls (open, send, reply, edit, unsend, react, set a theme or vanish mode,
  typing, "seen"), and the change records it tells the app about;
* :mod:`.cached_inbox` — the merged thread list, read from the store lazily;
* :mod:`.outbox` — the durable outbox: one sender per account, retries, stuck sends;
* :mod:`.vanish_keeper` — vanish mode's policy: which message gets which deadline;
* :mod:`.vanish_scheduler` — one asyncio wake-up for every vanish deadline;
* :mod:`.typing` — typing notices both ways: ours throttled, theirs expiring.
"""
