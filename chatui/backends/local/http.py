"""The local adapter's HTTP: one ``httpx.AsyncClient`` per account, requests, and
every failure mapped onto :mod:`chatui.backends.base`'s errors with a message a
user can read.

httpx itself is imported on first use, not with this module: it costs ~40 ms to
import, and the app constructs backends before its first frame but only talks to
servers after it (bench/startup.py measures that).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from chatui.backends.base import (
    AuthError,
    BackendError,
    BadRequestError,
    NoSuchUserError,
    NotFoundError,
    PermissionDeniedError,
    UnavailableError,
)
from chatui.backends.retry import retry_after_seconds

if TYPE_CHECKING:
    import httpx

USER_AGENT = "chatui/0.1 (local backend)"

# Ordinary calls: a loopback or LAN server answers in milliseconds; a minute-long
# hang is a dead server, and the user deserves an error instead of a frozen send.
# Kept as plain numbers (seconds) so that defining them needs no httpx.
REQUEST_TIMEOUT: Mapping[str, float | None] = MappingProxyType({"timeout": 20.0, "connect": 10.0})
# The event stream is open indefinitely; liveness comes from the server's
# heartbeats (see LocalBackend.idle_timeout), not from a read timeout.
STREAM_TIMEOUT: Mapping[str, float | None] = MappingProxyType({**REQUEST_TIMEOUT, "read": None})


def timeout_of(spec: Mapping[str, float | None]) -> httpx.Timeout:
    import httpx

    return httpx.Timeout(**spec)


def new_client(server_url: str, timeout: httpx.Timeout | None = None) -> httpx.AsyncClient:
    import httpx

    try:
        url = httpx.URL(server_url.rstrip("/"))
    except httpx.InvalidURL as err:
        raise BackendError(f"the server address {server_url!r} is not a valid URL") from err
    if url.scheme not in ("http", "https") or not url.host:
        raise BackendError(
            f"the server address {server_url!r} is not an http(s) URL"
            " (for example http://127.0.0.1:8765)"
        )
    return httpx.AsyncClient(
        base_url=url,
        timeout=timeout if timeout is not None else timeout_of(REQUEST_TIMEOUT),
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        follow_redirects=False,
    )


async def call(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    json_body: Any = None,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    where: str | None = None,
) -> Any:
    """One request; the decoded JSON answer (None for an empty body), or a BackendError.

    ``where`` names the server in errors (see :func:`transport_error`).
    """
    response = await send(
        client, method, path, json_body=json_body, params=params, headers=headers, where=where
    )
    return json_of(response, method, path)


async def send(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    json_body: Any = None,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    where: str | None = None,
) -> httpx.Response:
    """One request; the successful response (body read), or a BackendError."""
    import httpx

    try:
        response = await client.request(
            method, path, json=json_body, params=params, headers=headers
        )
    except httpx.HTTPError as err:
        raise transport_error(err, client.base_url, where) from err
    if response.status_code >= 400:
        raise http_error(response)
    return response


def json_of(response: httpx.Response, method: str, path: str) -> Any:
    """A response's decoded JSON (None for an empty body), or a BackendError."""
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except (ValueError, RecursionError) as err:  # JSONDecodeError, UnicodeDecodeError
        raise BackendError(
            f"the server sent an answer that is not valid JSON ({method} {path})",
            status=response.status_code,
        ) from err


def _host(url: httpx.URL | str) -> str:
    import httpx

    url = httpx.URL(str(url))
    return f"{url.host}:{url.port}" if url.port else url.host or str(url)


def transport_error(
    err: httpx.HTTPError, base_url: httpx.URL | str, where: str | None = None
) -> BackendError:
    """A failure below HTTP: the message says what happened in a user's words.

    ``where`` is the network's own name when the account has one ("Northwind"): a
    person knows the network by that name, not by its address (issue 12, item 16).
    Without one, the server's host and port.
    """
    import httpx

    server = where or f"the server at {_host(base_url)}"
    if isinstance(err, httpx.TimeoutException):
        return UnavailableError(f"{server} did not answer in time")
    if isinstance(err, httpx.ConnectError):
        return UnavailableError(f"cannot reach {server}")
    if isinstance(err, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return BackendError(f"the server address {str(base_url)!r} is not a valid http(s) URL")
    if isinstance(err, httpx.TransportError):
        return UnavailableError(f"the connection to {server} was lost")
    return BackendError(f"request to {server} failed: {err}")


_DEFAULT_MESSAGES = {
    400: "the server rejected the request",
    401: "the server did not accept the login",
    403: "the server refused the request",
    404: "not found on the server",
    409: "that conflicts with what the server already has",
    413: "that is too large for the server",
    429: "the server is busy (too many requests)",
}


def http_error(response: httpx.Response) -> BackendError:
    status = response.status_code
    code: str | None = None
    message: str | None = None
    try:
        payload = response.json()
    except (ValueError, RecursionError):
        payload = None
    if isinstance(payload, dict):
        if isinstance(payload.get("message"), str) and payload["message"].strip():
            message = payload["message"].strip()
        if isinstance(payload.get("error"), str):
            code = payload["error"]
    if message is None:
        message = _DEFAULT_MESSAGES.get(status) or (
            f"the server had an internal error (HTTP {status})"
            if status >= 500
            else f"the server answered HTTP {status}"
        )
    kwargs = {"status": status, "code": code}
    if status == 401:
        if code == "no_such_user":  # only servers with open registration say this
            return NoSuchUserError(message, **kwargs)
        return AuthError(message, **kwargs)
    if status == 403:
        return PermissionDeniedError(message, **kwargs)
    if status == 404:
        return NotFoundError(message, **kwargs)
    if status == 429 or status >= 500:
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        return UnavailableError(message, retry_after=retry_after, **kwargs)
    return BadRequestError(message, **kwargs)


def seg(value: str) -> str:
    """One URL path segment: ids and txn ids are opaque, so escape everything."""
    return quote(str(value), safe="")


def reaction_path(thread_id: str, message_id: str, emoji: str) -> str:
    # "." escaped too: a URL library would resolve a "." or ".." segment away.
    segment = seg(emoji).replace(".", "%2E")
    return f"/v1/threads/{seg(thread_id)}/messages/{seg(message_id)}/reactions/{segment}"
