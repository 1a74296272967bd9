"""Before any conversation is open: the message box takes no keys (nothing typed
there could go anywhere), and "No conversation open" is said once, in the header."""

from __future__ import annotations

from chatui.ui.app import ChatApp
from chatui.ui.widgets.composer import Composer
from chatui.ui.widgets.message_view import MessageView
from chatui.ui.widgets.status import ThreadHeader
from tests.ui.conftest import World, rendered, wait_for


async def test_the_message_box_waits_for_a_conversation(world: World) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(110, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 2, "Bob's threads")
        composer = app.query_one(Composer)
        await wait_for(pilot, lambda: composer.is_mounted, "the conversation pane")
        assert composer.disabled
        await pilot.press("tab", "tab", *"hello")  # Tab cannot reach the box
        assert app.focused is not composer
        assert composer.value == ""
        screen_text = rendered(app.query_one(ThreadHeader)) + rendered(app.query_one(MessageView))
        assert screen_text.count("No conversation open") == 1
        assert not any("Open a conversation first" in str(n.message) for n in app._notifications)

        await pilot.press("enter")  # on the list: opens the newest thread
        await wait_for(pilot, lambda: app.focused is composer, "the box, ready")
        assert not composer.disabled
        await pilot.press(*"hello")
        assert composer.value == "hello"
