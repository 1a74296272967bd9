"""The demo's networks are called by their names, never by an address (issue 12, item 16).

The demo's servers listen on loopback ports that change on every start; a person
chatting "on Northwind" should read "cannot reach Northwind" when it goes away, not
"127.0.0.1:41873".
"""

from __future__ import annotations

from chatui.core.models import ConnectionState
from chatui.demo.servers import DemoWorld
from chatui.session.session import Session
from tests.demo.conftest import wait_connected, wait_for


async def test_a_demo_network_that_goes_away_is_called_by_its_name(
    world: DemoWorld, session: Session
) -> None:
    await wait_connected(session)
    northwind = next(r for r in world.running if r.network.name == "Northwind")
    account_id = northwind.network.account_id
    port = str(northwind.server.port)

    northwind.server.stop()

    _, detail = await wait_for(
        lambda: (
            session.states[account_id]
            if session.states[account_id][0] is not ConnectionState.CONNECTED
            and session.states[account_id][1]
            else None
        ),
        "Northwind's account to notice its server went away",
    )
    assert "Northwind" in detail
    assert port not in detail and "127.0.0.1" not in detail
