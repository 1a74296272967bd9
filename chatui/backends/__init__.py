"""The pluggable server side: a Backend protocol and its adapters.

Imports only chatui.core (an import-linter contract). Modules:

* :mod:`.base` — the Backend protocol, its events and errors;
* :mod:`.registry` — adapters found through the ``chatui.backends`` entry points;
* :mod:`.retry` — the one retry policy (backoff with jitter, Retry-After);
* :mod:`.sse`, :mod:`.streaming` — a Server-Sent Events parser, and a reader
  task turned into ``events()``;
* :mod:`.local` — the reference server's adapter; :mod:`.matrix` — Matrix's.
"""
