"""The live demo contacts: small bots that answer the user, quoting what they answer.

Every contact logs in to its network through the real ``local`` backend and reads
its own event stream, exactly as a second chatui would. When the user writes in a
thread a contact is in, one contact of that thread answers after a short, human
pause with ``reply_to`` set and a body that quotes the user's words, so a person
trying the demo sees at once that the round trip went through a real server.

All bots run in one background thread with its own event loop: the app's loop is
never blocked by them, and stopping them is one call that joins that thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
import threading
import uuid
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rich.cells import split_graphemes

from chatui.backends.base import BackendError
from chatui.backends.local import LocalBackend
from chatui.core.models import (
    AccountConfig,
    ConnectionChanged,
    ConnectionState,
    Message,
    MessageReceived,
    ThreadUpdated,
)

log = logging.getLogger(__name__)

QUOTE_GRAPHEMES = 48
"""Longer quotes are cut (at a grapheme boundary) and end in an ellipsis."""

REPLIES: tuple[str, ...] = (
    "ha, good one!",
    "totally agree 👍",
    "let me think about that…",
    "sounds good to me!",
    "really? tell me more 👀",
    "haha, love it 😄",
    "noted! talk soon",
    "oh nice 🎉",
)


# --- what a reply says -----------------------------------------------------------------


def _graphemes(text: str) -> list[str]:
    """Split ``text`` into user-perceived characters.

    Rich's splitter keeps ZWJ sequences, skin tones and combining marks together;
    flags (two regional indicators) are paired up here, which it leaves apart.
    """
    spans, _ = split_graphemes(text)
    out: list[str] = []
    open_flag = False  # the last piece is a lone regional indicator
    for start, end, _width in spans:
        piece = text[start:end]
        if open_flag and _is_regional(piece[0]):
            out[-1] += piece
            open_flag = False
            continue
        out.append(piece)
        open_flag = len(piece) == 1 and _is_regional(piece)
    return out


def _is_regional(char: str) -> bool:
    return "\U0001f1e6" <= char <= "\U0001f1ff"


def quote(text: str, limit: int = QUOTE_GRAPHEMES) -> str:
    """``text`` on one line, cut to ``limit`` graphemes with an ellipsis if longer."""
    flat = re.sub(r"\s+", " ", text).strip()
    parts = _graphemes(flat)
    if len(parts) <= limit:
        return flat
    return "".join(parts[: limit - 1]).rstrip() + "…"


def reply_text(contact: str, message: Message) -> str:
    """What ``contact`` answers to ``message``: the quoted words, then a remark.

    The remark is picked from the message id, so the same message always gets the
    same answer (handy for screenshots), but a conversation still varies.
    """
    seed = zlib.crc32(f"{contact}:{message.message_id}".encode())
    return f"“{quote(message.body)}” — {REPLIES[seed % len(REPLIES)]}"


def responder(bots_in_thread: Iterable[str], message: Message) -> str | None:
    """The one contact who answers ``message`` in a thread with these bots.

    Every bot computes the same answer from the same facts, so exactly one of them
    replies in a group without any coordination between them.
    """
    candidates = sorted(bots_in_thread)
    if not candidates or message.kind in ("setting", "deleted"):
        # A changed setting is news about the chat, not something said to them; an
        # unsent message says nothing any more.
        return None
    return candidates[zlib.crc32(message.message_id.encode()) % len(candidates)]


# --- the bots --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContactLogin:
    """One contact's account and token: all a bot needs to go live."""

    account: AccountConfig
    token: str


@dataclass(slots=True)
class _Network:
    """What the bots of one server share: who the bots are and who is in each thread."""

    bots: frozenset[str]
    members: dict[str, tuple[str, ...]] = field(default_factory=dict)


