"""Session changes that arrive while the app shuts down touch nothing that is gone.

Found by the stress script: a shutdown that does not pass through ``exit`` removes
the screens before ``on_unmount`` marks the app as shutting down, and an inbox
change queued in that window raised ``ScreenStackError`` from the thread look.
"""

from __future__ import annotations

from chatui.session.session import InboxChanged
from chatui.ui.app import ChatApp
from chatui.ui.widgets.message_view import MessageView
from tests.ui.conftest import World, wait_for


async def test_an_inbox_change_after_the_screens_are_gone_is_ignored(world: World) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 2, "both accounts' threads")
        app.main.jump_to(world.lunch)
        await wait_for(pilot, lambda: app.main.shown_key == world.lunch, "the open conversation")
    assert not app.screen_stack
    main = app.main
    # The window between the screens going and on_unmount: the flag not yet set.
    app.shutting_down = False
    main._on_session_change(InboxChanged())
    main.flush_inbox()  # must not raise
    # Nor may the message view's late "these lines were drawn" (the CI run's case).
    assert not main.thread_visible()
    main._messages_shown(MessageView.Shown(main.message_view, world.lunch, ("m1",)))
