"""The ``local`` backend itself: one account on a chatui reference server.

Requests go through :mod:`.http`, answers become models through :mod:`.decode`.
The live stream (``GET /v1/events``, Server-Sent Events) is read by a background
task per ``events()`` call, so that ``close()`` can end it at once by cancelling
that task instead of interrupting the consumer; one malformed event is logged and
skipped, never the end of the stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from chatui.backends.base import (
    AuthError,
    Backend,
    BackendError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    UnavailableError,
)
from chatui.backends.local import decode, http
from chatui.backends.retry import RetryPolicy
from chatui.backends.streaming import events_from_task
from chatui.core.models import (
    AccountConfig,
    ConnectionChanged,
    ConnectionState,
    Credentials,
    Event,
    HistoryReset,
    HistoryWindow,
    Identity,
    Message,
    MessageReceived,
    SearchPage,
    Thread,
    ThreadUpdated,
    VanishSetting,
)

if TYPE_CHECKING:
    import httpx

    from chatui.backends.sse import ServerSentEvent

log = logging.getLogger(__name__)


async def register(server_url: str, username: str, password: str) -> Credentials:
    """Create an account on a server with open registration (``chatui account add
    --register``, the demo, tests, scripts).

    Raises BadRequestError for a taken (409) or invalid (400) name, and
    PermissionDeniedError when the server does not allow registration (403).
    """
    async with http.new_client(server_url) as client:
        data = await http.call(
            client,
            "POST",
            "/v1/register",
            json_body={
                "username": username,
                "password": password,
            },
        )
    return decode.credentials(data)


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
    """None: http.REQUEST_TIMEOUT (an ``httpx.Timeout`` here overrides it, e.g. in tests)."""
    idle_timeout: float = 45.0
    """Reconnect when the stream is silent this long (the server sends heartbeats)."""
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    healthy_after: float = 20.0
    """A connection that stayed up this long resets the backoff."""

    def __init__(self, account: AccountConfig) -> None:
        super().__init__(account)
        self.server_url = account.server.rstrip("/")
        # The network's own name, for errors a person reads (None: its address).
        self.where: str | None = account.network.strip() or None
        self.token: str | None = None
        # Who we are (from login or restore): which messages mention us.
        self.username: str | None = None
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
            self._client = http.new_client(self.server_url, self.request_timeout)
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
        return await http.call(
            self._http(),
            method,
            path,
            json_body=json_body,
            params=params,
            headers=self._auth(),
            where=self.where,
        )

    def _convert(self, convert: Callable[..., Any], data: Any, what: str) -> Any:
        try:
            return convert(self.account_id, data, self.username)
        except decode.MalformedData as err:
            raise BackendError(f"the server sent a malformed {what}: {err}") from err

    # --- session -------------------------------------------------------------------

    async def login(self, username: str, password: str) -> Credentials:
        data = await http.call(
            self._http(),
            "POST",
            "/v1/login",
            json_body={"username": username, "password": password},
            where=self.where,
        )
        credentials = decode.credentials(data)
        self.token = credentials.token
        self.username = credentials.username
        return credentials

    async def restore(self, token: str) -> Identity:
        self.token = token
        return await self.whoami()

    async def whoami(self) -> Identity:
        data = await self._request("GET", "/v1/me")
        try:
            identity = decode.identity(data)
        except decode.MalformedData as err:
            raise BackendError(f"the server sent a malformed identity: {err}") from err
        self.username = identity.username
        return identity

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

        response = await http.send(
            self._http(), "GET", "/v1/threads", headers=self._auth(), where=self.where
        )
        # The list is fetched at start and again whenever the stream (re)connects,
        # which at start is moments later: the answer is then usually the very same
        # bytes. Reading 5,000 threads costs ~80 ms of the event loop (the app
        # freezes meanwhile), so an answer identical to the last one gives the
        # threads read from it last time (immutable objects, equal values).
        digest = hashlib.blake2b(response.content, digest_size=16).digest()
        if self._last_threads is not None and self._last_threads[0] == digest:
            return list(self._last_threads[1])
        data = http.json_of(response, "GET", "/v1/threads")
        items = data.get("threads") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise BackendError("the server sent a malformed thread list")
        threads = []
        for item in items:
            try:
                threads.append(decode.thread_from_json(self.account_id, item, self.username))
            except decode.MalformedData as err:  # one broken thread must not hide the others
                log.warning("%s: skipping a malformed thread: %s", self.account_id, err)
        self._last_threads = (digest, threads)
        return list(threads)

    async def thread(self, thread_id: str) -> Thread:
        data = await self._request("GET", f"/v1/threads/{http.seg(thread_id)}")
        return self._convert(decode.thread_from_json, data, "thread")

    async def history(
        self, thread_id: str, before: str | None = None, limit: int = 50
    ) -> list[Message]:
        params: dict[str, Any] = {"limit": limit}
        if before is not None:
            params["before"] = before
        messages, _, _ = await self._page(thread_id, params)
        return messages

    async def history_after(self, thread_id: str, after: str, limit: int = 50) -> list[Message]:
        messages, _, _ = await self._page(thread_id, {"after": after, "limit": limit})
        return messages

    async def history_around(
        self, thread_id: str, message_id: str, limit: int = 50
    ) -> HistoryWindow:
        messages, older, newer = await self._page(thread_id, {"around": message_id, "limit": limit})
        return HistoryWindow(message_id, tuple(messages), older, newer)

    async def _page(
        self, thread_id: str, params: Mapping[str, Any]
    ) -> tuple[list[Message], str | None, str | None]:
        """One ``GET .../messages``: the messages (a malformed one is skipped) and the
        page's ``older`` / ``newer`` cursors (None from a server without them)."""
        data = await self._request(
            "GET", f"/v1/threads/{http.seg(thread_id)}/messages", params=params
        )
        items = data.get("messages") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise BackendError("the server sent a malformed message list")
        older, newer = data.get("older"), data.get("newer")
        if not all(c is None or (isinstance(c, str) and c) for c in (older, newer)):
            raise BackendError("the server sent a malformed message list (its cursors)")
        return self._messages(items), older, newer

    def _messages(self, items: list[Any]) -> list[Message]:
        messages = []
        for item in items:
            try:
                messages.append(decode.message_from_json(self.account_id, item, self.username))
            except decode.MalformedData as err:  # one broken message must not hide the rest
                log.warning("%s: skipping a malformed message: %s", self.account_id, err)
        return messages

    async def search(
        self, query_text: str, limit: int = 20, cursor: str | None = None
    ) -> SearchPage:
        """``GET /v1/search``: every word as a substring, case and accents aside, in the
        threads this account is a member of (docs/server.md)."""
        from chatui.core.wire import MAX_SEARCH_LIMIT  # msgspec: not before the first frame

        params: dict[str, Any] = {"q": query_text, "limit": max(1, min(limit, MAX_SEARCH_LIMIT))}
        if cursor is not None:
            params["before"] = cursor
        data = await self._request("GET", "/v1/search", params=params)
        items = data.get("messages") if isinstance(data, dict) else None
        following = data.get("next") if isinstance(data, dict) else None
        if not isinstance(items, list) or not (
            following is None or (isinstance(following, str) and following)
        ):
            raise BackendError("the server sent malformed search results")
        # The server never sends these (docs/server.md); one that did is not trusted
        # with what vanish mode and unsending promise.
        found = [m for m in self._messages(items) if not m.deleted and m.vanish.mode == "off"]
        return SearchPage(tuple(found), following)

    # --- writing -------------------------------------------------------------------

    async def send(
        self, thread_id: str, body: str, txn_id: str, reply_to: str | None = None
    ) -> Message:
        payload: dict[str, Any] = {"body": body}
        if reply_to is not None:
            payload["reply_to"] = reply_to
        data = await self._request(
            "PUT",
            f"/v1/threads/{http.seg(thread_id)}/messages/{http.seg(txn_id)}",
            json_body=payload,
        )
        return self._convert(decode.message_from_json, data, "message")

    async def redact(self, thread_id: str, message_id: str) -> None:
        await self._request(
            "DELETE", f"/v1/threads/{http.seg(thread_id)}/messages/{http.seg(message_id)}"
        )

    async def edit(self, thread_id: str, message_id: str, body: str) -> Message:
        data = await self._request(
            "PATCH",
            f"/v1/threads/{http.seg(thread_id)}/messages/{http.seg(message_id)}",
            json_body={"body": body},
        )
        return self._convert(decode.message_from_json, data, "message")

    async def set_typing(self, thread_id: str, typing: bool, timeout_ms: int) -> None:
        payload: dict[str, Any] = {"typing": typing}
        if typing:
            payload["timeout_ms"] = timeout_ms
        await self._request("PUT", f"/v1/threads/{http.seg(thread_id)}/typing", json_body=payload)

    async def mark_read(self, thread_id: str, message_id: str) -> None:
        await self._request(
            "POST", f"/v1/threads/{http.seg(thread_id)}/read", json_body={"message_id": message_id}
        )

    async def expire(self, thread_id: str, message_id: str) -> None:
        """Delete our message as expired: recipients keep theirs until their own timer."""
        await self._request(
            "DELETE",
            f"/v1/threads/{http.seg(thread_id)}/messages/{http.seg(message_id)}",
            params={"expired": "true"},
        )

    async def react(self, thread_id: str, message_id: str, emoji: str) -> None:
        await self._request("PUT", http.reaction_path(thread_id, message_id, emoji))

    async def unreact(self, thread_id: str, message_id: str, emoji: str) -> None:
        await self._request("DELETE", http.reaction_path(thread_id, message_id, emoji))

    async def set_theme(self, thread_id: str, theme: dict | None) -> Thread:
        data = await self._request(
            "PUT", f"/v1/threads/{http.seg(thread_id)}/theme", json_body=dict(theme or {})
        )
        return self._convert(decode.thread_from_json, data, "thread")

    async def set_vanish(self, thread_id: str, setting: VanishSetting) -> Thread:
        data = await self._request(
            "PUT", f"/v1/threads/{http.seg(thread_id)}/vanish", json_body=setting.to_json()
        )
        return self._convert(decode.thread_from_json, data, "thread")

    async def create_thread(self, members: Sequence[str], title: str | None = None) -> Thread:
        payload: dict[str, Any] = {"members": list(members)}
        if title:
            payload["title"] = title
        data = await self._request("POST", "/v1/threads", json_body=payload)
        return self._convert(decode.thread_from_json, data, "thread")

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

    def _changed(
        self, state: ConnectionState, detail: str = "", *, signed_out: bool = False
    ) -> ConnectionChanged:
        return ConnectionChanged(self.account_id, state, detail, signed_out=signed_out)

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
                reason = f"{self.where or 'the server'} closed the connection"
            except (AuthError, PermissionDeniedError) as err:
                # Retrying cannot fix a refused token: the user has to log in again.
                put(
                    self._changed(
                        ConnectionState.ERROR, str(err), signed_out=isinstance(err, AuthError)
                    )
                )
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
            await self.reconnect_wait.reconnect_after(delay, self.account_id, reason, put)

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
                    timeout=http.timeout_of(http.STREAM_TIMEOUT),
                ) as response,
            ):
                if response.status_code >= 400:
                    await response.aread()
                    raise http.http_error(response)
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
            raise http.transport_error(err, client.base_url, self.where) from err

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
        except decode.MalformedData as err:
            log.warning("%s: skipping a malformed %r event: %s", self.account_id, sse.event, err)
        except Exception:  # a shape the checks above missed: still only this event is lost
            log.exception("%s: skipping an event that could not be read", self.account_id)
        return None

    def _event_from_json(self, kind: str, data: Any, cursor: str | None) -> Event | None:
        """The server names each event's kind in the SSE ``event:`` field."""
        account_id = self.account_id
        if kind == "hello":
            return None  # "the stream starts here": its id already moved the cursor
        me = self.username
        if kind == "message":
            return MessageReceived(decode.message_from_json(account_id, data, me), cursor)
        if kind == "thread":
            return ThreadUpdated(decode.thread_from_json(account_id, data, me), cursor)
        if kind == "redaction":
            return decode.redaction(account_id, data, cursor)
        if kind == "read":
            return decode.read_marker(account_id, data, cursor)
        if kind == "typing":
            # Ephemeral: it has no id of its own (sse.id is the previous event's).
            return decode.typing(account_id, data)
        # Kinds from a newer server: skipping them is safe. (Reactions and edits come
        # as "message" events carrying the message as it is now.)
        log.debug("%s: ignoring an event of unknown kind %r", account_id, kind)
        return None
