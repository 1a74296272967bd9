"""Who reacted: ``w`` on a selected message lists each reaction with the names of
who put it, against a live reference server where Alice and Bob both react. The
dialog follows reactions that come and go while it is open.
"""

from __future__ import annotations

import httpx
from textual.widgets import OptionList, Static

from chatui.core.emoji_width import steady_emoji
from chatui.ui.app import ChatApp
from chatui.ui.screens.who_reacted import WhoReacted
from chatui.ui.widgets.message_view import MessageView
from tests.ui.conftest import World, choose_in_palette, palette_options, rendered_lines, wait_for
from tests.ui.test_app_reactions import open_bobs_lunch


def pizza_id(world: World) -> str:
    """The id of Alice's "pizza at noon?" on the server."""
    response = httpx.get(
        f"{world.home.url}/v1/threads/{world.lunch[1]}/messages",
        headers={"Authorization": f"Bearer {world.alice.token}"},
        timeout=10,
    )
    response.raise_for_status()
    return next(m for m in response.json()["messages"] if m["body"] == "pizza at noon?")[
        "message_id"
    ]


def react(world: World, who: str, emoji: str, *, add: bool = True) -> None:
    """``who`` reacts to "pizza at noon?" through the server's own reaction code."""
    database = world.home.database
    database.react(database.caller(who), world.lunch[1], pizza_id(world), emoji, add=add)


HEART = steady_emoji("❤️").strip()
"""❤️ as the screen draws it: its stand-in (docs/emoji.md), since terminals disagree
on its width."""


def shown(app: ChatApp) -> list[str]:
    """The dialog's rows as a person reads them, words separated by one space."""
    lines = rendered_lines(app.screen.query_one(OptionList))
    return [" ".join(line.split()) for line in lines if line.strip()]


def palette_done(app: ChatApp, query: str) -> bool:
    """The command palette has finished searching for ``query``."""
    from textual.command import CommandPalette

    palette = app.screen
    if not isinstance(palette, CommandPalette) or palette.query_one("Input").value != query:
        return False
    return not any(
        worker.group == CommandPalette._GATHER_COMMANDS_GROUP and not worker.is_finished
        for worker in app.workers
    )


async def select_pizza(app: ChatApp, pilot) -> MessageView:
    view = app.query_one(MessageView)
    view.focus()
    await pilot.press("end")  # the newest message, the only one: "pizza at noon?"
    await wait_for(
        pilot,
        lambda: (
            view.selected_message is not None and view.selected_message.body == "pizza at noon?"
        ),
        "Alice's message selected",
    )
    return view


async def test_who_reacted_names_everyone_and_follows_live(world: World) -> None:
    react(world, "alice", "👍")
    react(world, "bob", "👍")
    react(world, "bob", "❤️")
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(110, 30)) as pilot:
        await open_bobs_lunch(app, pilot, world)
        await wait_for(
            pilot,
            lambda: any(len(m.reactions) == 2 for m in app.session.messages(world.lunch)),
            "the reactions in Bob's copy",
        )
        view = await select_pizza(app, pilot)
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, WhoReacted), "the dialog")
        assert shown(app) == ["👍 2 alice and you", f"{HEART} 1 you"]
        about = app.screen.query_one("#who-reacted-about", Static)
        assert "On alice's message: pizza at noon?" in str(about.render())

        # Alice reacts again, then takes her 👍 back: the open dialog follows.
        react(world, "alice", "🎉")
        await wait_for(
            pilot,
            lambda: shown(app) == ["👍 2 alice and you", f"{HEART} 1 you", "🎉 1 alice"],
            "Alice's 🎉 in the open dialog",
        )
        react(world, "alice", "👍", add=False)
        await wait_for(
            pilot,
            lambda: shown(app) == ["👍 1 you", f"{HEART} 1 you", "🎉 1 alice"],
            "Alice's 👍 gone from the open dialog",
        )

        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main, "the dialog closed")
        assert app.focused is view


async def test_the_last_reaction_taken_back_while_open_says_so(world: World) -> None:
    react(world, "alice", "👍")
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(110, 30)) as pilot:
        await open_bobs_lunch(app, pilot, world)
        await wait_for(
            pilot,
            lambda: any(m.reactions for m in app.session.messages(world.lunch)),
            "Alice's reaction in Bob's copy",
        )
        await select_pizza(app, pilot)
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, WhoReacted), "the dialog")
        assert shown(app) == ["👍 1 alice"]
        react(world, "alice", "👍", add=False)
        none = app.screen.query_one("#who-reacted-none", Static)
        await wait_for(
            pilot,
            lambda: none.display and "No reactions on this message." in str(none.render()),
            "the dialog saying none are left",
        )
        assert not app.screen.query_one(OptionList).display


async def test_without_reactions_it_says_so_and_needs_a_selected_message(world: World) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(110, 30)) as pilot:
        await open_bobs_lunch(app, pilot, world)
        main = app.main
        # Typing in the message box, "w" is a letter of the message.
        await pilot.press("w")
        assert not isinstance(app.screen, WhoReacted)
        assert main.composer.value == "w"
        main.composer.value = ""
        # The conversation focused with nothing selected: nothing to ask about.
        view = app.query_one(MessageView)
        view.focus()
        await pilot.pause()
        assert view.selected_message is None
        assert not main.check_action("who_reacted", ())
        await select_pizza(app, pilot)
        assert main.check_action("who_reacted", ())
        await pilot.press("w")
        await wait_for(
            pilot,
            lambda: any(
                "No reactions on this message." in str(n.message) for n in app._notifications
            ),
            "told there are none",
        )
        assert app.screen is main


async def test_the_palette_offers_it_for_the_selected_message(world: World) -> None:
    react(world, "alice", "🍕")
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(110, 30)) as pilot:
        await open_bobs_lunch(app, pilot, world)
        await wait_for(
            pilot,
            lambda: any(m.reactions for m in app.session.messages(world.lunch)),
            "Alice's reaction in Bob's copy",
        )
        # Not offered while typing: there is no selected message to ask about.
        await pilot.press("ctrl+p")
        await pilot.press(*"who reacted")
        await wait_for(pilot, lambda: palette_done(app, "who reacted"), "the palette's search")
        assert not any("Who reacted" in option for option in palette_options(app))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main, "the palette closed")

        await select_pizza(app, pilot)
        await pilot.press("ctrl+p")
        await choose_in_palette(pilot, "who reacted", "Who reacted")
        await wait_for(pilot, lambda: isinstance(app.screen, WhoReacted), "the dialog")
        assert shown(app) == ["🍕 1 alice"]
