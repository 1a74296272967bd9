"""A message over the size limit is refused in the message box, before the outbox:
the limit is said, the text stays to shorten, and nothing reaches the server."""

from __future__ import annotations

from chatui.core.models import MAX_BODY_BYTES
from chatui.ui.app import ChatApp
from chatui.ui.widgets.composer import Composer
from tests.ui.conftest import World, wait_for
from tests.ui.test_app_reactions import open_bobs_lunch
from tests.ui.test_app_vanish import server_bodies


async def test_a_message_over_the_limit_stays_in_the_box(world: World) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(110, 30)) as pilot:
        await open_bobs_lunch(app, pilot, world)
        composer = app.query_one(Composer)
        too_long = "é" * (MAX_BODY_BYTES // 2 + 1)  # two bytes each: one over the limit
        composer.value = too_long
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: any("the limit is 65,536" in str(n.message) for n in app._notifications),
            "the limit said",
        )
        assert composer.value == too_long
        assert not any(m.pending for m in app.session.messages(world.lunch))  # no outbox

        # One that fits goes, and the long one never reached the server.
        composer.value = "fits"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "fits" in server_bodies(world), "the short one sent")
        assert too_long not in server_bodies(world)
