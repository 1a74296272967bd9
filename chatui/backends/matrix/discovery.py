"""Finding a homeserver from a server name (``.well-known/matrix/client``).

People know their Matrix id (``@alice:example.org``), rarely the URL of their
homeserver (``https://matrix.example.org``). The spec's discovery: ask
``https://example.org/.well-known/matrix/client`` for ``m.homeserver.base_url``;
with no such file (404), try the server name itself as the homeserver. Either way
the result is checked with ``GET /_matrix/client/versions`` before it is used.

Plain http is tried only after https fails, and only for loopback names
(``localhost``, ``127.0.0.1:8008``): anywhere else a downgrade would hand the
password to whoever sits on the network. A full URL given by the user is used
as it is (still checked).
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from chatui.backends.base import BackendError, UnavailableError

WELL_KNOWN = "/.well-known/matrix/client"
VERSIONS = "/_matrix/client/versions"
TIMEOUT = 10.0


class DiscoveryError(BackendError):
    """No usable homeserver could be found for a name; the message says why."""


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def looks_like_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def _host_of_name(name: str) -> str:
    return urlsplit(f"//{name}").hostname or name


async def discover(name: str) -> str:
    """The homeserver base URL for ``name`` (a server name or a URL); DiscoveryError."""
    import httpx

    name = name.strip().rstrip("/")
    if not name:
        raise DiscoveryError("no server name given")
    async with httpx.AsyncClient(
        timeout=TIMEOUT,
        follow_redirects=True,
        headers={"Accept": "application/json", "User-Agent": "chatui/0.1"},
    ) as client:
        if looks_like_url(name):
            await _check_homeserver(client, name)
            return name
        if "/" in name or "@" in name:
            raise DiscoveryError(f"{name!r} is neither a server name nor an http(s) URL")
        schemes = ["https", "http"] if is_loopback(_host_of_name(name)) else ["https"]
        reasons: list[str] = []
        loopback = is_loopback(_host_of_name(name))
        for scheme in schemes:
            origin = f"{scheme}://{name}"
            # A plain-http server on loopback may never answer a TLS handshake: on
            # loopback a real one completes at once, so do not wait long for it.
            timeout = httpx.Timeout(TIMEOUT, connect=2.0) if loopback else TIMEOUT
            try:
                base = await _well_known(client, origin, timeout)
            except UnavailableError as err:
                reasons.append(f"{origin}: {err}")
                continue
            await _check_homeserver(client, base or origin)
            return base or origin
        raise DiscoveryError(
            f"cannot find the homeserver for {name}: "
            + "; ".join(reasons)
            + " (give the homeserver's URL with --homeserver)"
        )


async def _well_known(client: Any, origin: str, timeout: Any = TIMEOUT) -> str | None:
    """``m.homeserver.base_url`` from ``origin``'s .well-known; None when it has none."""
    import httpx

    try:
        response = await client.get(origin + WELL_KNOWN, timeout=timeout)
    except httpx.HTTPError as err:
        raise UnavailableError(_reason(err)) from err
    if response.status_code == 404:
        return None  # the spec's IGNORE: try the server name itself
    if response.status_code >= 400:
        # Some servers answer 403 or 5xx for paths they do not serve: same as "none".
        return None
    try:
        data = response.json()
    except (ValueError, RecursionError) as err:
        raise DiscoveryError(f"{origin}{WELL_KNOWN} is not valid JSON") from err
    homeserver = data.get("m.homeserver") if isinstance(data, dict) else None
    base = homeserver.get("base_url") if isinstance(homeserver, dict) else None
    if not isinstance(base, str) or not looks_like_url(base.strip()):
        raise DiscoveryError(f"{origin}{WELL_KNOWN} does not name a homeserver (m.homeserver)")
    return base.strip().rstrip("/")


async def _check_homeserver(client: Any, base: str) -> None:
    import httpx

    try:
        response = await client.get(base.rstrip("/") + VERSIONS)
    except httpx.HTTPError as err:
        raise DiscoveryError(f"no Matrix homeserver answers at {base}: {_reason(err)}") from err
    ok = response.status_code == 200
    if ok:
        try:
            data = response.json()
        except (ValueError, RecursionError):
            data = None
        ok = isinstance(data, dict) and isinstance(data.get("versions"), list)
    if not ok:
        raise DiscoveryError(f"{base} does not look like a Matrix homeserver")


def _reason(err: Exception) -> str:
    import httpx

    if isinstance(err, httpx.TimeoutException):
        return "no answer in time"
    if isinstance(err, httpx.ConnectError):
        return "cannot connect"
    return err.__class__.__name__
