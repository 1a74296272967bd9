"""The embedded default (``chatui demo``): two in-process reference servers,
seeded with people and history, whose contacts answer live. Imports no UI (an
import-linter contract): chatui.main runs the app on it. Modules:

* :mod:`.command` — ``chatui demo [--reset]``;
* :mod:`.servers` — the running demo: two servers, seeded, contacts live;
* :mod:`.networks`, :mod:`.script`, :mod:`.seed` — who lives where, what the
  conversations say, and filling a fresh server with them;
* :mod:`.contacts` — the bots that answer the user;
* :mod:`.home` — the demo's own folder (databases, tokens).
"""
