"""Vanish mode from the app, against live servers: the key, the menu, the palette,
``/vanish`` in the composer, and when a message counts as seen.

Two real apps where the other side matters: what Alice chooses must reach Bob as
the shared setting and an in-thread notice. The rules under test are the app's:
a typed command is carried out and never sent as a message; a mistyped one stays
in the composer; a message counts as seen only while the thread is in view.
"""

from __future__ import annotations

import httpx
from textual.command import CommandPalette
from textual.widgets import OptionList

from chatui.core.models import VanishSetting
from chatui.ui.app import ChatApp
from chatui.ui.screens.vanish_menu import VanishMenu
from chatui.ui.widgets.composer import Composer
from chatui.ui.widgets.message_view import MessageView
from chatui.ui.widgets.status import KeyBar
from tests.ui.conftest import World, choose_in_palette, rendered, wait_for

FIVE_MINUTES = VanishSetting(mode="timer", seconds=300)


def server_bodies(world: World) -> list[str]:
    """The Lunch plans thread's bodies as the server has them (asked as Alice)."""
    response = httpx.get(
        f"{world.home.url}/v1/threads/{world.lunch[1]}/messages",
        headers={"Authorization": f"Bearer {world.alice.token}"},
        timeout=10,
    )
    response.raise_for_status()
    return [m["body"] for m in response.json()["messages"]]


async def open_alices_lunch(app: ChatApp, pilot) -> None:
    await wait_for(pilot, lambda: len(app.session.inbox) == 1, "Alice's thread")
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.focused is app.query_one(Composer), "the composer")


def alice_key(world: World) -> tuple[str, str]:
    return ("alice", world.lunch[1])


async def test_vanish_key_menu_five_minutes_reaches_the_other_side(world: World) -> None:
    alice_app = ChatApp(world.alice_session())
    bob_app = ChatApp(world.bob_session())
    async with alice_app.run_test(size=(110, 30)) as alice, bob_app.run_test(size=(110, 30)) as bob:
        await wait_for(bob, lambda: len(bob_app.session.inbox) == 2, "Bob's threads")
        await open_alices_lunch(alice_app, alice)
        # The key is in the footer while typing.
        assert "Vanish" in rendered(alice_app.query_one(KeyBar))

        await alice.press("ctrl+g")
        await wait_for(alice, lambda: isinstance(alice_app.screen, VanishMenu), "the menu")
        options = alice_app.screen.query_one(OptionList)
        marked = str(options.get_option_at_index(options.highlighted).prompt)
        assert marked.startswith("●") and "Off" in marked  # the current setting
        await alice.press("down", "down", "down")
        assert options.get_option_at_index(options.highlighted).id == "timer-300"
        await alice.press("enter")

        await wait_for(
            alice,
            lambda: alice_app.session.inbox.get(alice_key(world)).vanish == FIVE_MINUTES,
            "Alice's thread set to 5 minutes",
        )
        await wait_for(
            bob,
            lambda: bob_app.session.inbox.get(world.lunch).vanish == FIVE_MINUTES,
            "Bob's copy of the setting",
        )
        # Bob opens it (the notice made it the newest thread): the notice is in it.
        assert bob_app.session.inbox.at(0).key == world.lunch
        await bob.press("enter")
        await wait_for(bob, lambda: bob_app.main.shown_key == world.lunch, "Lunch plans open")
        view = bob_app.query_one(MessageView)
        await wait_for(
            bob,
            lambda: "set messages to disappear after 5 minutes" in rendered(view),
            "the notice on Bob's screen",
        )


async def test_slash_vanish_off_is_carried_out_and_not_sent(world: World) -> None:
    app = ChatApp(world.alice_session())
    async with app.run_test(size=(110, 30)) as pilot:
        await open_alices_lunch(app, pilot)
        await app.session.set_vanish(alice_key(world), VanishSetting(mode="vanish"))
        composer = app.query_one(Composer)
        await pilot.press(*"/vanish off", "enter")
        await wait_for(
            pilot,
            lambda: app.session.inbox.get(alice_key(world)).vanish.mode == "off",
            "vanish mode off",
        )
        assert composer.value == ""
        bodies = server_bodies(world)
        assert "/vanish off" not in bodies
        assert any("turned off vanish mode" in body for body in bodies)


