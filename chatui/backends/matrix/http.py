"""HTTP plumbing for the Matrix client-server API v3: requests, errors, rate limits.

Every call goes through :meth:`MatrixHTTP.call`, which maps Matrix's error answers
(``{"errcode": "M_...", "error": "..."}``) onto the error classes of
:mod:`chatui.backends.base`, so the Session treats a Matrix account exactly like any
other. A 429 (``M_LIMIT_EXCEEDED``) with a short wait is retried here, once or twice,
after the wait the server asked for: Synapse rate-limits bursts of sends and
reactions, and a user should not see "not sent" for a delay of half a second. A
longer wait is raised as :class:`UnavailableError` with ``retry_after`` set.

httpx is imported on first use, not with this module (it costs ~40 ms at startup).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from chatui.backends.base import (
    AuthError,
    BackendError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    UnavailableError,
    UnsupportedError,
)
from chatui.backends.retry import RetryPolicy, retry_after_seconds

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

USER_AGENT = "chatui/0.1 (matrix backend)"
CLIENT_V3 = "/_matrix/client/v3"

REQUEST_TIMEOUT = 20.0  # seconds, for everything but the /sync long poll
CONNECT_TIMEOUT = 10.0

# Retry a 429 in place only when the server asks for a short wait; otherwise the
# caller (the Session, the sync loop) decides, with UnavailableError.retry_after.
LIMIT_RETRIES = 3
LIMIT_MAX_INLINE_WAIT = 5.0
LIMIT_RETRY = RetryPolicy(base=0.25, cap=LIMIT_MAX_INLINE_WAIT)
"""The shared policy for those in-place retries: at least the server's wait, plus
jitter, so that clients limited together do not all retry in the same instant."""

# Error codes that mean "this token (or these credentials) will not work".
_AUTH_CODES = frozenset(
    {"M_UNKNOWN_TOKEN", "M_MISSING_TOKEN", "M_USER_DEACTIVATED", "M_INVALID_USERNAME"}
)


def seg(value: str) -> str:
    """One URL path segment: room ids, event ids, txn ids are opaque, so escape all."""
    return quote(str(value), safe="")


def normalise_base_url(server: str) -> httpx.URL:
    """The homeserver base URL, checked: an http(s) URL without a trailing slash."""
    import httpx

    try:
        url = httpx.URL(server.strip().rstrip("/"))
    except httpx.InvalidURL as err:
        raise BackendError(f"the homeserver address {server!r} is not a valid URL") from err
    if url.scheme not in ("http", "https") or not url.host:
        raise BackendError(
            f"the homeserver address {server!r} is not an http(s) URL"
            " (for example https://matrix.example.org)"
        )
    return url


def new_client(base_url: str) -> httpx.AsyncClient:
    import httpx

    return httpx.AsyncClient(
        base_url=normalise_base_url(base_url),
        timeout=httpx.Timeout(REQUEST_TIMEOUT, connect=CONNECT_TIMEOUT),
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        follow_redirects=False,
    )


class MatrixHTTP:
    """One homeserver, one access token, one lazily created connection pool."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.strip().rstrip("/")
        self.token: str | None = None
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self.closed = False

    def client(self) -> httpx.AsyncClient:
        # Pooled connections belong to the loop that opened them: a CLI command that
        # uses one backend from two asyncio.run() calls gets a fresh pool each time.
        if self.closed:
            raise BackendError("this account's connection has been closed")
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop or self._client.is_closed:
            self._client = new_client(self.base_url)
            self._client_loop = loop
        return self._client

    async def aclose(self) -> None:
        self.closed = True
        client, self._client = self._client, None
        if client is not None and not client.is_closed:
            # RuntimeError: its loop is gone (closed from another loop): just drop it.
            with contextlib.suppress(RuntimeError):
                await client.aclose()

    async def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        auth: bool = True,
        timeout: float | None = None,
        prefix: str = CLIENT_V3,
    ) -> Any:
        """One API call; the decoded JSON object, or a BackendError subclass."""
        for attempt in range(LIMIT_RETRIES + 1):
            try:
                return await self._call_once(
                    method,
                    path,
                    json_body=json_body,
                    params=params,
                    auth=auth,
                    timeout=timeout,
                    prefix=prefix,
                )
            except UnavailableError as err:
                wait = err.retry_after
                if (
                    err.status != 429
                    or wait is None
                    or wait > LIMIT_MAX_INLINE_WAIT
                    or attempt == LIMIT_RETRIES
                ):
                    raise
                wait = LIMIT_RETRY.delay(attempt + 1, wait)
                log.info("rate limited on %s %s; retrying in %.2f s", method, path, wait)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _call_once(
        self,
        method: str,
        path: str,
        *,
        json_body: Any,
        params: Mapping[str, Any] | None,
        auth: bool,
        timeout: float | None,
        prefix: str,
    ) -> Any:
        import httpx

        headers: dict[str, str] = {}
        if auth:
            if not self.token:
                raise AuthError("not logged in to this Matrix account")
            headers["Authorization"] = f"Bearer {self.token}"
        if json_body is None and method in ("POST", "PUT"):
            json_body = {}  # Matrix wants a JSON object on every POST and PUT
        client = self.client()
        kwargs: dict[str, Any] = {}
        if timeout is not None:
            kwargs["timeout"] = httpx.Timeout(timeout, connect=CONNECT_TIMEOUT)
        try:
            response = await client.request(
                method, prefix + path, json=json_body, params=params, headers=headers, **kwargs
            )
        except httpx.HTTPError as err:
            raise transport_error(err, self.base_url) from err
        if response.status_code >= 400:
            raise http_error(response, path)
        if not response.content:
            return {}
        try:
            data = response.json()
        except (ValueError, RecursionError) as err:
            raise BackendError(
                f"the homeserver sent an answer that is not JSON ({method} {path})",
                status=response.status_code,
            ) from err
        if not isinstance(data, dict):
            raise BackendError(f"the homeserver sent an unexpected answer ({method} {path})")
        return data