class ContactBots:
    """Runs every demo contact in one background thread until :meth:`stop`.

    ``networks`` is one list of logins per server; contacts on the same server know
    each other as bots, so they never answer each other (two bots in a group would
    otherwise chat forever) and only one of them answers the user in a group.
    """

    def __init__(
        self,
        networks: Sequence[Sequence[ContactLogin]],
        *,
        delay: tuple[float, float] = (0.5, 1.5),
    ) -> None:
        self.networks = [list(n) for n in networks]
        self.delay = delay
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._main: asyncio.Task | None = None
        self._started = threading.Event()
        self._ready = threading.Event()
        self._connected: set[str] = set()
        self._total = sum(len(n) for n in self.networks)
        self._answering = 0
        self._heard: dict[str, int] = {}

    # --- life cycle (called from any thread) ---------------------------------------

    def start(self, ready_timeout: float = 5.0) -> ContactBots:
        """Start the bots; returns once all of them listen (or ``ready_timeout`` passed).

        Waiting matters: a message sent before a bot's stream is open would never
        be answered, since streams start "from now".
        """
        self._thread = threading.Thread(target=self._run, name="chatui-demo-contacts", daemon=True)
        self._thread.start()
        self._started.wait()
        if not self._ready.wait(ready_timeout):
            log.warning("demo contacts: not all of them are listening yet")
        return self

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    @property
    def answering(self) -> int:
        """Messages a bot is still weighing or answering: 0 once every bot is idle.

        Lets a caller (a test) tell "no second answer came" from "none came yet".
        Written only by the bot thread; an int read is atomic from any thread.
        """
        return self._answering

    def heard(self, account_id: str) -> int:
        """How many messages from people the contact ``account_id`` has read so far.

        With :attr:`answering` it tells a caller that every bot has read a message
        and is done with it, rather than guessing how long that takes.
        """
        return self._heard.get(account_id, 0)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop every bot and join the thread; safe to call twice."""
        loop, main = self._loop, self._main
        if loop is not None and main is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop finished meanwhile
                loop.call_soon_threadsafe(main.cancel)
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("demo contacts: the bot thread did not stop in %.0f s", timeout)
            self._thread = None

    def __enter__(self) -> ContactBots:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- inside the bot thread ------------------------------------------------------

    def _run(self) -> None:
        try:
            asyncio.run(self._main_task())
        except Exception:  # never let a bot failure print a traceback over the app
            log.exception("demo contacts stopped with an error")
        finally:
            self._started.set()

    async def _main_task(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._main = asyncio.current_task()
        self._started.set()
        if self._total == 0:
            self._ready.set()
        tasks = []
        for logins in self.networks:
            network = _Network(frozenset(login.account.username for login in logins))
            tasks += [asyncio.create_task(self._run_contact(network, x)) for x in logins]
        try:
            await asyncio.gather(*tasks)
        except asyncio.CancelledError:
            pass
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    def _mark_connected(self, account_id: str) -> None:
        self._connected.add(account_id)
        if len(self._connected) >= self._total:
            self._ready.set()

    async def _run_contact(self, network: _Network, login: ContactLogin) -> None:
        me = login.account.username
        backend = LocalBackend(login.account)
        replies: set[asyncio.Task] = set()
        # A message comes again when its reactions change: answer each one once.
        heard: set[str] = set()
        try:
            await backend.restore(login.token)
            async for event in backend.events():
                match event:
                    case ConnectionChanged(state=ConnectionState.CONNECTED):
                        self._mark_connected(login.account.account_id)
                    case ThreadUpdated(thread=thread):
                        network.members[thread.thread_id] = thread.members
                    case MessageReceived(message=message) if (
                        message.sender not in network.bots and message.message_id not in heard
                    ):
                        heard.add(message.message_id)
                        self._heard[login.account.account_id] = len(heard)
                        task = asyncio.create_task(
                            self._maybe_answer(backend, network, me, message)
                        )
                        replies.add(task)
                        self._answering += 1
                        task.add_done_callback(self._answered)
                        task.add_done_callback(replies.discard)
        except BackendError as err:
            log.warning("demo contact %s is offline: %s", me, err)
        finally:
            for task in list(replies):
                task.cancel()
            with contextlib.suppress(Exception):
                await backend.close()

    def _answered(self, _task: asyncio.Task) -> None:
        self._answering -= 1

    async def _maybe_answer(
        self, backend: LocalBackend, network: _Network, me: str, message: Message
    ) -> None:
        try:
            members = network.members.get(message.thread_id)
            if members is None:
                # A thread the user just started: ask the server who is in it.
                members = (await backend.thread(message.thread_id)).members
                network.members[message.thread_id] = members
            if responder(network.bots.intersection(members), message) != me:
                return
            await asyncio.sleep(random.uniform(*self.delay))
            with contextlib.suppress(BackendError):
                await backend.mark_read(message.thread_id, message.message_id)
            await backend.send(
                message.thread_id,
                reply_text(me, message),
                uuid.uuid4().hex,
                reply_to=message.message_id,
            )
        except BackendError as err:
            log.warning("demo contact %s could not answer: %s", me, err)
