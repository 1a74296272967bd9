"""Who reacted, on Matrix: the dialog names people by their room display names,
also someone who never wrote a line in the room, and "you" for the user; a
reaction that arrives while it is open (from a person who just joined) shows
with that person's name. Real Synapse, the Matrix adapter, the Session and the
app, driven by Pilot.
"""

from __future__ import annotations

from textual.widgets import OptionList

from chatui.session.session import Session
from chatui.ui.app import ChatApp
from chatui.ui.screens.who_reacted import WhoReacted
from chatui.ui.widgets.message_view import MessageView
from tests.backends.matrix.helpers_matrix import in_thread, set_display_name
from tests.backends.matrix.test_matrix_app import _linked_matrix
from tests.ui.conftest import rendered_lines, wait_for


def _shown(app: ChatApp) -> list[str]:
    lines = rendered_lines(app.screen.query_one(OptionList))
    return [" ".join(line.split()) for line in lines if line.strip()]


async def test_who_reacted_uses_room_display_names(synapse, matrix_user) -> None:
    alice, bob, carol, dee = (matrix_user(n) for n in ("alice", "bob", "carol", "dee"))
    set_display_name(bob, "Bob")
    set_display_name(carol, "Carol")
    set_display_name(dee, "Dee")
    club = bob.create_room(invite=[alice.user_id, carol.user_id, dee.user_id], name="Book club")
    alice.join(club)
    carol.join(club)
    chapter = bob.send_text(club, "chapter 3 tonight")
    carol.react(club, chapter, "👍")  # Carol never writes here: her name is only state
    bob.react(club, chapter, "👍")
    alice.react(club, chapter, "📚")

    session = Session([await _linked_matrix(synapse, alice)])
    app = ChatApp(session)
    key = ("mx", club)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: key in session.inbox, "the book club")
        app.main.jump_to(key)

        def reactions_in() -> bool:
            messages = session.messages(key) if session.is_loaded(key) else []
            return any(len(m.reactions.get("👍", ())) == 2 for m in messages)

        await wait_for(pilot, reactions_in, "the message with its reactions")
        view = app.query_one(MessageView)
        view.focus()
        await pilot.press("end")
        await wait_for(
            pilot,
            lambda: (
                view.selected_message is not None
                and view.selected_message.body == "chapter 3 tonight"
            ),
            "Bob's message selected",
        )
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, WhoReacted), "the dialog")
        await wait_for(
            pilot,
            lambda: _shown(app) == ["👍 2 Carol and Bob", "📚 1 you"],
            "the reactions by display name",
        )

        # Dee joins and reacts while the dialog is open: named as she joined.
        await in_thread(dee.join, club)
        await in_thread(dee.react, club, chapter, "👍")
        await wait_for(
            pilot,
            lambda: _shown(app) == ["👍 3 Carol, Bob and Dee", "📚 1 you"],
            "Dee's reaction, by name, in the open dialog",
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main, "the dialog closed")
