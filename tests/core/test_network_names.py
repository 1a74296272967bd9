"""The thread header names the network in words, not as a URL."""

from __future__ import annotations

import pytest

from chatui.core.models import AccountConfig
from chatui.core.network_names import network_name


def _account(server: str, *, kind: str = "local", username: str = "bob", network: str = ""):
    return AccountConfig(
        account_id="a",
        kind=kind,
        server=server,
        username=username,
        label="A",
        color="default",
        network=network,
    )


@pytest.mark.parametrize(
    ("account", "named"),
    [
        (_account("http://127.0.0.1:43817", network="Northwind"), "Northwind"),
        (_account("http://127.0.0.1:43817"), "this computer (port 43817)"),
        (_account("http://localhost:8765"), "this computer (port 8765)"),
        (_account("http://[::1]:8765"), "this computer (port 8765)"),
        (_account("https://chat.example.org"), "chat.example.org"),
        (_account("https://chat.example.org:443/"), "chat.example.org"),
        (_account("http://chat.example.org:8765"), "chat.example.org:8765"),
        (
            _account(
                "https://matrix-client.example.org", kind="matrix", username="@al:example.org"
            ),
            "example.org",
        ),
    ],
)
def test_a_network_is_named_as_a_person_would(account: AccountConfig, named: str) -> None:
    assert network_name(account) == named