async def test_unknown_slash_command_keeps_the_text_and_sends_nothing(world: World) -> None:
    app = ChatApp(world.alice_session())
    async with app.run_test(size=(110, 30)) as pilot:
        await open_alices_lunch(app, pilot)
        composer = app.query_one(Composer)
        await pilot.press(*"/shrug hi", "enter")
        await wait_for(
            pilot,
            lambda: any("Unknown command /shrug" in str(n.message) for n in app._notifications),
            "a notification naming the command",
        )
        assert composer.value == "/shrug hi"
        # And "//" sends it as text.
        composer.value = "//shrug hi"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "/shrug hi" in server_bodies(world), "the message sent")
        assert "//shrug hi" not in server_bodies(world)


async def test_a_refused_vanish_change_says_why_and_keeps_the_text(world: World) -> None:
    app = ChatApp(world.alice_session())
    async with app.run_test(size=(110, 30)) as pilot:
        await open_alices_lunch(app, pilot)
        # Alice's account is stopped underneath the app: the server will refuse.
        await app.session.linked["alice"].backend.close()
        composer = app.query_one(Composer)
        await pilot.press(*"/vanish 5m", "enter")
        await wait_for(pilot, lambda: composer.value == "/vanish 5m", "the command back")
        assert any("Vanish mode not changed" in str(n.message) for n in app._notifications)


async def test_palette_turns_vanish_mode_on(world: World) -> None:
    app = ChatApp(world.alice_session())
    async with app.run_test(size=(110, 30)) as pilot:
        await open_alices_lunch(app, pilot)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await choose_in_palette(pilot, "vanish mode: on", "Vanish mode: on")
        await wait_for(
            pilot,
            lambda: app.session.inbox.get(alice_key(world)).vanish.mode == "vanish",
            "vanish mode on",
        )


async def test_seen_counts_only_while_the_thread_is_in_view(world: World) -> None:
    alice_app = ChatApp(world.alice_session())
    bob_app = ChatApp(world.bob_session())
    async with alice_app.run_test(size=(110, 30)) as alice, bob_app.run_test(size=(110, 30)) as bob:
        await wait_for(bob, lambda: len(bob_app.session.inbox) == 2, "Bob's threads")
        await wait_for(alice, lambda: len(alice_app.session.inbox) == 1, "Alice's thread")
        await alice_app.session.set_vanish(alice_key(world), FIVE_MINUTES)
        await wait_for(
            bob,
            lambda: bob_app.session.inbox.get(world.lunch).vanish == FIVE_MINUTES,
            "the setting at Bob's",
        )
        first = await alice_app.session.send(alice_key(world), "first, under a timer")
        assert first is not None
        bob_app.main.jump_to(world.lunch)
        view = bob_app.query_one(MessageView)
        # Drawn on Bob's screen: his copy's clock starts.
        await wait_for(
            bob,
            lambda: bob_app.session.expires_at(world.lunch, first.message_id) is not None,
            "Bob's timer for the first message",
        )

        # A dialog over the thread: what arrives meanwhile is not seen yet...
        await bob.press("ctrl+g")
        await wait_for(bob, lambda: isinstance(bob_app.screen, VanishMenu), "the menu")
        second = await alice_app.session.send(alice_key(world), "second, behind the menu")
        assert second is not None
        await wait_for(
            bob,
            lambda: any(m.message_id == second.message_id for m in view.messages),
            "the second message in Bob's view",
        )
        for _ in range(5):
            await bob.pause()
        assert bob_app.session.expires_at(world.lunch, second.message_id) is None

        # ...until the dialog closes and the thread is in view again.
        await bob.press("escape")
        await wait_for(
            bob,
            lambda: bob_app.session.expires_at(world.lunch, second.message_id) is not None,
            "Bob's timer for the second message",
        )


async def test_suspending_closes_the_chat_and_resuming_opens_it(world: World) -> None:
    app = ChatApp(world.alice_session())
    async with app.run_test(size=(110, 30)) as pilot:
        await open_alices_lunch(app, pilot)
        await wait_for(pilot, lambda: app.session.open_key == alice_key(world), "open")
        app.app_suspend_signal.publish(app)  # what Ctrl+Z does before SIGTSTP
        await wait_for(pilot, lambda: app.session.open_key is None, "the chat closed")
        app.app_resume_signal.publish(app)
        await wait_for(pilot, lambda: app.session.open_key == alice_key(world), "open again")


