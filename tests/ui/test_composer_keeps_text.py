"""Coming back to a draft and typing adds to it: focus never selects (and so replaces) it."""

from __future__ import annotations

from chatui.ui.app import ChatApp
from chatui.ui.widgets.composer import Composer
from tests.ui.conftest import World, wait_for


async def test_typing_after_returning_to_a_draft_appends_to_it(world: World) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 2, "both accounts' threads")
        composer = app.query_one(Composer)
        await pilot.press("enter", *"half a thought")
        await pilot.press("escape")  # back to the list: the draft stays in the composer
        await pilot.press("enter")  # and into the composer again
        await wait_for(pilot, lambda: app.focused is composer, "composer focus")
        await pilot.press(*", finished")
        assert composer.value == "half a thought, finished"
