"""The ``matrix`` backend: a Matrix account through the client-server API v3.

Plain httpx, no Matrix SDK: chatui needs a small, well-understood slice of the
API (password login, /sync, /messages, send, redact, reactions, receipts,
createRoom, invites, state events), and keeping it in a few hundred lines keeps
every request visible and testable against a real Synapse.

Mapping (see docs/matrix.md for the whole table):

* account -> one Matrix user; ``Identity.username`` is the full user id
  (``@alice:example.org``), because message senders are user ids too;
* thread -> a room we joined (or are invited to: ``Thread.membership``);
* message id -> event id; ``txn_id`` -> the transaction id of
  ``PUT /rooms/{id}/send/m.room.message/{txnId}``, which the homeserver
  de-duplicates per device, so a retried send never posts twice;
* the live stream -> /sync long-polling; its ``next_batch`` token is the cursor.

Encryption (E2EE) is not implemented: encrypted events show a placeholder line,
and sending into an encrypted room is refused rather than leaking plain text.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, ClassVar

from chatui.backends.base import (
    AuthError,
    Backend,
    BackendError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    UnavailableError,
    UnsupportedError,
)
from chatui.backends.matrix.convert import (
    EXPIRED_REASON,
    THEME_EVENT,
    VANISH_EVENT,
    VANISH_FIELD,
    annotation,
    edit_target,
    event_to_message,
    mentioned_ids,
    vanish_from,
)
from chatui.backends.matrix.http import MatrixHTTP, seg
from chatui.backends.matrix.rooms import Member, full_user_id
from chatui.backends.matrix.search import is_line, read_search, search_request
from chatui.backends.matrix.sync import SyncProcessor, history_filter, sync_filter
from chatui.backends.retry import RetryPolicy
from chatui.backends.streaming import END, events_from_task
from chatui.core.clock import now_ms
from chatui.core.fold import matches, terms
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
    SearchPage,
    Thread,
    VanishSetting,
)

log = logging.getLogger(__name__)

DEVICE_NAME = "chatui"


class MatrixBackend(Backend):
    """One Matrix account on one homeserver."""

    kind: ClassVar[str] = "matrix"

    sync_timeout_ms: int = 30_000
    """How long one /sync may wait on the server for something to happen."""
    timeline_limit: int = 50
    """Events per room in one live /sync; a longer gap is filled through /messages."""
    snapshot_timeline_limit: int = 20
    """Events per room in the first sync (enough to find a preview line mostly)."""
    max_gap_events: int = 2_000
    """At most this many missed events per room are fetched when a timeline is
    ``limited``; older ones stay reachable by scrolling back (history)."""
    gap_page: int = 100
    suspect_token_after: int = 3
    """Internal errors (HTTP 500) in a row for one since token before a fresh sync
    is tried, to see whether the token is what the server cannot handle."""
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    healthy_after: float = 20.0

    def __init__(self, account: AccountConfig) -> None:
        super().__init__(account)
        self.http = MatrixHTTP(account.server)
        self.user_id: str | None = None
        self.device_id: str | None = None
        self._state: SyncProcessor | None = None
        self._since_hint: str | None = None  # next_batch of the snapshot threads() took
        self._live = False  # a stream is running and caught up: the cache is current
        self._streams: set[asyncio.Task] = set()
        self._queues: list[asyncio.Queue] = []
        self._closed = False
        # (room id, event id) -> the /messages token for the events before it
        self._page_tokens: OrderedDict[tuple[str, str], str | None] = OrderedDict()
        # (room id, event id) -> the /messages token for the events after it
        self._newer_tokens: OrderedDict[tuple[str, str], str] = OrderedDict()

    # --- session -----------------------------------------------------------------------

    async def login(self, username: str, password: str) -> Credentials:
        data = await self.http.call(
            "POST",
            "/login",
            auth=False,
            json_body={
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": username},
                "password": password,
                "initial_device_display_name": DEVICE_NAME,
            },
        )
        token, user_id = data.get("access_token"), data.get("user_id")
        if not isinstance(token, str) or not token or not isinstance(user_id, str):
            raise BackendError("the homeserver sent a malformed login answer")
        self.http.token = token
        self._set_user(user_id)
        device = data.get("device_id")
        self.device_id = device if isinstance(device, str) else None
        return Credentials(user_id=user_id, username=user_id, token=token)

    async def restore(self, token: str) -> Identity:
        self.http.token = token
        data = await self.http.call("GET", "/account/whoami")
        user_id = data.get("user_id")
        if not isinstance(user_id, str) or not user_id:
            raise BackendError("the homeserver sent a malformed whoami answer")
        self._set_user(user_id)
        device = data.get("device_id")
        self.device_id = device if isinstance(device, str) else None
        return Identity(user_id=user_id, username=user_id)

    def _set_user(self, user_id: str) -> None:
        if self.user_id != user_id:
            self.user_id = user_id
            self._state = None

    async def logout(self) -> None:
        """Sign this device out on the homeserver (best effort: errors are only logged)."""
        if not self.http.token:
            return
        try:
            await self.http.call("POST", "/logout", timeout=10.0)
        except BackendError as err:
            log.info("%s: logout failed: %s", self.account_id, err)
        self.http.token = None

    async def close(self) -> None:
        self._closed = True
        self._live = False
        tasks = list(self._streams)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for queue in self._queues:
            queue.put_nowait(END)
        await self.http.aclose()

    # --- plumbing ----------------------------------------------------------------------

    def _me(self) -> str:
        if self.user_id is None:
            raise AuthError("not logged in to this Matrix account")
        return self.user_id

    def _processor(self) -> SyncProcessor:
        if self._state is None:
            self._state = SyncProcessor(self.account_id, self._me())
        return self._state

    async def _sync(
        self, since: str | None, *, timeout_ms: int, limit: int, full_state: bool = False
    ) -> Mapping[str, Any]:
        params: dict[str, str] = {
            "filter": json.dumps(sync_filter(limit), separators=(",", ":")),
            "timeout": str(timeout_ms),
        }
        if since is not None:
            params["since"] = since
        elif timeout_ms == 0:
            # Synapse keeps each /sync answer for two minutes, for a retry with the very
            # same parameters: a first sync repeated within that time (a quick restart)
            # would get the previous run's stale list. A first sync is answered at once
            # whatever its timeout, so a varying one costs nothing and avoids that.
            params["timeout"] = str(random.randint(1, 999))
        if full_state:
            params["full_state"] = "true"
        # The server holds the request up to timeout_ms; give it a margin on top.
        return await self.http.call("GET", "/sync", params=params, timeout=timeout_ms / 1000 + 30.0)

    async def _fill_gaps(
        self, response: Mapping[str, Any], since: str
    ) -> tuple[dict[str, list], dict[str, list]]:
        """For each ``limited`` timeline, the missed events back to ``since``.

        /messages is paged backwards from the timeline's ``prev_batch`` and stopped
        at ``to=since``: exactly the events between the last sync and this one.
        """
        fills: dict[str, list] = {}
        members: dict[str, list] = {}
        rooms = response.get("rooms")
        joined = rooms.get("join") if isinstance(rooms, Mapping) else None
        if not isinstance(joined, Mapping):
            return fills, members
        for room_id, data in joined.items():
            timeline = data.get("timeline") if isinstance(data, Mapping) else None
            if not isinstance(timeline, Mapping) or not timeline.get("limited"):
                continue
            token = timeline.get("prev_batch")
            if not isinstance(token, str):
                continue
            newest_first: list = []
            room_members: list = []
            seen: set[str] = set()
            while len(newest_first) < self.max_gap_events:
                page = await self.http.call(
                    "GET",
                    f"/rooms/{seg(room_id)}/messages",
                    params={
                        "dir": "b",
                        "from": token,
                        "to": since,
                        "limit": str(min(self.gap_page, self.max_gap_events - len(newest_first))),
                        "filter": json.dumps({"lazy_load_members": True}),
                    },
                )
                chunk = page.get("chunk")
                if not isinstance(chunk, list) or not chunk:
                    break
                for event in chunk:
                    event_id = event.get("event_id") if isinstance(event, Mapping) else None
                    if isinstance(event_id, str) and event_id not in seen:
                        seen.add(event_id)
                        newest_first.append(event)
                state = page.get("state")
                if isinstance(state, list):
                    room_members.extend(e for e in state if isinstance(e, Mapping))
                end = page.get("end")
                if not isinstance(end, str) or end == token:
                    break
                token = end
            if newest_first:
                fills[room_id] = list(reversed(newest_first))
                members[room_id] = room_members
                log.info("%s: filled a gap of %d events", self.account_id, len(newest_first))
        return fills, members

    # --- the live stream ---------------------------------------------------------------

    async def events(self, since: str | None = None) -> AsyncIterator[Event]:
        """/sync long-polling until close(); resumable from any cursor it yielded.

        Within one /sync answer only the *last* event carries the cursor (its
        ``next_batch``): a consumer that saves cursors and stops half-way through an
        answer resumes before it, never after events it has not applied. The
        CONNECTED event carries the position the stream (re)started from, so even
        a session in which nothing happened leaves a cursor to resume from.

        A ``since`` the homeserver cannot use is dropped: the stream starts afresh
        and says so with :class:`HistoryReset` (docs/matrix.md has what Synapse
        answers to which token).
        """
        if self._closed:
            return
        async for item in events_from_task(
            lambda put: self._run_stream(since, put),
            self._streams,
            name=f"sync:{self.account_id}",
            queues=self._queues,
        ):
            yield item

    def _changed(
        self, state: ConnectionState, detail: str = "", *, signed_out: bool = False
    ) -> ConnectionChanged:
        return ConnectionChanged(self.account_id, state, detail, signed_out=signed_out)

    async def _run_stream(self, since: str | None, put: Callable[[Any], None]) -> None:
        try:
            await self._sync_loop(since, put)
        except asyncio.CancelledError:
            raise
        except Exception as err:  # a bug must still show as a state, not as silence
            log.exception("%s: the sync loop failed", self.account_id)
            put(self._changed(ConnectionState.ERROR, f"the live connection failed: {err}"))
        finally:
            self._live = False

    async def _sync_loop(self, since: str | None, put: Callable[[Any], None]) -> None:
        put(self._changed(ConnectionState.CONNECTING))
        token = since
        announced = False
        if token is None and self._since_hint is not None and self._state is not None:
            # threads() just took a snapshot: carry on from exactly there, so nothing
            # between that list and this stream is lost, and nothing is repeated.
            token, self._since_hint = self._since_hint, None
            self._state.mark_announced()
            announced = True
        connected = False
        failures = 0
        connected_at: float | None = None
        first = True
        reset_reason: str | None = None  # the server refused our token: say so once
        internal_errors = 0  # HTTP 500s in a row for the same since token
        # While a fresh sync tests whether the token is what makes the server fail:
        # what to go back to if the fresh sync fails as well.
        suspect: tuple[str, SyncProcessor | None, bool] | None = None
        while not self._closed:
            retry_after: float | None = None
            try:
                state = self._processor()
                # Without a picture of the rooms (a fresh backend resuming from a saved
                # token), ask for their full state along with what happened since.
                full_state = token is not None and not state.ready
                response = await self._sync(
                    token,
                    timeout_ms=0 if first else self.sync_timeout_ms,
                    limit=self.snapshot_timeline_limit if token is None else self.timeline_limit,
                    full_state=full_state,
                )
                fills, members = (
                    ({}, {}) if token is None else await self._fill_gaps(response, token)
                )
                next_batch = response.get("next_batch")
                if not isinstance(next_batch, str):
                    raise BackendError("the homeserver sent a sync answer without next_batch")
                batch: list[Event]
                if token is None:
                    # A first sync: the present state of every room, not a replay of
                    # old messages (history() serves those when a thread is opened).
                    state.process(response, emit=False)
                    batch = state.announce_all()
                    announced = True
                else:
                    batch = state.process(response, fills=fills, fill_members=members)
                    if not announced:
                        # Rooms this answer did not mention still exist: say so once.
                        batch = [*state.announce_missing(), *batch]
                        announced = True
                state.ready = True
            except (AuthError, PermissionDeniedError) as err:
                put(
                    self._changed(
                        ConnectionState.ERROR, str(err), signed_out=isinstance(err, AuthError)
                    )
                )
                return
            except (BadRequestError, NotFoundError) as err:
                reason = str(err)
                if token is not None:
                    # A since token the server does not know (Synapse: 400 M_UNKNOWN
                    # "Invalid stream token"). Retrying it would never work: drop it,
                    # start afresh at once with a new picture of the rooms (one left
                    # meanwhile must go), and tell the Session (HistoryReset) so that
                    # it refetches what it holds, once the new sync says where "now" is.
                    log.warning(
                        "%s: sync token refused (%s); starting afresh", self.account_id, err
                    )
                    reset_reason, token = reason, None
                    self._state, announced, first = None, False, True
                    continue
            except UnavailableError as err:
                reason = str(err)
                retry_after = err.retry_after
                if suspect is None and token is not None and err.status == 500:
                    internal_errors += 1
                    if internal_errors >= self.suspect_token_after:
                        # Synapse answers 500, not 400, to some tokens it cannot read
                        # (a /messages token, say). After a few in a row, try a fresh
                        # sync at once: if that works, the token was the problem.
                        log.warning(
                            "%s: sync keeps failing (%s); trying without the token",
                            self.account_id,
                            err,
                        )
                        suspect, internal_errors = (token, self._state, announced), 0
                        reset_reason, token = reason, None
                        self._state, announced, first = None, False, True
                        continue
            except BackendError as err:
                reason = str(err)
            else:
                first = False
                internal_errors, suspect = 0, None
                if not connected:
                    connected, connected_at = True, time.monotonic()
                    self._live = True
                    # Its cursor is where this answer started from: resuming there
                    # replays nothing the consumer has applied and misses nothing.
                    put(replace(self._changed(ConnectionState.CONNECTED), cursor=token))
                if reset_reason is not None:
                    put(HistoryReset(self.account_id, reset_reason, next_batch))
                    reset_reason = None
                if batch:
                    last = batch[-1]
                    batch[-1] = replace(last, cursor=next_batch)
                for event in batch:
                    put(event)
                token = next_batch
                continue
            if self._closed:
                return
            if suspect is not None:
                # The fresh sync failed too: the server is at fault, not our token.
                (token, self._state, announced), suspect, reset_reason = suspect, None, None
            self._live = False
            first = True
            if connected:
                connected = False
                up_for = time.monotonic() - (connected_at or time.monotonic())
                if up_for >= self.healthy_after:
                    failures = 0
            failures += 1
            delay = RetryPolicy(self.backoff_base, self.backoff_cap).delay(failures, retry_after)
            await self.reconnect_wait.reconnect_after(delay, self.account_id, reason, put)

    # --- reading -----------------------------------------------------------------------

    async def threads(self) -> list[Thread]:
        state = self._state
        if self._live and state is not None and state.ready:
            return state.threads()  # the running stream keeps this current
        state = self._processor()
        response = await self._sync(None, timeout_ms=0, limit=self.snapshot_timeline_limit)
        state.process(response, emit=False)
        state.ready = True
        next_batch = response.get("next_batch")
        self._since_hint = next_batch if isinstance(next_batch, str) else None
        await self._fill_previews(state, _limited_rooms(response))
        return state.threads()

    async def _fill_previews(self, state: SyncProcessor, limited: set[str]) -> None:
        """A preview line for rooms whose last few events held no message.

        Only rooms whose timeline was cut short (``limited``) can hide an older one.
        """
        rooms = [
            r
            for r in state.rooms.values()
            if r.membership == "join" and r.last_message is None and r.room_id in limited
        ]
        limiter = asyncio.Semaphore(8)

        async def one(room_id: str) -> None:
            async with limiter:
                try:
                    page = await self.history(room_id, limit=1)
                except BackendError as err:
                    log.info("%s: no preview for a room: %s", self.account_id, err)
                    return
            if page:
                state.room(room_id).note_message(page[-1])

        await asyncio.gather(*(one(r.room_id) for r in rooms[:200]))

    async def history(
        self, thread_id: str, before: str | None = None, limit: int = 50
    ) -> list[Message]:
        state = self._processor()
        token: str | None = None
        if before is not None:
            key = (thread_id, before)
            if key in self._page_tokens:
                token = self._page_tokens[key]
                if token is None:
                    return []  # we already reached the start of this room
            else:
                context = await self.http.call(
                    "GET",
                    f"/rooms/{seg(thread_id)}/context/{seg(before)}",
                    params={"limit": "0"},
                )
                start = context.get("start")
                if not isinstance(start, str):
                    return []
                token = start
        collected: list[Message] = []
        end: str | None = token
        for _ in range(50):  # bounded: reactions and edits take room in pages too
            want = limit - len(collected)
            if want <= 0:
                break
            params = {
                "dir": "b",
                "limit": str(max(1, min(want, 100))),
                "filter": json.dumps(history_filter(), separators=(",", ":")),
            }
            if end is not None:
                params["from"] = end
            page = await self.http.call("GET", f"/rooms/{seg(thread_id)}/messages", params=params)
            chunk = page.get("chunk")
            chunk = [e for e in chunk if isinstance(e, Mapping)] if isinstance(chunk, list) else []
            state_events = page.get("state")
            members = (
                [e for e in state_events if isinstance(e, Mapping)]
                if isinstance(state_events, list)
                else []
            )
            messages = state.history_page(thread_id, chunk, members)
            collected = messages + collected
            next_end = page.get("end")
            if not chunk or not isinstance(next_end, str):
                end = None
                break
            end = next_end
        if collected:
            self._remember_token(thread_id, collected[0].message_id, end)
        return collected

    def _remember_token(self, room_id: str, event_id: str, token: str | None) -> None:
        self._page_tokens[(room_id, event_id)] = token
        self._page_tokens.move_to_end((room_id, event_id))
        while len(self._page_tokens) > 2_000:
            self._page_tokens.popitem(last=False)

    def _remember_newer(self, room_id: str, event_id: str, token: str) -> None:
        self._newer_tokens[(room_id, event_id)] = token
        self._newer_tokens.move_to_end((room_id, event_id))
        while len(self._newer_tokens) > 2_000:
            self._newer_tokens.popitem(last=False)

    async def _context(self, room_id: str, event_id: str) -> Mapping[str, Any]:
        """``/context`` of one event without its neighbours: the event, the tokens
        to page from it both ways, and (lazily loaded) who sent it."""
        context = await self.http.call(
            "GET",
            f"/rooms/{seg(room_id)}/context/{seg(event_id)}",
            params={"limit": "0", "filter": json.dumps({"lazy_load_members": True})},
        )
        if not isinstance(context.get("event"), Mapping):
            raise BackendError("the homeserver sent a malformed context answer")
        return context

    async def _collect(
        self, room_id: str, token: str | None, direction: str, lines: int
    ) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]], str | None, bool]:
        """Events from ``token`` in ``direction`` ("b" older, "f" newer) until they
        hold ``lines`` lines of history (reactions and edits come along).

        Returns the events in the order they came, the member events that came
        with them, the token to go on from, and whether the room ended that way.
        Converting happens once, after all pages are in, so that a reaction or an
        edit in a later page still reaches its message.
        """
        events: list[Mapping[str, Any]] = []
        members: list[Mapping[str, Any]] = []
        if token is None:  # the server gave no token that way: nothing lies there
            return events, members, None, True
        counted = 0
        for _ in range(50):  # bounded, as history() is
            if counted >= lines:
                break
            page = await self.http.call(
                "GET",
                f"/rooms/{seg(room_id)}/messages",
                params={
                    "dir": direction,
                    "from": token,
                    "limit": str(max(1, min(lines - counted, 100))),
                    "filter": json.dumps(history_filter(), separators=(",", ":")),
                },
            )
            chunk = page.get("chunk")
            chunk = [e for e in chunk if isinstance(e, Mapping)] if isinstance(chunk, list) else []
            state = page.get("state")
            if isinstance(state, list):
                members.extend(e for e in state if isinstance(e, Mapping))
            events.extend(chunk)
            counted += sum(1 for e in chunk if is_line(e))
            following = page.get("end")
            if not chunk or not isinstance(following, str):
                return events, members, None, True
            token = following
        return events, members, token, False

    async def history_after(self, thread_id: str, after: str, limit: int = 50) -> list[Message]:
        """``/messages`` forwards from the token remembered for ``after`` (or from
        its ``/context``). The live end is never final: more may come, so reaching
        it remembers nothing and the next call asks again."""
        token = self._newer_tokens.get((thread_id, after))
        if token is None:
            end = (await self._context(thread_id, after)).get("end")
            if not isinstance(end, str):
                return []
            token = end
        events, members, following, _ = await self._collect(thread_id, token, "f", limit)
        messages = self._processor().history_page(thread_id, events[::-1], members)
        if messages and following is not None:
            self._remember_newer(thread_id, messages[-1].message_id, following)
        return messages

    async def history_around(
        self, thread_id: str, message_id: str, limit: int = 50
    ) -> HistoryWindow:
        """``/context`` for the message and the tokens on both sides, then
        ``/messages`` each way: the newer side first, so that the reactions and edits
        it holds are counted before the message and the older side are built; a side
        that ends early leaves its room to the other."""
        context = await self._context(thread_id, message_id)
        start, end = context.get("start"), context.get("end")
        anchor: Mapping[str, Any] = context["event"]
        members = [e for e in context.get("state") or () if isinstance(e, Mapping)]
        room = max(0, limit - is_line(anchor))
        newer, newer_members, newer_token, newest = await self._collect(
            thread_id, end if isinstance(end, str) else None, "f", room - room // 2
        )
        got_newer = sum(1 for e in newer if is_line(e))
        older, older_members, older_token, oldest = await self._collect(
            thread_id, start if isinstance(start, str) else None, "b", room - got_newer
        )
        if not isinstance(start, str):
            oldest = True
        short = room - got_newer - sum(1 for e in older if is_line(e))
        if short > 0 and oldest and not newest:
            # The room starts close by: the newer side takes the room left over.
            more, more_members, newer_token, newest = await self._collect(
                thread_id, newer_token, "f", short
            )
            newer, newer_members = [*newer, *more], [*newer_members, *more_members]
        # The message opened at shows all its reactions; its neighbours those sent
        # within what was read here or heard live (one request, not one each).
        await self._tally_reactions(thread_id, message_id)
        state = self._processor()
        messages = state.history_page(
            thread_id,
            [*newer[::-1], anchor, *older],
            [*members, *newer_members, *older_members],
        )
        if not messages:
            return HistoryWindow(message_id)
        first, last = messages[0].message_id, messages[-1].message_id
        self._remember_token(thread_id, first, None if oldest else older_token)
        if newer_token is not None:
            self._remember_newer(thread_id, last, newer_token)
        return HistoryWindow(
            message_id, tuple(messages), None if oldest else first, None if newest else last
        )

    async def search(
        self, query_text: str, limit: int = 20, cursor: str | None = None
    ) -> SearchPage:
        """``POST /search`` over message bodies, newest first (chatui/backends/matrix/search.py).

        Each hit goes through the conversion every event goes through. An edit that
        matched stands for the message it edits (fetched with its newest edit); a
        message whose edit took the words away is not a match; a redacted message,
        one sent to vanish, or any of a room whose vanish mode is on is left out.
        """
        wanted = terms(query_text)
        if not wanted:
            raise BadRequestError("give at least one word to search for")
        data = await self.http.call(
            "POST",
            "/search",
            json_body=search_request(query_text, limit),
            params={"next_batch": cursor} if cursor is not None else None,
        )
        hits, following = read_search(data)
        state = self._processor()
        found: dict[str, Message] = {}
        vanishing: dict[str, bool] = {}
        for room_id, event in hits:
            try:
                message = await self._hit(state, room_id, event)
            except (NotFoundError, PermissionDeniedError):
                continue  # an edited message we may not see (any more)
            except BackendError:
                raise
            except Exception:  # one result the checks missed: only it is lost
                log.exception(
                    "%s: skipping a search result that could not be read", self.account_id
                )
                continue
            if message is None or message.message_id in found or message.deleted:
                continue
            if message.edited and not matches(message.body, wanted):
                continue  # only its old text held the words
            if message.vanish.mode != "off":
                continue
            if room_id not in vanishing:
                vanishing[room_id] = await self._vanishing(room_id)
            if not vanishing[room_id]:
                found[message.message_id] = message
        return SearchPage(tuple(found.values()), following)

    async def _hit(
        self, state: SyncProcessor, room_id: str, event: Mapping[str, Any]
    ) -> Message | None:
        """One search hit as the message it is about (an edit: the edited message)."""
        target = edit_target(event)
        if target is None:
            return state.found_message(room_id, event)
        held = state.messages.get(target)
        if held is not None:
            return held
        original = await self.http.call("GET", f"/rooms/{seg(room_id)}/event/{seg(target)}")
        return state.found_message(room_id, original)

    async def _vanishing(self, room_id: str) -> bool:
        """Whether the room's vanish mode is on (or cannot be read: then nothing of
        it is shown); from the picture sync keeps, else from the room's state."""
        state = self._processor()
        room = state.rooms.get(room_id)
        if room is not None and state.ready:
            return room.vanish.mode != "off"
        try:
            content = await self.http.call(
                "GET", f"/rooms/{seg(room_id)}/state/{seg(VANISH_EVENT)}/"
            )
        except NotFoundError:
            return False
        except PermissionDeniedError:
            return True
        return vanish_from(content).mode != "off"

    # --- writing -----------------------------------------------------------------------

    async def _is_encrypted(self, room_id: str) -> bool:
        state = self._processor()
        room = state.rooms.get(room_id)
        if room is not None and state.ready:
            return room.encrypted
        try:
            await self.http.call("GET", f"/rooms/{seg(room_id)}/state/m.room.encryption/")
        except NotFoundError:
            return False
        return True

    async def send(
        self, thread_id: str, body: str, txn_id: str, reply_to: str | None = None
    ) -> Message:
        me = self._me()
        if await self._is_encrypted(thread_id):
            raise UnsupportedError(
                "this Matrix room is end-to-end encrypted, and chatui cannot send "
                "encrypted messages yet"
            )
        room = self._processor().rooms.get(thread_id)
        vanish = room.vanish if room is not None else VanishSetting()
        content: dict[str, Any] = {"msgtype": "m.text", "body": body}
        mentioned = self._mentioned(thread_id, body)
        if reply_to is not None:
            # No reply fallback in the body: the spec dropped it (v1.13, MSC2781).
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
            quoted = self._processor().messages.get(reply_to)
            if quoted is not None and quoted.sender != me and quoted.sender not in mentioned:
                mentioned.append(quoted.sender)  # a reply mentions whom it answers
        # Always there, even empty: it tells other clients not to guess from the body.
        content["m.mentions"] = {"user_ids": mentioned} if mentioned else {}
        if vanish.mode != "off":
            content[VANISH_FIELD] = vanish.to_json()
        data = await self.http.call(
            "PUT",
            f"/rooms/{seg(thread_id)}/send/m.room.message/{seg(txn_id)}",
            json_body=content,
        )
        event_id = data.get("event_id")
        if not isinstance(event_id, str):
            raise BackendError("the homeserver sent a malformed answer to a send")
        name = room.display_name(me) if room is not None else me
        message = Message(
            account_id=self.account_id,
            thread_id=thread_id,
            message_id=event_id,
            sender=me,
            body=body,
            ts=now_ms(),  # the server's own time arrives with the event in /sync
            txn_id=txn_id,
            reply_to=reply_to,
            vanish=vanish,
            sender_name=name if name != me else None,
        )
        state = self._processor()
        state.messages.put(replace(message, reactions=state.annotations.reactions(event_id)))
        return message

    def _mentioned(self, room_id: str, body: str) -> list[str]:
        """Whom ``body`` calls by ``@`` among the room's members (``m.mentions``)."""
        room = self._processor().rooms.get(room_id)
        if room is None:
            return []
        members = {
            user: member.displayname
            for user, member in room.members.items()
            if member.membership in ("join", "invite")
        }
        return mentioned_ids(body, members, self._me())

    async def _original(self, room_id: str, event_id: str) -> Message:
        """The message ``event_id`` as the adapter knows it, else as the server has it."""
        state = self._processor()
        held = state.messages.get(event_id)
        if held is not None:
            return held
        event = await self.http.call("GET", f"/rooms/{seg(room_id)}/event/{seg(event_id)}")
        message = event_to_message(
            self.account_id, room_id, event, sender_name=None, reactions={}, me=self._me()
        )
        if message is None:
            raise NotFoundError("no such message")
        return message

    async def edit(self, thread_id: str, message_id: str, body: str) -> Message:
        """``m.replace``: the new text in ``m.new_content``, and ``* new text`` as the
        body, for clients that do not know edits. Only the sender's edits count
        (other clients ignore anyone else's), so only our own are sent."""
        me = self._me()
        if await self._is_encrypted(thread_id):
            raise UnsupportedError(
                "this Matrix room is end-to-end encrypted, and chatui cannot send "
                "encrypted messages yet"
            )
        original = await self._original(thread_id, message_id)
        if original.sender != me:
            raise PermissionDeniedError("only the sender may edit a message")
        if original.deleted:
            raise NotFoundError("this message was deleted")
        if original.kind != "text":
            raise PermissionDeniedError("only text messages can be edited")
        mentioned = self._mentioned(thread_id, body)
        already = set(self._mentioned(thread_id, original.body))
        new_content: dict[str, Any] = {
            "msgtype": "m.text",
            "body": body,
            "m.mentions": {"user_ids": mentioned} if mentioned else {},
        }
        newly = [user for user in mentioned if user not in already]
        content: dict[str, Any] = {
            "msgtype": "m.text",
            "body": f"* {body}",
            "m.new_content": new_content,
            "m.relates_to": {"rel_type": "m.replace", "event_id": message_id},
            # Only those the edit newly mentions, so that nobody is notified twice.
            "m.mentions": {"user_ids": newly} if newly else {},
        }
        await self.http.call(
            "PUT",
            f"/rooms/{seg(thread_id)}/send/m.room.message/{uuid.uuid4().hex}",
            json_body=content,
        )
        edited = replace(original, body=body, edited_ts=now_ms(), mentions_me=False)
        self._processor().messages.put(edited)
        return edited

    async def set_typing(self, thread_id: str, typing: bool, timeout_ms: int) -> None:
        body: dict[str, Any] = {"typing": typing}
        if typing:
            body["timeout"] = timeout_ms
        await self.http.call(
            "PUT", f"/rooms/{seg(thread_id)}/typing/{seg(self._me())}", json_body=body
        )

    async def redact(self, thread_id: str, message_id: str) -> None:
        await self.http.call(
            "PUT",
            f"/rooms/{seg(thread_id)}/redact/{seg(message_id)}/{uuid.uuid4().hex}",
            json_body={},
        )

    async def expire(self, thread_id: str, message_id: str) -> None:
        """Redact with the reason ``chat.chatui.expired``: other chatui clients then
        keep their copy until their own timer ends (``MessageRedacted.expired``)."""
        await self.http.call(
            "PUT",
            f"/rooms/{seg(thread_id)}/redact/{seg(message_id)}/{uuid.uuid4().hex}",
            json_body={"reason": EXPIRED_REASON},
        )

    async def react(self, thread_id: str, message_id: str, emoji: str) -> None:
        me = self._me()
        try:
            data = await self.http.call(
                "PUT",
                f"/rooms/{seg(thread_id)}/send/m.reaction/{uuid.uuid4().hex}",
                json_body={
                    "m.relates_to": {
                        "rel_type": "m.annotation",
                        "event_id": message_id,
                        "key": emoji,
                    }
                },
            )
        except BadRequestError as err:
            if err.code == "M_DUPLICATE_ANNOTATION":
                return  # we had already reacted with this emoji: nothing to do
            raise
        event_id = data.get("event_id")
        if isinstance(event_id, str):
            self._processor().annotations.add(event_id, message_id, emoji, me)

    async def unreact(self, thread_id: str, message_id: str, emoji: str) -> None:
        me = self._me()
        state = self._processor()
        reaction_id = state.annotations.find(message_id, emoji, me)
        if reaction_id is None:
            reaction_id = await self._find_reaction(thread_id, message_id, emoji, me)
        if reaction_id is None:
            return  # no such reaction of ours: already gone
        await self.redact(thread_id, reaction_id)
        state.forget_reaction(reaction_id)

    async def _find_reaction(self, room_id: str, target: str, emoji: str, me: str) -> str | None:
        for event in await self._reactions_to(room_id, target):
            if event.get("sender") != me:
                continue
            content = event.get("content")
            rel = content.get("m.relates_to") if isinstance(content, Mapping) else None
            if isinstance(rel, Mapping) and rel.get("key") == emoji:
                event_id = event.get("event_id")
                if isinstance(event_id, str):
                    return event_id
        return None

    async def _reactions_to(self, room_id: str, target: str) -> list[Mapping[str, Any]]:
        """The reaction events on ``target`` (``/relations``), oldest first."""
        found: list[Mapping[str, Any]] = []
        token: str | None = None
        for _ in range(20):
            params = {"limit": "100", "dir": "f"}
            if token:
                params["from"] = token
            data = await self.http.call(
                "GET",
                f"/rooms/{seg(room_id)}/relations/{seg(target)}/m.annotation/m.reaction",
                params=params,
                prefix="/_matrix/client/v1",
            )
            chunk = data.get("chunk")
            found += [e for e in chunk if isinstance(e, Mapping)] if isinstance(chunk, list) else []
            token = data.get("next_batch")
            if not isinstance(token, str):
                break
        return found

    async def _tally_reactions(self, room_id: str, target: str) -> None:
        """Count every reaction ``target`` has, wherever in the room it was sent: a
        page read forward from the middle of a room holds only the reactions sent
        within it (homeservers no longer bundle them). Cosmetic: a failure is logged."""
        try:
            events = await self._reactions_to(room_id, target)
        except BackendError as err:
            log.info("%s: no reactions for a message: %s", self.account_id, err)
            return
        annotations = self._processor().annotations
        for event in events:
            reacted = annotation(event)
            event_id, sender = event.get("event_id"), event.get("sender")
            if reacted is not None and isinstance(event_id, str) and isinstance(sender, str):
                annotations.add(event_id, reacted[0], reacted[1], sender)

    async def mark_read(self, thread_id: str, message_id: str) -> None:
        if message_id.startswith("~"):
            return  # a local echo the server has not accepted: nothing to point at
        await self.http.call(
            "POST",
            f"/rooms/{seg(thread_id)}/read_markers",
            json_body={"m.fully_read": message_id, "m.read": message_id},
        )
        room = self._processor().rooms.get(thread_id)
        if room is not None:
            room.mark_read()

    async def create_thread(self, members: Sequence[str], title: str | None = None) -> Thread:
        me = self._me()
        invite = list(dict.fromkeys(full_user_id(m, me) for m in members if m.strip()))
        invite = [u for u in invite if u != me]
        if not invite:
            raise BadRequestError("name at least one other person to start a conversation")
        direct = len(invite) == 1
        body: dict[str, Any] = {
            "preset": "trusted_private_chat" if direct else "private_chat",
            "is_direct": direct,
            "invite": invite,
            # Every member may change chatui's shared theme and vanish setting, as
            # in chatui's own server (Matrix's default needs power level 50).
            "power_level_content_override": {"events": {THEME_EVENT: 0, VANISH_EVENT: 0}},
        }
        if title:
            body["name"] = title
        data = await self.http.call("POST", "/createRoom", json_body=body)
        room_id = data.get("room_id")
        if not isinstance(room_id, str):
            raise BackendError("the homeserver sent a malformed answer to createRoom")
        state = self._processor()
        room = state.room(room_id)
        room.membership = "join"
        room.name = title or None
        room.created_ts = now_ms()
        room.members[me] = room.members.get(me) or Member("join")
        for user in invite:
            room.members[user] = room.members.get(user) or Member("invite")
        if direct:
            await self._add_direct(invite[0], room_id)
        return state.thread(room)

    async def _add_direct(self, user: str, room_id: str) -> None:
        """Record a DM in ``m.direct``, so every client of ours shows it as one."""
        me = self._me()
        path = f"/user/{seg(me)}/account_data/m.direct"
        try:
            current = await self.http.call("GET", path)
        except NotFoundError:
            current = {}
        content = {
            k: [r for r in v if isinstance(r, str)]
            for k, v in current.items()
            if isinstance(k, str) and isinstance(v, list)
        }
        rooms = content.setdefault(user, [])
        if room_id not in rooms:
            rooms.append(room_id)
        try:
            await self.http.call("PUT", path, json_body=content)
        except BackendError as err:  # cosmetic: the room works without it
            log.info("%s: could not update m.direct: %s", self.account_id, err)
            return
        state = self._processor()
        state.direct[room_id] = user
        state.direct_content = content

    async def accept_invite(self, thread_id: str) -> Thread:
        await self.http.call("POST", f"/rooms/{seg(thread_id)}/join", json_body={})
        state = self._processor()
        room = state.room(thread_id)
        room.membership = "join"
        if room.invite_direct and room.inviter:
            await self._add_direct(room.inviter, thread_id)
        room.members[self._me()] = Member("join")
        return state.thread(room)

    async def decline_invite(self, thread_id: str) -> None:
        await self.http.call("POST", f"/rooms/{seg(thread_id)}/leave", json_body={})
        room = self._processor().rooms.get(thread_id)
        if room is not None:
            room.membership = "leave"

    async def set_theme(self, thread_id: str, theme: dict) -> Thread:
        await self._put_state(thread_id, THEME_EVENT, dict(theme) if theme else {})
        state = self._processor()
        room = state.room(thread_id)
        room.apply_state({"type": THEME_EVENT, "state_key": "", "content": dict(theme or {})})
        return state.thread(room)

    async def set_vanish(self, thread_id: str, setting: VanishSetting) -> Thread:
        content = setting.to_json()
        await self._put_state(thread_id, VANISH_EVENT, content)
        state = self._processor()
        room = state.room(thread_id)
        room.apply_state({"type": VANISH_EVENT, "state_key": "", "content": content})
        return state.thread(room)

    async def _put_state(self, room_id: str, event_type: str, content: Mapping) -> None:
        await self.http.call(
            "PUT", f"/rooms/{seg(room_id)}/state/{seg(event_type)}/", json_body=dict(content)
        )


def _limited_rooms(response: Mapping[str, Any]) -> set[str]:
    rooms = response.get("rooms")
    joined = rooms.get("join") if isinstance(rooms, Mapping) else None
    if not isinstance(joined, Mapping):
        return set()
    return {
        room_id
        for room_id, data in joined.items()
        if isinstance(data, Mapping)
        and isinstance(data.get("timeline"), Mapping)
        and data["timeline"].get("limited")
    }
