"""The running demo: two reference servers, seeded, with their contacts live.

:class:`DemoWorld` is everything ``chatui demo`` needs except the UI, so the
tests and the screenshots script start exactly what a user gets. Servers run in
background threads (each with its own event loop), the contacts in one more, so
the app's loop only ever talks HTTP to them like it would to any server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from chatui.backends.local import LocalBackend
from chatui.core.models import AccountConfig
from chatui.demo.contacts import ContactBots, ContactLogin
from chatui.demo.home import DemoHome
from chatui.demo.networks import NETWORKS, Network, default_username
from chatui.demo.seed import seed_network
from chatui.server.runner import ServerThread
from chatui.session.session import LinkedAccount

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunningNetwork:
    network: Network
    server: ServerThread
    account: AccountConfig  # the user's account, pointing at this run's port


class DemoWorld:
    """Start with :meth:`start` (or ``with``), stop with :meth:`stop`.

    ``username`` only matters on the first run: a seeded folder keeps the name
    it was seeded with. ``now_ms`` pins the clock the seeded history is dated from.
    """

    def __init__(
        self,
        root: Path,
        *,
        username: str | None = None,
        reply_delay: tuple[float, float] = (0.5, 1.5),
        now_ms: int | None = None,
        networks: Sequence[Network] = NETWORKS,
    ) -> None:
        self.home = DemoHome(root)
        self.requested_username = username
        self.reply_delay = reply_delay
        self.now_ms = now_ms
        self.networks = tuple(networks)
        self.username = ""
        self.running: list[RunningNetwork] = []
        self.bots: ContactBots | None = None
        self._servers: list[ServerThread] = []
        self.seeded_now = False  # True when this start did the (first-run) seeding
        self._on_stop: list[Callable[[], None]] = []

    # --- life cycle ---------------------------------------------------------------------

    def start(self) -> DemoWorld:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        username = self.home.seeded_username()
        if username is not None and not all(self.home.db_path(n).exists() for n in self.networks):
            username = None  # a database was deleted by hand: the rest is useless
        if username is None:
            # Never seeded, or seeding was cut short: start from a clean folder.
            self.home.reset()
        self.home.prepare()
        servers = self._servers  # kept as they are made, so stop() stops whichever started
        for network in self.networks:
            servers.append(ServerThread(self.home.db_path(network)))
        # Both start at once: each start() waits for its own socket to listen.
        with ThreadPoolExecutor(len(servers)) as pool:
            list(pool.map(ServerThread.start, servers))
        if username is None:
            username = self.requested_username or default_username()
            self._seed(username, servers)
            self.seeded_now = True
        self.username = username
        self.running = [
            RunningNetwork(n, server, n.account(server.url, username))
            for n, server in zip(self.networks, servers, strict=True)
        ]
        self.bots = ContactBots(
            [self._contact_logins(r) for r in self.running], delay=self.reply_delay
        ).start()

    def _seed(self, username: str, servers: Sequence[ServerThread]) -> None:
        for network, server in zip(self.networks, servers, strict=True):
            seeded = seed_network(server.database, network, username, now_ms=self.now_ms)
            self.home.store_token(network.account(server.url, username), seeded.user_token)
            for contact, token in seeded.contact_tokens.items():
                self.home.store_token(network.contact_account(server.url, contact), token)
        self.home.mark_seeded(username)

    def _contact_logins(self, running: RunningNetwork) -> list[ContactLogin]:
        url = running.server.url
        logins = []
        for contact in running.network.contacts:
            account = running.network.contact_account(url, contact)
            logins.append(ContactLogin(account, self.home.load_token(account)))
        return logins

    def on_stop(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once the demo has stopped (``chatui demo`` lets go of its lock)."""
        self._on_stop.append(callback)

    def stop(self) -> None:
        """Stop the contacts, then the servers; safe to call twice."""
        if self.bots is not None:
            self.bots.stop()
            self.bots = None
        for server in reversed(self._servers):
            try:
                server.stop()
            except Exception:  # stopping one server must not leave the other running
                log.exception("could not stop the demo server on %s", server.url)
        self._servers = []
        self.running = []
        callbacks, self._on_stop = self._on_stop, []
        for callback in callbacks:
            callback()

    def __enter__(self) -> DemoWorld:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what the app gets --------------------------------------------------------------

    @property
    def accounts(self) -> list[AccountConfig]:
        return [r.account for r in self.running]

    def linked_accounts(self) -> list[LinkedAccount]:
        """Fresh backends for a Session, one per network (a Session closes them)."""
        return [
            LinkedAccount(r.account, LocalBackend(r.account), self.home.load_token(r.account))
            for r in self.running
        ]