def host_of(base_url: str) -> str:
    import httpx

    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL:
        return base_url
    return f"{url.host}:{url.port}" if url.port else url.host or base_url


def transport_error(err: httpx.HTTPError, base_url: str) -> BackendError:
    """A failure below HTTP, told in a user's words."""
    import httpx

    host = host_of(base_url)
    if isinstance(err, httpx.TimeoutException):
        return UnavailableError(f"the homeserver {host} did not answer in time")
    if isinstance(err, httpx.ConnectError):
        return UnavailableError(f"cannot reach the homeserver {host}")
    if isinstance(err, httpx.TransportError):
        return UnavailableError(f"the connection to {host} was lost")
    return BackendError(f"request to {host} failed: {err}")


def http_error(response: httpx.Response, path: str = "") -> BackendError:
    """A Matrix error answer -> the base error class a caller can act on."""
    status = response.status_code
    code: str | None = None
    message: str | None = None
    retry_ms: Any = None
    try:
        payload = response.json()
    except (ValueError, RecursionError):
        payload = None
    if isinstance(payload, dict):
        if isinstance(payload.get("errcode"), str):
            code = payload["errcode"]
        if isinstance(payload.get("error"), str) and payload["error"].strip():
            message = payload["error"].strip()[:300]
        retry_ms = payload.get("retry_after_ms")
    if message is None:
        message = f"the homeserver answered HTTP {status}"
    kwargs: dict[str, Any] = {"status": status, "code": code}
    if status == 429 or code == "M_LIMIT_EXCEEDED":
        # Synapse sends both; retry_after_ms is the precise one (the header is
        # rounded up to whole seconds), the header is what proxies and others send.
        retry_after: float | None = None
        if isinstance(retry_ms, int | float) and not isinstance(retry_ms, bool) and retry_ms >= 0:
            retry_after = float(retry_ms) / 1000
        if retry_after is None:
            retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        return UnavailableError(
            f"the homeserver is rate-limiting us ({message})",
            retry_after=retry_after,
            **{**kwargs, "status": 429},
        )
    if status == 401 or code in _AUTH_CODES:
        return AuthError(message, **kwargs)
    if code == "M_FORBIDDEN" and path.startswith("/login"):
        return AuthError(message, **kwargs)  # wrong user name or password
    if status == 403 or code == "M_FORBIDDEN":
        # Not "log in again": Synapse answers 403 for "you may not redact that" or
        # "you are not in this room", and the token is still good.
        return PermissionDeniedError(message, **kwargs)
    if code == "M_UNRECOGNIZED" and status in (404, 405):
        return UnsupportedError(f"the homeserver does not offer this ({message})", **kwargs)
    if status == 404 or code == "M_NOT_FOUND":
        return NotFoundError(message, **kwargs)
    if status >= 500:
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        return UnavailableError(
            f"the homeserver had an internal error (HTTP {status})",
            retry_after=retry_after,
            **kwargs,
        )
    return BadRequestError(message, **kwargs)
