"""Reactions from the app, against a live server: the one-key quick reaction (the
thread theme's first), ``/react``, the emoji picker, and inserting an emoji into
the composer. What counts is what the server records, since that is what the
other person's client shows.
"""

from __future__ import annotations

import httpx

from chatui.core.themes import load_themes
from chatui.ui.app import ChatApp
from chatui.ui.screens.emoji_picker import EmojiPicker
from chatui.ui.widgets.composer import Composer
from chatui.ui.widgets.message_view import MessageView
from tests.ui.conftest import World, wait_for


def server_reactions(world: World) -> dict[str, list[str]]:
    """The reactions on Alice's "pizza at noon?" as the server has them."""
    response = httpx.get(
        f"{world.home.url}/v1/threads/{world.lunch[1]}/messages",
        headers={"Authorization": f"Bearer {world.alice.token}"},
        timeout=10,
    )
    response.raise_for_status()
    pizza = next(m for m in response.json()["messages"] if m["body"] == "pizza at noon?")
    return pizza["reactions"]


async def open_bobs_lunch(app: ChatApp, pilot, world: World) -> None:
    await wait_for(pilot, lambda: len(app.session.inbox) == 2, "Bob's threads")
    app.main.jump_to(world.lunch)
    await wait_for(
        pilot,
        lambda: any(m.body == "pizza at noon?" for m in app.session.messages(world.lunch)),
        "Alice's message loaded",
    )


async def test_quick_reaction_reaches_the_server_and_toggles(world: World) -> None:
    quick = load_themes(None).default.quick_reaction
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(110, 30)) as pilot:
        await open_bobs_lunch(app, pilot, world)
        assert app.focused is app.query_one(Composer)  # works while typing
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: server_reactions(world) == {quick: ["bob"]}, "Bob's reaction")
        # The session hears of it (the live stream), then the same key takes it back.
        await wait_for(
            pilot,
            lambda: any(
                m.reactions.get(quick) == ("bob",) for m in app.session.messages(world.lunch)
            ),
            "the reaction in Bob's copy",
        )
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: server_reactions(world) == {}, "the reaction taken back")


async def test_slash_react_with_a_shortcode(world: World) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(110, 30)) as pilot:
        await open_bobs_lunch(app, pilot, world)
        await pilot.press(*"/react :heart:", "enter")
        await wait_for(pilot, lambda: server_reactions(world) == {"❤️": ["bob"]}, "a heart")
        assert app.query_one(Composer).value == ""


async def test_react_with_any_emoji_from_the_picker(world: World) -> None:
    reactions = load_themes(None).default.reactions
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(110, 30)) as pilot:
        await open_bobs_lunch(app, pilot, world)
        await pilot.press("ctrl+y")
        await wait_for(pilot, lambda: isinstance(app.screen, EmojiPicker), "the picker")
        assert list(app.screen.first) == list(reactions)  # the theme's set comes first
        await pilot.press("enter")  # the first one
        await wait_for(
            pilot, lambda: server_reactions(world) == {reactions[0]: ["bob"]}, "the reaction"
        )


async def test_insert_an_emoji_into_the_composer(world: World) -> None:
    reactions = load_themes(None).default.reactions
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(110, 30)) as pilot:
        await open_bobs_lunch(app, pilot, world)
        composer = app.query_one(Composer)
        await pilot.press(*"see you ")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, EmojiPicker), "the picker")
        await pilot.press("enter")
        await wait_for(pilot, lambda: composer.value == f"see you {reactions[0]}", "inserted")
        assert app.focused is composer
        assert server_reactions(world) == {}  # inserting is not reacting


async def test_quick_reaction_goes_to_the_selected_message(world: World) -> None:
    world.home.database.add_message(world.lunch[1], "alice", "or sushi?")
    quick = load_themes(None).default.quick_reaction
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(110, 30)) as pilot:
        await open_bobs_lunch(app, pilot, world)
        await wait_for(
            pilot,
            lambda: any(m.body == "or sushi?" for m in app.session.messages(world.lunch)),
            "both of Alice's messages",
        )
        view = app.query_one(MessageView)
        view.focus()
        await pilot.press("home")  # the oldest: "pizza at noon?", not the newest
        await wait_for(
            pilot,
            lambda: (
                view.selected_message is not None and view.selected_message.body == "pizza at noon?"
            ),
            "the first message selected",
        )
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: server_reactions(world) == {quick: ["bob"]}, "on pizza")
