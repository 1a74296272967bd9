"""A real Synapse homeserver for the Matrix tests, plus a raw-HTTP "other user".

Why a real server: the Matrix adapter must survive what Synapse actually sends
(limited timelines, ``unsigned.transaction_id``, 429 with ``retry_after_ms``...), and
a fake would only encode our own reading of the spec.

``SynapseServer`` writes a throw-away config (SQLite, one client listener on
127.0.0.1, no federation listener, no outbound traffic, rate limits raised) into a
directory, starts ``python -m synapse.app.homeserver`` from Synapse's own venv as a
child in its own process group, and stops it by its pid. Users are registered
through the shared-secret admin API, so ``enable_registration`` stays off.

``MatrixUser`` is deliberately tiny plain httpx (no SDK, no adapter code): tests use
it to act as "another Matrix user" whose view of the server is independent of the
code under test.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
SYNAPSE_PYTHON_ENV = "CHATUI_SYNAPSE_PYTHON"

# Every rate limiter Synapse reads from its config (synapse/config/ratelimiting.py).
# Dotted keys are nested sections. The suite shares one server, so defaults such
# as 0.17 registrations/s would make tests fail depending on their order.
_RATELIMIT_KEYS = (
    "rc_message",
    "rc_registration",
    "rc_registration_token_validity",
    "rc_login.address",
    "rc_login.account",
    "rc_login.failed_attempts",
    "rc_admin_redaction",
    "rc_joins.local",
    "rc_joins.remote",
    "rc_joins_per_room",
    "rc_key_requests",
    "rc_3pid_validation",
    "rc_invites.per_room",
    "rc_invites.per_user",
    "rc_invites.per_issuer",
    "rc_third_party_invite",
    "rc_media_create",
    "rc_presence.per_user",
    "rc_delayed_event_mgmt",
    "rc_room_creation",
    "rc_reports",
    "rc_user_directory",
    "rc_profile",
)
_HIGH_LIMIT = {"per_second": 100_000, "burst_count": 1_000_000}

_TXN_COUNTER = itertools.count(1)


class SynapseUnavailable(RuntimeError):
    """Synapse is not installed or did not come up; the message says why."""


def find_synapse_python() -> Path:
    """The interpreter of Synapse's venv: $CHATUI_SYNAPSE_PYTHON, else the repo's
    ``.venv-synapse`` (what ``make .venv-synapse/.installed-stamp`` creates)."""
    configured = os.environ.get(SYNAPSE_PYTHON_ENV)
    if configured:
        return Path(configured)
    return REPO_ROOT / ".venv-synapse" / "bin" / "python"


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unpadded_b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


# Runs inside Synapse's interpreter before Synapse itself. It asks Linux to SIGTERM
# Synapse when its parent (pytest) dies abruptly (a kill -9, pytest-timeout's
# os._exit), so no orphan keeps the port and a CPU. Done in the child rather than in
# a preexec_fn, which is unsafe when pytest already runs threads. The module name
# stays in argv, so `pgrep -f synapse.app.homeserver` still finds the process.
_LAUNCHER = """
import ctypes, os, runpy, signal, sys
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
except Exception:
    pass
if os.getppid() != int(os.environ["CHATUI_HARNESS_PARENT"]):
    sys.exit("parent exited before Synapse started")
sys.argv = sys.argv[1:]
runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"""


def _txn_id() -> str:
    return f"harness-{os.getpid()}-{next(_TXN_COUNTER)}-{secrets.token_hex(4)}"


def _quote(part: str) -> str:
    """Path-segment quoting: room ids, event ids and user ids contain ! $ @ : #."""
    return urllib.parse.quote(part, safe="")


