"""What a person calls the network an account is on, for headers and lists.

A URL such as ``http://127.0.0.1:43817`` says nothing to most people. In order of
preference: the name the account was given (the demo's "Northwind", or
``network = "..."`` in config.toml); for Matrix, the server name in the user id
(``@alice:example.org`` → "example.org"); a host name without scheme or default
port; and for a server on this machine, "this computer" with its port, since
several can run side by side.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from chatui.core.models import AccountConfig

_DEFAULT_PORTS = {"http": 80, "https": 443}


def network_name(account: AccountConfig) -> str:
    if account.network.strip():
        return account.network.strip()
    if account.kind == "matrix" and account.username.startswith("@") and ":" in account.username:
        return account.username.split(":", 1)[1]
    parts = urlsplit(account.server)
    host = parts.hostname
    if not host:
        return account.server
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: show the address as written
        return parts.netloc or account.server
    if _is_this_computer(host):
        return f"this computer (port {port})" if port else "this computer"
    if port is None or port == _DEFAULT_PORTS.get(parts.scheme):
        return host
    return f"{host}:{port}"


def _is_this_computer(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
