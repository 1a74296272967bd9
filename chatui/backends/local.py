"""The ``local`` backend: the reference server's HTTP API v1 (docs/server.md).

Request/response calls go through one lazily created ``httpx.AsyncClient`` and map
every failure onto the error classes of :mod:`chatui.backends.base`, with messages
a user can read. httpx itself is imported on first use, not with this module: it
costs ~40 ms to import, and the app constructs backends before its first frame but
only talks to servers after it (bench/startup.py measures that).

The live stream (``GET /v1/events``, Server-Sent Events) is read by a background
task per ``events()`` call, so that ``close()`` can end it at once by cancelling
that task instead of interrupting the consumer.

Server data is untrusted: anything malformed is logged and skipped (one bad event
never ends the stream), or turned into a :class:`BackendError` (one bad answer to
a request never crashes the app).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from chatui.backends.base import (
    AuthError,
    Backend,
    BackendError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    UnavailableError,
)
from chatui.backends.retry import RetryPolicy, retry_after_seconds
from chatui.backends.streaming import events_from_task
from chatui.core.models import (
    VANISH_OFF,
    AccountConfig,
    ConnectionChanged,
    ConnectionState,
    Credentials,
    Event,
    HistoryReset,
    Identity,
    Message,
    MessageReceived,
    MessageRedacted,
    ReadMarkerMoved,
    Thread,
    ThreadUpdated,
    VanishSetting,
)

if TYPE_CHECKING:
    import httpx

    from chatui.backends.sse import ServerSentEvent

log = logging.getLogger(__name__)

USER_AGENT = "chatui/0.1 (local backend)"

# Ordinary calls: a loopback or LAN server answers in milliseconds; a minute-long
# hang is a dead server, and the user deserves an error instead of a frozen send.
# Kept as plain numbers (seconds) so that defining them needs no httpx.
REQUEST_TIMEOUT: Mapping[str, float | None] = MappingProxyType({"timeout": 20.0, "connect": 10.0})
# The event stream is open indefinitely; liveness comes from the server's
# heartbeats (see LocalBackend.idle_timeout), not from a read timeout.
STREAM_TIMEOUT: Mapping[str, float | None] = MappingProxyType({**REQUEST_TIMEOUT, "read": None})


class MalformedData(ValueError):
    """Server JSON that does not have the shape API v1 promises."""


# --- module-level helpers --------------------------------------------------------------


async def register(server_url: str, username: str, password: str) -> Credentials:
    """Create an account on a server with open registration (demo, tests, scripts).

    Raises BadRequestError for a taken (409) or invalid (400) name, and
    PermissionDeniedError when the server does not allow registration (403).
    """
    async with _new_client(server_url) as client:
        data = await _call(
            client,
            "POST",
            "/v1/register",
            json_body={
                "username": username,
                "password": password,
            },
        )
    return _credentials(data)


def _timeout(spec: Mapping[str, float | None]) -> httpx.Timeout:
    import httpx

    return httpx.Timeout(**spec)


def _new_client(server_url: str, timeout: httpx.Timeout | None = None) -> httpx.AsyncClient:
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
        timeout=timeout if timeout is not None else _timeout(REQUEST_TIMEOUT),
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        follow_redirects=False,
    )


async def _call(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    json_body: Any = None,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Any:
    """One request; the decoded JSON answer (None for an empty body), or a BackendError."""
    response = await _send(
        client, method, path, json_body=json_body, params=params, headers=headers
    )
    return _json_of(response, method, path)


async def _send(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    json_body: Any = None,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """One request; the successful response (body read), or a BackendError."""
    import httpx

    try:
        response = await client.request(
            method, path, json=json_body, params=params, headers=headers
        )
    except httpx.HTTPError as err:
        raise _transport_error(err, client.base_url) from err
    if response.status_code >= 400:
        raise _http_error(response)
    return response


def _json_of(response: httpx.Response, method: str, path: str) -> Any:
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


def _transport_error(err: httpx.HTTPError, base_url: httpx.URL | str) -> BackendError:
    """A failure below HTTP: the message says what happened in a user's words."""
    import httpx

    host = _host(base_url)
    if isinstance(err, httpx.TimeoutException):
        return UnavailableError(f"the server at {host} did not answer in time")
    if isinstance(err, httpx.ConnectError):
        return UnavailableError(f"cannot reach the server at {host}")
    if isinstance(err, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return BackendError(f"the server address {str(base_url)!r} is not a valid http(s) URL")
    if isinstance(err, httpx.TransportError):
        return UnavailableError(f"the connection to {host} was lost")
    return BackendError(f"request to {host} failed: {err}")


_DEFAULT_MESSAGES = {
    400: "the server rejected the request",
    401: "the server did not accept the login",
    403: "the server refused the request",
    404: "not found on the server",
    409: "that conflicts with what the server already has",
    413: "that is too large for the server",
    429: "the server is busy (too many requests)",
}


def _http_error(response: httpx.Response) -> BackendError:
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
        return AuthError(message, **kwargs)
    if status == 403:
        return PermissionDeniedError(message, **kwargs)
    if status == 404:
        return NotFoundError(message, **kwargs)
    if status == 429 or status >= 500:
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        return UnavailableError(message, retry_after=retry_after, **kwargs)
    return BadRequestError(message, **kwargs)


# --- server JSON -> models -----------------------------------------------------------


def _str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # tolerate numeric ids
    raise MalformedData(f"missing or invalid {key!r}")


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise MalformedData(f"invalid {key!r}")


def _int(data: Mapping[str, Any], key: str, default: int | None = None) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        if default is not None and value is None:
            return default
        raise MalformedData(f"missing or invalid {key!r}")
    return int(value)


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MalformedData(f"{what} is not an object")
    return value


def _vanish(value: Any) -> VanishSetting:
    if value is None:
        return VanishSetting()
    value = _mapping(value, "vanish setting")
    mode = value.get("mode", "off")
    if mode not in ("off", "vanish", "timer"):
        raise MalformedData(f"unknown vanish mode {mode!r}")
    seconds = value.get("seconds")
    if mode == "timer" and (isinstance(seconds, bool) or not isinstance(seconds, int)):
        raise MalformedData("a vanish timer needs whole seconds")
    return VanishSetting(mode=mode, seconds=seconds if mode == "timer" else None)


def _reactions(value: Any) -> Mapping[str, tuple[str, ...]]:
    """``{emoji: [usernames]}``; anything else there is ignored rather than fatal."""
    if not isinstance(value, Mapping):
        return MappingProxyType({})
    out: dict[str, tuple[str, ...]] = {}
    for emoji, users in value.items():
        if isinstance(emoji, str) and isinstance(users, list):
            out[emoji] = tuple(u for u in users if isinstance(u, str))
    return MappingProxyType(out)


def _change(value: Any) -> Mapping[str, Any] | None:
    """A setting message's ``change``: kept if it is an object (describe_change and
    the UI read it defensively), else None; never a reason to drop the message."""
    if not isinstance(value, Mapping):
        return None
    return MappingProxyType(dict(value))


def message_from_json(account_id: str, data: Any) -> Message:
    """API v1 message JSON -> Message; MalformedData if it does not fit.

    ``kind`` "setting" marks a notice that someone changed the thread's vanish
    setting or theme; any other kind (or none: an older server) is plain text.
    """
    data = _mapping(data, "message")
    body = data.get("body")
    if not isinstance(body, str):
        raise MalformedData("missing or invalid 'body'")
    setting = data.get("kind") == "setting"
    return Message(
        account_id=account_id,
        thread_id=_str(data, "thread_id"),
        message_id=_str(data, "message_id"),
        sender=_str(data, "sender"),
        body=body,
        ts=_int(data, "ts"),
        txn_id=_opt_str(data, "txn_id"),
        reply_to=_opt_str(data, "reply_to"),
        reactions=_reactions(data.get("reactions")),
        # Notices never vanish, whatever the server says.
        vanish=VANISH_OFF if setting else _vanish(data.get("vanish")),
        kind="setting" if setting else "text",
        change=_change(data.get("change")) if setting else None,
    )


def thread_from_json(account_id: str, data: Any) -> Thread:
    """API v1 thread JSON -> Thread; MalformedData if it does not fit."""
    data = _mapping(data, "thread")
    members = data.get("members")
    if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
        raise MalformedData("missing or invalid 'members'")
    title = data.get("title")
    if title is not None and not isinstance(title, str):
        raise MalformedData("invalid 'title'")
    theme = data.get("theme")
    if theme is not None and not isinstance(theme, Mapping):
        theme = None  # cosmetic: a broken theme must not hide the thread
    last = data.get("last_message")
    last_message = message_from_json(account_id, last) if last is not None else None
    unread = _int(data, "unread", 0)
    created = data.get("created_ts", data.get("created"))
    return Thread(
        account_id=account_id,
        thread_id=_str(data, "thread_id"),
        title=title or None,
        members=tuple(members),
        last_message=last_message,
        unread=max(0, unread),
        theme=MappingProxyType(dict(theme)) if theme is not None else None,
        vanish=_vanish(data.get("vanish")),
        created_ts=int(created)
        if isinstance(created, int | float) and not isinstance(created, bool)
        else 0,
    )


def _credentials(data: Any) -> Credentials:
    try:
        data = _mapping(data, "login answer")
        token = data.get("token")
        if not isinstance(token, str) or not token:
            raise MalformedData("missing 'token'")
        return Credentials(
            user_id=_str(data, "user_id"), username=_str(data, "username"), token=token
        )
    except MalformedData as err:
        raise BackendError(f"the server sent a malformed login answer: {err}") from err


# --- the stream ------------------------------------------------------------------------


class _StreamIdle(Exception):
    """Nothing (not even a heartbeat) arrived for ``idle_timeout`` seconds."""


class _StreamState:
    """What survives from one connection attempt to the next.

    A plain class rather than a dataclass: it is private, and a dataclass costs
    ~0.5 ms to define at import, before the app's first frame.
    """

    __slots__ = ("connected_at", "cursor", "reset_reason", "retry_base")

    def __init__(self, cursor: str | None, retry_base: float) -> None:
        self.cursor = cursor
        self.retry_base = retry_base  # seconds; the server may set it with SSE ``retry:``
        self.connected_at: float | None = None  # monotonic time of the open stream
        # Set when the server refused our cursor: the next stream's first event
        # with an id says where it resumed, and a HistoryReset is sent from there.
        self.reset_reason: str | None = None


class LocalBackend(Backend):
    """One account on a chatui reference server."""

    kind: ClassVar[str] = "local"

    request_timeout: httpx.Timeout | None = None
    """None: REQUEST_TIMEOUT (an ``httpx.Timeout`` here overrides it, e.g. in tests)."""
    idle_timeout: float = 45.0
    """Reconnect when the stream is silent this long (the server sends heartbeats)."""
    backoff_base: float = 1.0
    backoff_cap: float = 30.0
    healthy_after: float = 20.0
    """A connection that stayed up this long resets the backoff."""

    def __init__(self, account: AccountConfig) -> None:
        super().__init__(account)
        self.server_url = account.server.rstrip("/")
        self.token: str | None = None
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._streams: set[asyncio.Task] = set()
        # The last thread list: a digest of the server's answer and what it gave.
        self._last_threads: tuple[bytes, list[Thread]] | None = None

    # --- plumbing ------------------------------------------------------------------

    def _http(self) -> httpx.AsyncClient:
        # Created on first use, inside the running loop, so a backend may be
        # constructed before the app's event loop exists. Pooled connections belong
        # to the loop that opened them: a caller that uses one backend from two
        # asyncio.run() calls (a CLI command, say) gets a fresh client the second time.
        if self._closed:
            raise BackendError("this account's connection has been closed")
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            self._client = _new_client(self.server_url, self.request_timeout)
            self._client_loop = loop
        return self._client

    def _auth(self) -> dict[str, str]:
        if not self.token:
            raise AuthError("not logged in")
        return {"Authorization": f"Bearer {self.token}"}

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        return await _call(
            self._http(), method, path, json_body=json_body, params=params, headers=self._auth()
        )

    def _convert(self, convert: Callable[[str, Any], Any], data: Any, what: str) -> Any:
        try:
            return convert(self.account_id, data)
        except MalformedData as err:
            raise BackendError(f"the server sent a malformed {what}: {err}") from err

    # --- session -------------------------------------------------------------------

    async def login(self, username: str, password: str) -> Credentials:
        data = await _call(
            self._http(),
            "POST",
            "/v1/login",
            json_body={"username": username, "password": password},
        )
        credentials = _credentials(data)
        self.token = credentials.token
        return credentials

    async def restore(self, token: str) -> Identity:
        self.token = token
        return await self.whoami()

    async def whoami(self) -> Identity:
        data = await self._request("GET", "/v1/me")
        try:
            data = _mapping(data, "identity")
            return Identity(user_id=_str(data, "user_id"), username=_str(data, "username"))
        except MalformedData as err:
            raise BackendError(f"the server sent a malformed identity: {err}") from err

    async def logout(self) -> None:
        """Revoke this token on the server (``POST /v1/logout``), so that unlinking the
        account leaves no token behind that still works there.

        A token the server no longer knows (401) is as good as revoked. An older
        server without the route (404) cannot revoke it: that is an error, so the
        user is told the token still works there.
        """
        if not self.token:
            return
        try:
            await self._request("POST", "/v1/logout")
        except AuthError:
            pass  # already not valid: nothing left to revoke
        except NotFoundError as err:
            raise BackendError(
                "this server cannot revoke tokens (it has no logout); the token still works there"
            ) from err
        self.token = None

    async def close(self) -> None:
        self._closed = True
        streams = list(self._streams)
        for task in streams:
            task.cancel()
        for task in streams:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        client, self._client = self._client, None
        if client is not None and self._client_loop is asyncio.get_running_loop():
            await client.aclose()
        # A client from a loop that has ended holds no live sockets worth closing.

    # --- reading -------------------------------------------------------------------

    async def threads(self) -> list[Thread]:
        import hashlib  # not needed before the first frame: imported on first use

        response = await _send(self._http(), "GET", "/v1/threads", headers=self._auth())
        # The list is fetched at start and again whenever the stream (re)connects,
        # which at start is moments later: the answer is then usually the very same
        # bytes. Reading 5,000 threads costs ~80 ms of the event loop (the app
        # freezes meanwhile), so an answer identical to the last one gives the
        # threads read from it last time (immutable objects, equal values).
        digest = hashlib.blake2b(response.content, digest_size=16).digest()
        if self._last_threads is not None and self._last_threads[0] == digest:
            return list(self._last_threads[1])
        data = _json_of(response, "GET", "/v1/threads")
        items = data.get("threads") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise BackendError("the server sent a malformed thread list")
        threads = []
        for item in items:
            try:
                threads.append(thread_from_json(self.account_id, item))
            except MalformedData as err:  # one broken thread must not hide the others
                log.warning("%s: skipping a malformed thread: %s", self.account_id, err)
        self._last_threads = (digest, threads)
        return list(threads)

    async def thread(self, thread_id: str) -> Thread:
        data = await self._request("GET", f"/v1/threads/{_seg(thread_id)}")
        return self._convert(thread_from_json, data, "thread")

    async def history(
        self, thread_id: str, before: str | None = None, limit: int = 50
    ) -> list[Message]:
        params: dict[str, Any] = {"limit": limit}
        if before is not None:
            params["before"] = before
        data = await self._request("GET", f"/v1/threads/{_seg(thread_id)}/messages", params=params)
        items = data.get("messages") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise BackendError("the server sent a malformed message list")
        messages = []
        for item in items:
            try:
                messages.append(message_from_json(self.account_id, item))
            except MalformedData as err:
                log.warning("%s: skipping a malformed message: %s", self.account_id, err)
        return messages

    # --- writing -------------------------------------------------------------------

    async def send(
        self, thread_id: str, body: str, txn_id: str, reply_to: str | None = None
    ) -> Message:
        payload: dict[str, Any] = {"body": body}
        if reply_to is not None:
            payload["reply_to"] = reply_to
        data = await self._request(
            "PUT", f"/v1/threads/{_seg(thread_id)}/messages/{_seg(txn_id)}", json_body=payload
        )
        return self._convert(message_from_json, data, "message")

    async def redact(self, thread_id: str, message_id: str) -> None:
        await self._request("DELETE", f"/v1/threads/{_seg(thread_id)}/messages/{_seg(message_id)}")

    async def mark_read(self, thread_id: str, message_id: str) -> None:
        await self._request(
            "POST", f"/v1/threads/{_seg(thread_id)}/read", json_body={"message_id": message_id}
        )

    async def expire(self, thread_id: str, message_id: str) -> None:
        """Delete our message as expired: recipients keep theirs until their own timer."""
        await self._request(
            "DELETE",
            f"/v1/threads/{_seg(thread_id)}/messages/{_seg(message_id)}",
            params={"expired": "true"},
        )

    async def react(self, thread_id: str, message_id: str, emoji: str) -> None:
        await self._request("PUT", _reaction_path(thread_id, message_id, emoji))

    async def unreact(self, thread_id: str, message_id: str, emoji: str) -> None:
        await self._request("DELETE", _reaction_path(thread_id, message_id, emoji))

    async def set_theme(self, thread_id: str, theme: dict | None) -> Thread:
        data = await self._request(
            "PUT", f"/v1/threads/{_seg(thread_id)}/theme", json_body=dict(theme or {})
        )
        return self._convert(thread_from_json, data, "thread")

    async def set_vanish(self, thread_id: str, setting: VanishSetting) -> Thread:
        data = await self._request(
            "PUT", f"/v1/threads/{_seg(thread_id)}/vanish", json_body=setting.to_json()
        )
        return self._convert(thread_from_json, data, "thread")

    async def create_thread(self, members: Sequence[str], title: str | None = None) -> Thread:
        payload: dict[str, Any] = {"members": list(members)}
        if title:
            payload["title"] = title
        data = await self._request("POST", "/v1/threads", json_body=payload)
        return self._convert(thread_from_json, data, "thread")

    # --- the live stream -----------------------------------------------------------

    async def events(self, since: str | None = None) -> AsyncIterator[Event]:
        """See :meth:`Backend.events`. Reading happens in a task that close() cancels."""
        if self._closed:
            return
        async for item in events_from_task(
            lambda put: self._run_stream(since, put),
            self._streams,
            name=f"events:{self.account_id}",
        ):
            yield item

    def _changed(self, state: ConnectionState, detail: str = "") -> ConnectionChanged:
        return ConnectionChanged(self.account_id, state, detail)

    async def _run_stream(self, since: str | None, put: Callable[[Event], None]) -> None:
        try:
            await self._reconnect_loop(since, put)
        except Exception as err:  # a bug here must still show up as a state, not silence
            log.exception("%s: the event stream failed", self.account_id)
            put(self._changed(ConnectionState.ERROR, f"the live connection failed: {err}"))

    async def _reconnect_loop(self, since: str | None, put: Callable[[Event], None]) -> None:
        """Connect, read, and on any trouble reconnect with backoff, until closed."""
        state = _StreamState(cursor=since, retry_base=self.backoff_base)
        failures = 0
        put(self._changed(ConnectionState.CONNECTING))
        while not self._closed:
            retry_after: float | None = None
            try:
                await self._stream_once(state, put)
                reason = "the server closed the connection"
            except (AuthError, PermissionDeniedError) as err:
                # Retrying cannot fix a refused token: the user has to log in again.
                put(self._changed(ConnectionState.ERROR, str(err)))
                return
            except (BadRequestError, NotFoundError) as err:
                # Most likely a cursor this server no longer knows (its database was
                # reset). Retrying it forever would never work: start from "now",
                # and say so (HistoryReset, once the new stream says where "now"
                # is) so the Session refetches what the gap may have changed.
                log.warning(
                    "%s: event stream refused (%s); resuming from now", self.account_id, err
                )
                reason = str(err)
                if state.cursor is not None:
                    state.reset_reason = reason
                state.cursor = None
            except _StreamIdle:
                reason = f"no sign of life from the server for {self.idle_timeout:.0f} s"
            except UnavailableError as err:
                reason = str(err)
                retry_after = err.retry_after
            except BackendError as err:
                reason = str(err)
            if self._closed:
                return
            if state.connected_at is not None:
                if time.monotonic() - state.connected_at >= self.healthy_after:
                    failures = 0
                state.connected_at = None
            failures += 1
            # The shared policy; the server may have set the base (SSE ``retry:``).
            delay = RetryPolicy(state.retry_base, self.backoff_cap).delay(failures, retry_after)
            put(self._changed(ConnectionState.RECONNECTING, f"{reason} — {_retrying(delay)}"))
            await asyncio.sleep(delay)

    async def _stream_once(self, state: _StreamState, put: Callable[[Event], None]) -> None:
        """One connection: open and read until the server ends it (or raise)."""
        import httpx

        from chatui.backends.sse import SSEParser

        headers = {**self._auth(), "Accept": "text/event-stream", "Cache-Control": "no-cache"}
        params: dict[str, str] = {}
        if state.cursor is not None:
            params["since"] = state.cursor
            headers["Last-Event-ID"] = state.cursor
        client = self._http()
        loop = asyncio.get_running_loop()
        try:
            # The deadline covers waiting for the headers too (the stream has no read
            # timeout) and is pushed back by every chunk, heartbeats included.
            async with (
                asyncio.timeout(self.idle_timeout) as deadline,
                client.stream(
                    "GET",
                    "/v1/events",
                    params=params,
                    headers=headers,
                    timeout=_timeout(STREAM_TIMEOUT),
                ) as response,
            ):
                if response.status_code >= 400:
                    await response.aread()
                    raise _http_error(response)
                ctype = response.headers.get("content-type", "")
                if not ctype.startswith("text/event-stream"):
                    raise BackendError(f"the server did not answer with an event stream ({ctype})")
                state.connected_at = time.monotonic()
                put(self._changed(ConnectionState.CONNECTED))
                parser = SSEParser()
                async for chunk in response.aiter_bytes():
                    deadline.reschedule(loop.time() + self.idle_timeout)
                    for sse in parser.feed(chunk):
                        if state.reset_reason is not None and sse.id is not None:
                            # Before any event of the new stream: the first id (the
                            # hello's) is where the refetched state must resume.
                            put(HistoryReset(self.account_id, state.reset_reason, sse.id))
                            state.reset_reason = None
                        event = self._decode(sse)
                        if event is not None:
                            put(event)
                    # Even an id-only block moves the resume point, and so does the
                    # server's "hello": that is how a stream opened "from now" says
                    # where now is.
                    if parser.last_event_id is not None:
                        state.cursor = parser.last_event_id
                    if parser.retry is not None:
                        state.retry_base = max(0.1, parser.retry / 1000)
        except TimeoutError as err:
            raise _StreamIdle from err
        except httpx.HTTPError as err:
            raise _transport_error(err, client.base_url) from err

    def _decode(self, sse: ServerSentEvent) -> Event | None:
        """One SSE event -> a model event; None (logged) when unknown or malformed."""
        try:
            data = json.loads(sse.data)
        except (ValueError, RecursionError):
            # Its size only: the data may be a message's text, and logs must not keep
            # what vanish mode erases (the demo's log lives in its profile).
            log.warning(
                "%s: skipping an event that is not JSON (%d characters)",
                self.account_id,
                len(sse.data),
            )
            return None
        try:
            return self._event_from_json(sse.event, data, sse.id)
        except MalformedData as err:
            log.warning("%s: skipping a malformed %r event: %s", self.account_id, sse.event, err)
        except Exception:  # a shape the checks above missed: still only this event is lost
            log.exception("%s: skipping an event that could not be read", self.account_id)
        return None

    def _event_from_json(self, kind: str, data: Any, cursor: str | None) -> Event | None:
        """The server names each event's kind in the SSE ``event:`` field."""
        account_id = self.account_id
        if kind == "hello":
            return None  # "the stream starts here": its id already moved the cursor
        if kind == "message":
            return MessageReceived(message_from_json(account_id, data), cursor)
        if kind == "thread":
            return ThreadUpdated(thread_from_json(account_id, data), cursor)
        data = _mapping(data, f"{kind} event")
        if kind == "redaction":
            return MessageRedacted(
                account_id,
                _str(data, "thread_id"),
                _str(data, "message_id"),
                cursor,
                expired=data.get("expired") is True,
            )
        if kind == "read":
            return ReadMarkerMoved(
                account_id,
                _str(data, "thread_id"),
                _str(data, "message_id"),
                _str(data, "user"),
                cursor,
            )
        # Typing...: kinds from a newer server. Skipping them is safe. (Reactions come
        # as "message" events carrying the message with its current reactions.)
        log.debug("%s: ignoring an event of unknown kind %r", account_id, kind)
        return None


def _seg(value: str) -> str:
    """One URL path segment: ids and txn ids are opaque, so escape everything."""
    return quote(str(value), safe="")


def _reaction_path(thread_id: str, message_id: str, emoji: str) -> str:
    # "." escaped too: a URL library would resolve a "." or ".." segment away.
    segment = _seg(emoji).replace(".", "%2E")
    return f"/v1/threads/{_seg(thread_id)}/messages/{_seg(message_id)}/reactions/{segment}"


def _retrying(delay: float) -> str:
    if delay < 0.5:
        return "retrying now"
    return f"retrying in {round(delay)} s"