class SynapseServer:
    """One Synapse process on a free 127.0.0.1 port, configured for tests.

    Use as a context manager, or ``start()`` / ``stop()``. After ``start()``:
    ``base_url`` (``http://127.0.0.1:PORT``, no trailing slash), ``server_name``,
    ``port``, ``pid``, ``log_path``.
    """

    def __init__(
        self,
        workdir: Path,
        *,
        python: Path | None = None,
        server_name: str = "localhost",
        startup_timeout: float = 90.0,
    ) -> None:
        self.workdir = Path(workdir)
        self.python = Path(python) if python is not None else find_synapse_python()
        self.server_name = server_name
        self.startup_timeout = startup_timeout
        self.registration_shared_secret = secrets.token_hex(32)
        self.port = 0
        self.config_path = self.workdir / "homeserver.yaml"
        self.log_path = self.workdir / "homeserver.log"
        self.stdout_path = self.workdir / "stdout.log"
        self.startup_seconds: float | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._admin: MatrixUser | None = None
        self._localparts = itertools.count(1)

    # -- lifecycle -----------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def __enter__(self) -> SynapseServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> SynapseServer:
        """Write the config, launch Synapse and return once /versions answers.

        Raises SynapseUnavailable (with the log tail) if it cannot start.
        """
        if not self.python.exists():
            raise SynapseUnavailable(
                f"no Synapse interpreter at {self.python} (set {SYNAPSE_PYTHON_ENV} or run "
                "`make .venv-synapse/.installed-stamp`)"
            )
        self.workdir.mkdir(parents=True, exist_ok=True)
        began = time.monotonic()
        # The free port is found by binding and releasing it, so another process can
        # grab it before Synapse binds; a retry with a fresh port covers that race.
        for attempt in range(3):
            self.port = _free_loopback_port()
            self._write_config()
            try:
                self._launch_and_wait()
                break
            except SynapseUnavailable:
                self.stop()
                port_taken = "Address already in use" in self.log_tail(200)
                if not port_taken or attempt == 2:
                    raise
        self.startup_seconds = time.monotonic() - began
        return self

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM Synapse's process group (its pgid is its pid), SIGKILL after
        ``grace`` seconds. Safe to call twice."""
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=grace)

    def log_tail(self, lines: int = 60) -> str:
        """The end of Synapse's stdout/stderr and its WARNING log, for failure output."""
        parts = []
        for path in (self.stdout_path, self.log_path):
            if path.exists():
                text = path.read_text(errors="replace").splitlines()[-lines:]
                parts.append(f"--- {path.name} ---\n" + "\n".join(text))
        return "\n".join(parts) or "(no Synapse output)"

    def _launch_and_wait(self) -> None:
        with self.stdout_path.open("ab") as out:
            self._process = subprocess.Popen(
                [
                    str(self.python),
                    "-c",
                    _LAUNCHER,
                    "synapse.app.homeserver",
                    "-c",
                    str(self.config_path),
                ],
                env={**os.environ, "CHATUI_HARNESS_PARENT": str(os.getpid())},
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: stop() signals only it
            )
        deadline = time.monotonic() + self.startup_timeout
        with httpx.Client(timeout=2.0) as client:
            while True:
                if self._process.poll() is not None:
                    raise SynapseUnavailable(
                        f"Synapse exited with code {self._process.returncode} during "
                        f"startup\n{self.log_tail()}"
                    )
                with contextlib.suppress(httpx.TransportError):
                    if client.get(f"{self.base_url}/_matrix/client/versions").status_code == 200:
                        return
                if time.monotonic() > deadline:
                    raise SynapseUnavailable(
                        f"Synapse did not answer /versions within {self.startup_timeout:.0f}s"
                        f"\n{self.log_tail()}"
                    )
                time.sleep(0.1)

    def _write_config(self) -> None:
        signing_key = self.workdir / "signing.key"
        if not signing_key.exists():
            # Synapse's key file is "<alg> <version> <unpadded base64 seed>", and any
            # 32 random bytes are a valid ed25519 seed: no key-generation run needed.
            signing_key.write_text(f"ed25519 a_test {_unpadded_b64(secrets.token_bytes(32))}\n")
        log_config = self.workdir / "log.yaml"
        log_config.write_text(
            json.dumps(
                {
                    "version": 1,
                    "formatters": {
                        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
                    },
                    "handlers": {
                        "file": {
                            "class": "logging.FileHandler",
                            "filename": str(self.log_path),
                            "formatter": "plain",
                        }
                    },
                    "root": {"level": "WARNING", "handlers": ["file"]},
                    "disable_existing_loggers": False,
                }
            )
        )
        config: dict[str, Any] = {
            "server_name": self.server_name,
            "public_baseurl": self.base_url + "/",  # also turns on .well-known/matrix/client
            "serve_server_wellknown": True,
            "pid_file": str(self.workdir / "homeserver.pid"),
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {
                "name": "sqlite3",
                "args": {"database": str(self.workdir / "homeserver.db")},
            },
            "log_config": str(log_config),
            "media_store_path": str(self.workdir / "media_store"),
            "signing_key_path": str(signing_key),
            "macaroon_secret_key": secrets.token_hex(32),
            "form_secret": secrets.token_hex(32),
            "registration_shared_secret": self.registration_shared_secret,
            "enable_registration": False,
            # Password hashing at a low work factor: same code path, ~1 ms per hash.
            "bcrypt_rounds": 4,
            # Nothing leaves loopback: no stats, no key servers, no federation, no
            # URL previews, no push, no email.
            "report_stats": False,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "federation_domain_whitelist": [],
            "url_preview_enabled": False,
            "push": {"enabled": False},
            "enable_metrics": False,
            # Presence adds typing/presence churn to every /sync; chatui does not use it.
            "presence": {"enabled": False},
            "use_frozen_dicts": False,
            "caches": {"global_factor": 0.5},
        }
        for key in _RATELIMIT_KEYS:
            section = config
            *parents, leaf = key.split(".")
            for parent in parents:
                section = section.setdefault(parent, {})
            section[leaf] = dict(_HIGH_LIMIT)
        # JSON is valid YAML, and Synapse reads its config with a YAML loader.
        self.config_path.write_text(json.dumps(config, indent=2))

    # -- users -----------------------------------------------------------------------

    def user_id(self, localpart: str) -> str:
        return f"@{localpart}:{self.server_name}"

    def unique_localpart(self, prefix: str) -> str:
        """``prefix`` made unique on this server (the suite shares one Synapse)."""
        return f"{prefix.lower()}-{next(self._localparts)}-{secrets.token_hex(3)}"

    def register(
        self, localpart: str, password: str | None = None, admin: bool = False
    ) -> tuple[str, str, str]:
        """Register through the shared-secret admin API.

        Returns ``(user_id, access_token, password)``; the password defaults to a
        random one.
        """
        password = password if password is not None else "pw-" + secrets.token_hex(8)
        url = f"{self.base_url}/_synapse/admin/v1/register"
        with httpx.Client(timeout=30) as client:
            nonce_response = client.get(url)
            nonce_response.raise_for_status()
            nonce = nonce_response.json()["nonce"]
            mac = hmac.new(self.registration_shared_secret.encode(), digestmod=hashlib.sha1)
            mac.update(b"\x00".join([nonce.encode(), localpart.encode(), password.encode()]))
            mac.update(b"\x00" + (b"admin" if admin else b"notadmin"))
            response = client.post(
                url,
                json={
                    "nonce": nonce,
                    "username": localpart,
                    "password": password,
                    "admin": admin,
                    "mac": mac.hexdigest(),
                },
            )
        if response.status_code != 200:
            raise RuntimeError(f"registering {localpart!r} failed: {response.text}")
        data = response.json()
        return data["user_id"], data["access_token"], password

    def login(self, user: str, password: str, device_name: str | None = None) -> dict[str, Any]:
        """``m.login.password`` for a localpart or full user id; returns Synapse's
        JSON (``user_id``, ``access_token``, ``device_id``, ``well_known``...)."""
        body: dict[str, Any] = {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": user},
            "password": password,
        }
        if device_name is not None:
            body["initial_device_display_name"] = device_name
        response = httpx.post(f"{self.base_url}/_matrix/client/v3/login", json=body, timeout=30)
        if response.status_code != 200:
            raise RuntimeError(f"login as {user!r} failed: {response.text}")
        return response.json()

    def new_user(
        self, prefix: str = "user", password: str | None = None, admin: bool = False
    ) -> MatrixUser:
        """Register a user with a unique localpart built from ``prefix``."""
        user_id, token, password = self.register(self.unique_localpart(prefix), password, admin)
        return MatrixUser(self.base_url, user_id, token, password)

    def admin(self) -> MatrixUser:
        """A server admin (registered on first use), for /_synapse/admin calls."""
        if self._admin is None:
            self._admin = self.new_user("admin", admin=True)
        return self._admin

    def override_ratelimit(
        self, user_id: str, messages_per_second: int = 1, burst_count: int = 1
    ) -> None:
        """Give one user tight rate limits so a test can provoke a real 429 (with
        ``Retry-After`` and ``retry_after_ms``) without slowing the shared server.
        Synapse takes whole numbers only, and reads 0/0 as "no limit at all"; the
        default 1/s with a burst of 1 makes the second quick send a 429."""
        response = self.admin().http.post(
            f"/_synapse/admin/v1/users/{_quote(user_id)}/override_ratelimit",
            json={"messages_per_second": messages_per_second, "burst_count": burst_count},
        )
        response.raise_for_status()

    def clear_ratelimit_override(self, user_id: str) -> None:
        """Back to the server-wide (raised) limits."""
        response = self.admin().http.delete(
            f"/_synapse/admin/v1/users/{_quote(user_id)}/override_ratelimit"
        )
        response.raise_for_status()


