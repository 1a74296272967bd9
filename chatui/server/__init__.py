"""The reference server: API v1 over HTTP (Starlette + uvicorn) on SQLite
(docs/server.md). Imports no client code (an import-linter contract).

Storage, with no HTTP in it (a second contract):

* :mod:`.db` — the queries, behind a synchronous, thread-safe API;
* :mod:`.schema` — the schema and the migrations of older files;
* :mod:`.wire` — rows rendered as API v1's JSON;
* :mod:`.validate` — value rules shared by the routes and the seeding API;
* :mod:`.refusals` — what storage and the rules refuse, in their own words;
* :mod:`.search` — text search: the matching function in SQL, the page cursor;
* :mod:`.ids`, :mod:`.auth` — opaque ids, password hashing and tokens.

HTTP:

* :mod:`.app` — the ASGI application and its one refusal handler;
* :mod:`.routes` — the route handlers; :mod:`.events` — the SSE event stream;
* :mod:`.typing` — who is typing where: in memory, told as ephemeral events;
* :mod:`.errors` — each refusal's HTTP status and the error JSON;
* :mod:`.openapi` — ``/openapi.json``, its components from chatui.core.wire.

Running: :mod:`.runner` (a thread or the foreground), :mod:`.command` (``chatui serve``).
"""
