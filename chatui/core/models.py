"""The pure data model shared by every layer.

Everything here is a frozen dataclass so that the UI can cache rendered lines keyed
on an object and know it cannot change underneath the cache. Backends build these
from whatever their server speaks; the UI and the Session only ever see these.

Timestamps are UTC epoch **milliseconds** (``int``), the unit the reference server
uses, so that ordering is exact and nothing depends on float rounding.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

ThreadKey = tuple[str, str]
"""(account_id, thread_id): a thread id is only unique within its account."""

_EMPTY: Mapping[str, tuple[str, ...]] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class VanishSetting:
    """A thread's disappearing-message setting (DESIGN.md §4)."""

    mode: str = "off"  # "off" | "vanish" | "timer"
    seconds: int | None = None  # only with mode == "timer"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"mode": self.mode}
        if self.mode == "timer":
            data["seconds"] = self.seconds
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> VanishSetting:
        if not data:
            return cls()
        return cls(mode=str(data.get("mode", "off")), seconds=data.get("seconds"))


VANISH_OFF = VanishSetting()


@dataclass(frozen=True, slots=True)
class Identity:
    """Who an account is logged in as on its server."""

    user_id: str
    username: str


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a successful login returns; the token goes to the token store only."""

    user_id: str
    username: str
    token: str


@dataclass(frozen=True, slots=True)
class Message:
    """One message in one thread of one account."""

    account_id: str
    thread_id: str
    message_id: str
    sender: str  # the sender's username (display form)
    body: str  # untrusted: always render through chatui.core.sanitize
    ts: int  # when the server accepted it, UTC epoch ms
    txn_id: str | None = None
    reply_to: str | None = None
    # emoji -> the users who reacted with it
    reactions: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _EMPTY)
    vanish: VanishSetting = VANISH_OFF
    pending: bool = False  # a local echo the server has not accepted yet

    @property
    def thread_key(self) -> ThreadKey:
        return (self.account_id, self.thread_id)


@dataclass(frozen=True, slots=True)
class Thread:
    """A conversation as one account sees it."""

    account_id: str
    thread_id: str
    title: str | None  # None: name it after the other members
    members: tuple[str, ...]
    last_message: Message | None = None
    unread: int = 0
    theme: Mapping[str, Any] | None = None
    vanish: VanishSetting = VANISH_OFF
    created_ts: int = 0  # UTC epoch ms

    @property
    def key(self) -> ThreadKey:
        return (self.account_id, self.thread_id)

    @property
    def activity_ts(self) -> int:
        """When anything last happened here: what the merged list sorts by."""
        if self.last_message is not None:
            return max(self.last_message.ts, self.created_ts)
        return self.created_ts

    def display_title(self, me: str) -> str:
        """The title, or the other members' names for an untitled conversation."""
        if self.title:
            return self.title
        others = [m for m in self.members if m != me]
        return ", ".join(others) if others else me


class ConnectionState(enum.Enum):
    """How one account's live connection is doing; shown in the status area."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    ERROR = "error"  # needs the user: bad token, server refuses us
    OFFLINE = "offline"


# --- events: what Backend.events() yields --------------------------------------------
#
# ``cursor`` is the opaque resume point after this event (None for events that are not
# part of the server's stream, like ConnectionChanged).


@dataclass(frozen=True, slots=True)
class ThreadUpdated:
    """A thread was created, or its title/members/theme/vanish/unread changed."""

    thread: Thread
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class MessageReceived:
    message: Message
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class MessageRedacted:
    account_id: str
    thread_id: str
    message_id: str
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class ReadMarkerMoved:
    """``user`` has read ``thread_id`` up to and including ``message_id``."""

    account_id: str
    thread_id: str
    message_id: str
    user: str
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class ConnectionChanged:
    account_id: str
    state: ConnectionState
    detail: str = ""  # a short human reason, e.g. "server unreachable, retrying in 4 s"
    cursor: str | None = None


Event = ThreadUpdated | MessageReceived | MessageRedacted | ReadMarkerMoved | ConnectionChanged


@dataclass(frozen=True, slots=True)
class AccountConfig:
    """A linked account's non-secret settings, as kept in config.toml.

    The token is never here: it lives in the keyring (or, when the user chose so
    plainly, a 0600 file); see chatui.accounts.tokens.
    """

    account_id: str  # short, unique in the profile, e.g. "work" or "local-alice"
    kind: str  # the backend's entry-point name: "local", "matrix", ...
    server: str  # base URL of the server (homeserver for Matrix)
    username: str
    label: str  # the short tag shown on each thread row, e.g. "A" or "work"
    color: str  # the label's color, any Rich color string such as "#5fafff"
    token_store: str = "keyring"  # "keyring" | "file"