async def test_custom_duration_in_the_menu(world: World) -> None:
    app = ChatApp(world.alice_session())
    async with app.run_test(size=(110, 30)) as pilot:
        await open_alices_lunch(app, pilot)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, VanishMenu), "the menu")
        menu = app.screen
        options = menu.query_one(OptionList)
        options.highlighted = options.get_option_index("custom")
        await pilot.press("enter")
        await pilot.press(*"soon", "enter")
        # A duration it cannot read: said in the menu, which stays open.
        await wait_for(
            pilot,
            lambda: "not a duration" in str(menu.query_one("#vanish-error").render()),
            "the error in the menu",
        )
        assert app.screen is menu
        await pilot.press(*["backspace"] * 4, *"2h", "enter")
        two_hours = VanishSetting(mode="timer", seconds=7200)
        await wait_for(
            pilot,
            lambda: app.session.inbox.get(alice_key(world)).vanish == two_hours,
            "two hours set",
        )
        # Opened again, the menu marks what is in force.
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, VanishMenu), "the menu again")
        options = app.screen.query_one(OptionList)
        marked = str(options.get_option_at_index(options.highlighted).prompt)
        assert marked.startswith("●") and "2 hours" in marked


async def test_vanish_message_goes_once_seen_and_the_chat_is_left(world: World) -> None:
    alice_app = ChatApp(world.alice_session())
    bob_app = ChatApp(world.bob_session())
    async with alice_app.run_test(size=(110, 30)) as alice, bob_app.run_test(size=(110, 30)) as bob:
        await wait_for(bob, lambda: len(bob_app.session.inbox) == 2, "Bob's threads")
        await wait_for(alice, lambda: len(alice_app.session.inbox) == 1, "Alice's thread")
        await alice_app.session.set_vanish(alice_key(world), VanishSetting(mode="vanish"))
        await wait_for(
            bob,
            lambda: bob_app.session.inbox.get(world.lunch).vanish.mode == "vanish",
            "the setting at Bob's",
        )
        sent = await alice_app.session.send(alice_key(world), "read me once")
        assert sent is not None
        bob_app.main.jump_to(world.lunch)
        view = bob_app.query_one(MessageView)
        await wait_for(bob, lambda: "read me once" in rendered(view), "on Bob's screen")
        await wait_for(
            bob,
            lambda: bob_app.session.vanish_pending_close(world.lunch, sent.message_id),
            "seen, waiting for the chat to close",
        )
        # Going back to the list is not leaving: the thread is still on screen.
        await bob.press("escape")
        await bob.pause()
        assert any(m.message_id == sent.message_id for m in bob_app.session.messages(world.lunch))

        bob_app.main.jump_to(world.climbing)  # leaving the chat
        await wait_for(
            bob,
            lambda: all(
                m.message_id != sent.message_id for m in bob_app.session.messages(world.lunch)
            ),
            "the message gone from Bob's copy",
        )
        bob_app.main.jump_to(world.lunch)
        await wait_for(bob, lambda: bob_app.main.shown_key == world.lunch, "Lunch plans again")
        await bob.pause()
        assert "read me once" not in rendered(view)


async def test_turning_vanish_on_is_stated_once_by_the_header(world: World) -> None:
    """At 120 columns the header says it on one line; the conversation has only the
    notice of who changed it (history, which the others see too): no banner over the
    messages and no toast over the composer (issue 12, item 15)."""
    app = ChatApp(world.alice_session())
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await open_alices_lunch(app, pilot)
        await pilot.press(*"/vanish 5m", "enter")
        await wait_for(
            pilot,
            lambda: app.session.inbox.get(alice_key(world)).vanish == FIVE_MINUTES,
            "vanish mode on",
        )
        view = app.query_one(MessageView)
        await wait_for(pilot, lambda: "you set messages" in rendered(view), "the notice")
        header = app.main.thread_header.plain.split("\n")
        assert "⏳ 5m" in header[0] and "messages disappear after 5 minutes" in header[0]
        said = [line for line in rendered(view).splitlines() if "disappear" in line]
        assert len(said) == 1 and "you set messages to disappear after 5 minutes" in said[0]
        assert not [n for n in app._notifications if "disappear" in str(n.message)]
