"""A chat's shared look on a real Synapse: Alice's theme and reactions on Bob's screen.

The same story as tests/ui/test_app_shared_look.py, through the Matrix adapter
both ways: Alice is a Session on her own Matrix device (what her app calls), Bob
is the real app (Pilot) on his. What is checked is what Bob notices: his thread
drawn in Alice's theme, the notice line naming her by her Matrix display name,
and the reaction chips under his message, as they come and go. One room and one
test: Synapse is shared by the run and every request costs.
"""

from __future__ import annotations

from chatui.backends.matrix import MatrixBackend
from chatui.core.models import ConnectionState
from chatui.core.themes import load_themes
from chatui.session.session import LinkedAccount, Session
from chatui.ui.app import ChatApp
from chatui.ui.widgets.message_view import MessageView
from tests.backends.matrix.helpers_matrix import account_for, fast, in_thread, set_display_name
from tests.backends.matrix.synapse import MatrixUser, SynapseServer
from tests.ui.conftest import rendered, wait_for
from tests.ui.test_app_shared_look import chips_under

BOBS_LINE = "sure, where?"
WAIT = 60.0  # Synapse's sync round trips on a busy CI machine; only bounds a hang


async def linked_matrix(synapse: SynapseServer, user: MatrixUser) -> LinkedAccount:
    """The user's Matrix account on a device of its own, logged in as the app does."""
    config = account_for(synapse, user)
    login = fast(MatrixBackend(config))
    token = (await login.login(user.user_id, user.password or "")).token
    await login.close()
    return LinkedAccount(config, fast(MatrixBackend(config)), token)


async def test_alices_theme_and_reactions_show_on_bobs_matrix_screen(synapse, matrix_user) -> None:
    catalog = load_themes(None)
    theme = next(t for t in catalog.themes.values() if t.name == "Ocean")
    quick = theme.quick_reaction
    assert quick != catalog.default.quick_reaction  # tells the theme's own from the default

    alice_user, bob_user = matrix_user("alice"), matrix_user("bob")
    set_display_name(alice_user, "Alice")
    room = alice_user.create_room(invite=[bob_user.user_id], name="Lunch plans")
    bob_user.join(room)
    bob_user.send_text(room, BOBS_LINE)
    key = ("mx", room)

    alice = Session([await linked_matrix(synapse, alice_user)])
    bob_app = ChatApp(Session([await linked_matrix(synapse, bob_user)]))
    try:
        async with bob_app.run_test(size=(110, 30)) as bob:
            await alice.start()
            # Bob has the conversation open: everything below reaches him live.
            await wait_for(bob, lambda: key in bob_app.session.inbox, "Bob's room", WAIT)
            bob_app.main.jump_to(key)
            view = bob_app.query_one(MessageView)
            await wait_for(bob, lambda: BOBS_LINE in rendered(view), "Bob's own line", WAIT)
            assert view.chat_styles is not None and view.chat_styles.theme.name == "Default"
            await wait_for(
                bob,
                lambda: alice.states["mx"][0] is ConnectionState.CONNECTED,
                "Alice live",
                WAIT,
            )

            # Alice shares the theme: Bob's thread is drawn in it, and says who did it.
            await alice.set_theme(key, theme.to_wire())
            await wait_for(
                bob,
                lambda: view.chat_styles is not None and view.chat_styles.theme.name == "Ocean",
                "Bob's thread drawn in Ocean",
                WAIT,
            )
            assert view.chat_styles.theme.mine_bubble == theme.mine_bubble
            assert view.chat_styles.theme.theirs_bubble == theme.theirs_bubble
            await wait_for(
                bob,
                lambda: "Alice changed the theme to Ocean" in rendered(view),
                "the notice, with Alice's display name, on Bob's screen",
                WAIT,
            )

            # Alice reacts to Bob's message (its id as her own client has it).
            await alice.open_thread(key)
            await wait_for(
                bob,
                lambda: any(m.body == BOBS_LINE for m in alice.messages(key)),
                "Bob's message at Alice's",
                WAIT,
            )
            target = next(m for m in alice.messages(key) if m.body == BOBS_LINE)
            assert await alice.toggle_reaction(key, target.message_id, quick) is True
            await wait_for(
                bob,
                lambda: chips_under(view, BOBS_LINE) == {quick: 1},
                f"{quick} 1 under Bob's message on his screen",
                WAIT,
            )

            # Bob's quick reaction (the theme's, there being nothing of Alice's to
            # react to but the notice) joins hers: one chip, counted twice.
            await bob.press("ctrl+r")
            await wait_for(
                bob,
                lambda: chips_under(view, BOBS_LINE) == {quick: 2},
                f"{quick} 2 on Bob's screen",
                WAIT,
            )

            # Alice takes hers back (a redaction on Matrix): the count drops on Bob's
            # screen; Bob takes his back with the same key: the chip goes.
            await wait_for(
                bob,
                lambda: any(
                    m.body == BOBS_LINE and alice_user.user_id in m.reactions.get(quick, ())
                    for m in alice.messages(key)
                ),
                "Alice's copy with her reaction",
                WAIT,
            )
            assert await alice.toggle_reaction(key, target.message_id, quick) is False
            await wait_for(
                bob,
                lambda: chips_under(view, BOBS_LINE) == {quick: 1},
                f"{quick} back to 1 on Bob's screen",
                WAIT,
            )
            await bob.press("ctrl+r")
            await wait_for(
                bob,
                lambda: chips_under(view, BOBS_LINE) == {},
                "no chip left on Bob's screen",
                WAIT,
            )
            assert "Alice changed the theme to Ocean" in rendered(view)
            assert view.chat_styles.theme.name == "Ocean"
    finally:
        await alice.stop()
    # The homeserver agrees: no reaction is left in force on Bob's message.
    events = await in_thread(bob_user.room_events, room, "m.reaction")
    redacted = {
        e["content"].get("redacts", e.get("redacts"))
        for e in await in_thread(bob_user.room_events, room, "m.room.redaction")
    }
    assert len(events) == 2
    assert {e["event_id"] for e in events} <= redacted
