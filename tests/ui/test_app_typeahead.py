"""Type-ahead: letters typed right after Enter opens a conversation are not lost.

The keys arrive together, as from a fast typist or a paste: they reach the thread
list before the conversation has opened, and must still end up in the message box.
"""

from __future__ import annotations

from textual import events

from chatui.ui.app import ChatApp
from chatui.ui.widgets.composer import Composer
from tests.ui.conftest import World, wait_for


async def test_letters_typed_right_after_enter_reach_the_composer(world: World) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(110, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 2, "Bob's threads")
        await pilot.pause()
        driver = app._driver
        assert driver is not None
        # j and k move the list's cursor; typed ahead, they are letters of the message.
        for key, char in [("enter", "\r"), ("h", "h"), ("i", "i"), ("j", "j"), ("k", "k")]:
            event = events.Key(key, char)
            event.set_sender(app)
            driver.send_message(event)  # all queued before any is handled
        composer = app.query_one(Composer)
        await wait_for(pilot, lambda: composer.value == "hijk", "the letters in the composer")
        await pilot.press("!")
        assert composer.value == "hijk!"
        assert app.focused is composer