class MatrixError(RuntimeError):
    """A non-2xx answer; keeps the status and the Matrix ``errcode``."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status_code = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = {}
        self.errcode = body.get("errcode") if isinstance(body, dict) else None
        super().__init__(
            f"{response.request.method} {response.request.url.path} -> "
            f"{response.status_code}: {response.text[:500]}"
        )


class MatrixUser:
    """A Matrix user driven with raw client-server API v3 calls (sync httpx).

    ``http`` is the underlying ``httpx.Client`` (base URL and token set) for any
    call not wrapped here.
    """

    def __init__(
        self, base_url: str, user_id: str, access_token: str, password: str | None = None
    ) -> None:
        self.base_url = base_url
        self.user_id = user_id
        self.access_token = access_token
        self.password = password
        self.http = httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=httpx.Timeout(30.0, read=90.0),
        )

    def __repr__(self) -> str:
        return f"MatrixUser({self.user_id!r})"

    def __enter__(self) -> MatrixUser:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    # -- plumbing --------------------------------------------------------------------

    def request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """Call ``/_matrix/client/v3`` + ``path``; raise MatrixError unless 2xx."""
        response = self.http.request(method, "/_matrix/client/v3" + path, **kwargs)
        if not response.is_success:
            raise MatrixError(response)
        return response.json()

    # -- rooms -----------------------------------------------------------------------

    def create_room(
        self,
        invite: list[str] | tuple[str, ...] = (),
        is_direct: bool = False,
        name: str | None = None,
        *,
        preset: str | None = None,
        room_version: str | None = None,
        initial_state: list[dict[str, Any]] | None = None,
        **extra: Any,
    ) -> str:
        """``POST /createRoom``; returns the room id. ``preset`` defaults to
        ``trusted_private_chat`` for DMs, else ``private_chat``; ``extra`` goes into
        the body as-is (e.g. ``topic=``)."""
        body: dict[str, Any] = {
            "invite": list(invite),
            "is_direct": is_direct,
            "preset": preset or ("trusted_private_chat" if is_direct else "private_chat"),
            **extra,
        }
        if name is not None:
            body["name"] = name
        if room_version is not None:
            body["room_version"] = room_version
        if initial_state is not None:
            body["initial_state"] = initial_state
        return self.request("POST", "/createRoom", json=body)["room_id"]

    def join(self, room_id: str) -> str:
        return self.request("POST", f"/join/{_quote(room_id)}", json={})["room_id"]

    def leave(self, room_id: str) -> None:
        self.request("POST", f"/rooms/{_quote(room_id)}/leave", json={})

    def invite(self, room_id: str, user_id: str) -> None:
        self.request("POST", f"/rooms/{_quote(room_id)}/invite", json={"user_id": user_id})

    def joined_rooms(self) -> list[str]:
        return self.request("GET", "/joined_rooms")["joined_rooms"]

    # -- events ----------------------------------------------------------------------

    def send_event(
        self, room_id: str, event_type: str, content: dict[str, Any], txn_id: str | None = None
    ) -> str:
        """``PUT /rooms/{id}/send/{type}/{txnId}``; returns the event id. Reusing a
        ``txn_id`` gives back the same event id (Synapse's idempotency)."""
        txn = txn_id or _txn_id()
        path = f"/rooms/{_quote(room_id)}/send/{_quote(event_type)}/{_quote(txn)}"
        return self.request("PUT", path, json=content)["event_id"]

    def send_text(self, room_id: str, body: str, txn_id: str | None = None) -> str:
        return self.send_event(
            room_id, "m.room.message", {"msgtype": "m.text", "body": body}, txn_id
        )

    def react(self, room_id: str, event_id: str, key: str) -> str:
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}
        return self.send_event(room_id, "m.reaction", content)

    def redact(
        self, room_id: str, event_id: str, reason: str | None = None, txn_id: str | None = None
    ) -> str:
        txn = txn_id or _txn_id()
        body = {"reason": reason} if reason is not None else {}
        path = f"/rooms/{_quote(room_id)}/redact/{_quote(event_id)}/{_quote(txn)}"
        return self.request("PUT", path, json=body)["event_id"]

    def set_state(
        self, room_id: str, event_type: str, state_key: str, content: dict[str, Any]
    ) -> str:
        path = f"/rooms/{_quote(room_id)}/state/{_quote(event_type)}/{_quote(state_key)}"
        return self.request("PUT", path, json=content)["event_id"]

    def get_state(self, room_id: str, event_type: str, state_key: str = "") -> dict[str, Any]:
        path = f"/rooms/{_quote(room_id)}/state/{_quote(event_type)}/{_quote(state_key)}"
        return self.request("GET", path)

    def send_receipt(self, room_id: str, event_id: str, receipt_type: str = "m.read") -> None:
        path = f"/rooms/{_quote(room_id)}/receipt/{_quote(receipt_type)}/{_quote(event_id)}"
        self.request("POST", path, json={})

    def set_account_data(self, event_type: str, content: dict[str, Any]) -> None:
        """E.g. ``m.direct`` ({user_id: [room_id, ...]}), which clients use for DMs."""
        path = f"/user/{_quote(self.user_id)}/account_data/{_quote(event_type)}"
        self.request("PUT", path, json=content)

    # -- reading ---------------------------------------------------------------------

    def sync(
        self, since: str | None = None, timeout: int = 0, filter: str | dict | None = None
    ) -> dict[str, Any]:
        """One ``GET /sync`` (``timeout`` in ms, as the API counts it)."""
        params: dict[str, Any] = {"timeout": timeout}
        if since is not None:
            params["since"] = since
        if filter is not None:
            params["filter"] = filter if isinstance(filter, str) else json.dumps(filter)
        return self.request("GET", "/sync", params=params)

    def messages(
        self,
        room_id: str,
        from_token: str | None = None,
        direction: str = "b",
        limit: int = 50,
        to_token: str | None = None,
    ) -> dict[str, Any]:
        """One ``GET /rooms/{id}/messages`` page (``chunk``, ``start``, ``end``)."""
        params: dict[str, Any] = {"dir": direction, "limit": limit}
        if from_token is not None:
            params["from"] = from_token
        if to_token is not None:
            params["to"] = to_token
        return self.request("GET", f"/rooms/{_quote(room_id)}/messages", params=params)

    def room_events(self, room_id: str, event_type: str | None = None) -> list[dict[str, Any]]:
        """Every timeline event of the room this user may see, oldest first (pages
        ``/messages`` backwards to the start), optionally only of ``event_type``.
        For "arrived exactly once" checks."""
        events: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page = self.messages(room_id, from_token=token, limit=500)
            events.extend(page.get("chunk", []))
            token = page.get("end")
            if not page.get("chunk") or token is None:
                break
        events.reverse()
        if event_type is not None:
            events = [e for e in events if e.get("type") == event_type]
        return events

    def texts(self, room_id: str) -> list[str]:
        """Bodies of the room's ``m.room.message`` events, oldest first."""
        return [
            e["content"]["body"]
            for e in self.room_events(room_id, "m.room.message")
            if "body" in e.get("content", {})
        ]

    def wait_for_event(
        self,
        predicate: Callable[[str, dict[str, Any]], bool],
        timeout: float = 30.0,
        since: str | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """Long-poll ``/sync`` until a joined-room timeline event satisfies
        ``predicate(room_id, event)``; return ``(room_id, event)``. Raises
        TimeoutError. Starts from ``since`` (or from scratch, which also searches
        the latest timeline of every room)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self.user_id}: no matching event within {timeout}s")
            data = self.sync(since=since, timeout=int(min(remaining, 10) * 1000))
            since = data["next_batch"]
            for room_id, event in _timeline_events(data):
                if predicate(room_id, event):
                    return room_id, event

    def wait_for_invite(self, room_id: str | None = None, timeout: float = 30.0) -> str:
        """Long-poll ``/sync`` until an invite (to ``room_id`` if given) shows up;
        returns the invited room id."""
        deadline = time.monotonic() + timeout
        since: str | None = None
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self.user_id}: no invite within {timeout}s")
            data = self.sync(since=since, timeout=int(min(remaining, 10) * 1000))
            since = data["next_batch"]
            for invited in data.get("rooms", {}).get("invite", {}):
                if room_id is None or invited == room_id:
                    return invited

    def whoami(self) -> dict[str, Any]:
        return self.request("GET", "/account/whoami")

    def logout(self) -> None:
        self.request("POST", "/logout", json={})


def _timeline_events(sync_response: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    joined = sync_response.get("rooms", {}).get("join", {})
    for room_id, room in joined.items():
        for event in room.get("timeline", {}).get("events", []):
            yield room_id, event
