"""Emoji terminals draw at different widths, in the app: drawn by a stand-in of the
width Textual counted (so no border moves), sent exactly as typed.

What a real terminal makes of the stand-ins is tests/e2e/test_emoji_tmux.py; here
the app over a live server: the screen shows the stand-ins, the message box keeps
every code point typed (a ZWJ too, which Textual's Input would drop), the server
gets them all, and ``[display] emoji = "exact"`` draws them as they are.
"""

from __future__ import annotations

import httpx
from textual import events
from textual.geometry import Region
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widget import Widget

from chatui.profile.display_settings import save_setting
from chatui.profile.folders import Profile
from chatui.ui.app import ChatApp
from chatui.ui.screens.emoji_picker import EmojiPicker
from chatui.ui.widgets.composer import Composer
from chatui.ui.widgets.message_view import MessageView
from tests.ui.conftest import World, wait_for
from tests.ui.test_app_reactions import open_bobs_lunch

TYPED = "fog 😶\u200d🌫️ sigh 😮\u200d💨 love ❤️ ok 👍🏽"
"""Typed key by key, as an emoji keyboard sends them: ZWJs and VS16 are keys too."""
DRAWN = "fog 😶 sigh 😮 love ❤  ok 👍"


def drawn(widget: Widget) -> str:
    """Every line of ``widget`` as it leaves for the terminal, border and all."""
    width, height = widget.outer_size
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, width, height)))


def server_bodies(world: World) -> list[str]:
    response = httpx.get(
        f"{world.home.url}/v1/threads/{world.lunch[1]}/messages",
        headers={"Authorization": f"Bearer {world.alice.token}"},
        timeout=10,
    )
    response.raise_for_status()
    return [m["body"] for m in response.json()["messages"]]


async def type_in(pilot: Pilot, app: ChatApp) -> None:
    """Each code point as the terminal's input parser hands it over (a key named
    after the character, carrying it): Pilot's ``press`` knows only the characters
    whose Unicode name Textual can look up, and drops most emoji."""
    composer = app.query_one(Composer)
    driver = app._driver
    assert driver is not None
    for character in TYPED:
        name = character if character.isalnum() else _character_to_key(character)
        driver.send_message(events.Key(name, character))
        await pilot.pause()
    await wait_for(pilot, lambda: composer.value == TYPED, "every code point in the box")


async def test_the_box_and_the_conversation_draw_stand_ins_and_send_every_code_point(
    world: World,
) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(100, 30)) as pilot:
        await open_bobs_lunch(app, pilot, world)
        await type_in(pilot, app)
        composer = app.query_one(Composer)
        assert DRAWN in drawn(composer)
        await pilot.press("enter")
        await wait_for(pilot, lambda: TYPED in server_bodies(world), "the message, unchanged")
        view = app.query_one(MessageView)
        await wait_for(pilot, lambda: DRAWN in drawn(view), "the message drawn")
        assert not any("\u200d" in line or "\ufe0f" in line for line in drawn(view).splitlines())


async def test_exact_draws_every_emoji_as_it_is(world: World, tmp_path) -> None:
    profile = Profile(config_dir=tmp_path / "config", data_dir=tmp_path / "data")
    save_setting(profile, "emoji", "exact")
    app = ChatApp(world.bob_session(), profile)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_bobs_lunch(app, pilot, world)
        await type_in(pilot, app)
        assert TYPED in drawn(app.query_one(Composer))


async def test_the_picker_says_which_emoji_it_shows_simplified(world: World) -> None:
    """❤️‍🔥 and ❤️ are both drawn as ❤ here: the line under the grid tells them apart."""
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(100, 30)) as pilot:
        await open_bobs_lunch(app, pilot, world)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, EmojiPicker), "the picker")
        info = app.screen.query_one("#emoji-info")
        await pilot.press(*"heart on fire")
        await wait_for(pilot, lambda: "heart on fire" in drawn(info), "the heart on fire")
        assert "shown simplified" in drawn(info)
        for _ in "heart on fire":
            await pilot.press("backspace")
        await pilot.press(*"grinning face")
        await wait_for(pilot, lambda: "grinning face" in drawn(info), "a plain emoji")
        assert "simplified" not in drawn(info)
