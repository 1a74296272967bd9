"""The ASGI application: routes, JSON errors (every refusal answered here), and the
event stream's wiring.

``create_app`` is all a host needs: uvicorn (see runner.py), or any ASGI server.
The lifespan connects the Database's commit listener to the Broadcaster on the
serving event loop, so a message added from any thread (an HTTP request, the demo's
contacts, a benchmark seeding) reaches the live streams at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from chatui.server.db import Database
from chatui.server.errors import ApiError, from_refusal
from chatui.server.events import HEARTBEAT_SECONDS, Broadcaster
from chatui.server.refusals import Refused
from chatui.server.routes import api_routes
from chatui.server.typing import TypingRooms

log = logging.getLogger(__name__)


def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return JSONResponse(exc.to_json(), status_code=exc.status, headers=headers)


def _refused(request: Request, exc: Exception) -> JSONResponse:
    """A refusal of the storage layer or the value rules, answered with its status."""
    assert isinstance(exc, Refused)
    return _api_error(request, from_refusal(exc))


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own refusals (unknown path, wrong method) in our JSON shape."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        body = {"error": "not_found", "message": f"no route {request.url.path}"}
    elif exc.status_code == 405:
        body = {
            "error": "method_not_allowed",
            "message": f"{request.method} is not allowed on {request.url.path}",
        }
    else:
        body = {"error": "http_error", "message": str(exc.detail)}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def _server_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse(
        {"error": "internal_error", "message": "the server hit a bug; see its log"},
        status_code=500,
    )


def create_app(
    db: Database,
    *,
    open_registration: bool = False,
    heartbeat: float = HEARTBEAT_SECONDS,
    broadcaster: Broadcaster | None = None,
) -> Starlette:
    """The reference server as an ASGI app over ``db``."""
    broadcaster = broadcaster or Broadcaster()
    typing = TypingRooms(broadcaster)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        broadcaster.attach(asyncio.get_running_loop())
        db.add_listener(broadcaster.notify_threadsafe)
        try:
            yield
        finally:
            db.remove_listener(broadcaster.notify_threadsafe)
            typing.close()
            broadcaster.close()

    app = Starlette(
        routes=api_routes(),
        exception_handlers={
            ApiError: _api_error,
            Refused: _refused,
            HTTPException: _http_error,
            Exception: _server_error,
        },
        lifespan=lifespan,
    )
    app.state.db = db
    app.state.broadcaster = broadcaster
    app.state.typing = typing
    app.state.open_registration = open_registration
    app.state.heartbeat = heartbeat
    return app
