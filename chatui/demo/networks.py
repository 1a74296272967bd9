"""The two demo networks: who lives where, and how each one looks in the list.

Two reference servers stand for two different networks so that the demo shows
what chatui is for — one merged list across places — from the first minute.
This module is pure data: no I/O, so tests, the seeder and the screenshots script
all agree on names without starting anything.
"""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass

from chatui.core.models import AccountConfig


@dataclass(frozen=True, slots=True)
class Network:
    """One demo network: a reference server with the user and a few contacts."""

    key: str  # file names and account ids: "northwind"
    name: str  # what a person reads: "Northwind"
    label: str  # the short tag on each thread row
    color: str  # the tag's color
    contacts: tuple[str, ...]  # usernames of the live demo contacts here

    @property
    def account_id(self) -> str:
        """The user's demo account on this network (never in the user's config)."""
        return f"demo-{self.key}"

    def account(self, server_url: str, username: str) -> AccountConfig:
        """The user's account config on this network, pointing at ``server_url``.

        Built fresh on every start because the port is new every time.
        """
        return AccountConfig(
            account_id=self.account_id,
            kind="local",
            server=server_url,
            username=username,
            label=self.label,
            color=self.color,
            token_store="file",
            network=self.name,
        )

    def contact_account(self, server_url: str, contact: str) -> AccountConfig:
        """A contact's account config: what its bot logs in with."""
        return AccountConfig(
            account_id=f"demo-{self.key}-{contact}",
            kind="local",
            server=server_url,
            username=contact,
            label=self.label,
            color=self.color,
            token_store="file",
        )


NORTHWIND = Network("northwind", "Northwind", "N", "#5fafff", ("alice", "bob", "carol"))
HARBOR = Network("harbor", "Harbor", "H", "#ffaf5f", ("dmitri", "emma"))
NETWORKS: tuple[Network, ...] = (NORTHWIND, HARBOR)

ALL_CONTACTS = frozenset(c for n in NETWORKS for c in n.contacts)

_USERNAME_OK = re.compile(r"^[a-z0-9._-]{1,32}$")


def default_username() -> str:
    """The user's name in the demo: their login name if the server accepts it, else "you".

    A login name that collides with a demo contact would make the user talk to
    themselves, so that falls back to "you" too.
    """
    try:
        login = getpass.getuser()
    except Exception:  # no passwd entry, no LOGNAME: containers do this
        return "you"
    name = re.sub(r"[^a-z0-9._-]", "", login.lower())[:32]
    if not _USERNAME_OK.match(name) or name in ALL_CONTACTS:
        return "you"
    return name
