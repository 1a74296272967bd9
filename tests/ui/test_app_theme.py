"""Chat themes from the app, against a live server: the picker's live preview,
Esc putting the old look back, Enter sharing the theme, ``/theme NAME``, and a bad
theme file reported once, naming the file and the field.

What the user sees of a theme is the message view's ``chat_styles`` (the Rich
styles the view paints with); the tests follow that object as it changes.
"""

from __future__ import annotations

from pathlib import Path

from textual.containers import Vertical
from textual.widgets import OptionList

from chatui.profile.folders import Profile
from chatui.ui.app import ChatApp
from chatui.ui.screens.theme_picker import ThemePicker
from chatui.ui.widgets.composer import Composer
from chatui.ui.widgets.message_view import MessageView
from chatui.ui.widgets.thread_list import ThreadListView
from tests.ui.conftest import World, choose_in_palette, rendered, wait_for
from tests.ui.test_app_vanish import alice_key, open_alices_lunch, server_bodies


def picker_theme(app: ChatApp):
    screen = app.screen
    assert isinstance(screen, ThemePicker)
    options = screen.query_one(OptionList)
    return screen.themes[options.highlighted]


async def test_picker_previews_live_and_esc_restores(world: World) -> None:
    app = ChatApp(world.alice_session())
    async with app.run_test(size=(110, 30)) as pilot:
        await open_alices_lunch(app, pilot)
        view = app.query_one(MessageView)
        before = view.chat_styles
        assert before is not None and before.theme.name == "Default"

        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, ThemePicker), "the picker")
        # The theme in force is the one marked and highlighted.
        assert picker_theme(app).name == "Default"
        await pilot.press("down")
        moved_to = picker_theme(app)
        assert moved_to.name != "Default"
        await wait_for(
            pilot,
            lambda: view.chat_styles is not None and view.chat_styles.theme == moved_to,
            "the thread restyled at once",
        )
        await pilot.press("down")
        await wait_for(
            pilot,
            lambda: view.chat_styles.theme == picker_theme(app),
            "restyled again",
        )

        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ThemePicker), "closed")
        assert view.chat_styles is before
        # Nothing was shared.
        assert app.session.inbox.get(alice_key(world)).theme in (None, {})
        assert not any("changed the theme" in body for body in server_bodies(world))


async def test_the_picker_covers_the_list_and_leaves_the_conversation_whole(
    world: World,
) -> None:
    """At 80 and 60 columns the preview is the point: the panel lies over the thread
    list (which takes the panel's width meanwhile), never over the conversation."""
    app = ChatApp(world.alice_session())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_alices_lunch(app, pilot)
        view = app.query_one(MessageView)
        threads = app.query_one(ThreadListView)
        for size in ((80, 24), (60, 20)):
            await pilot.resize_terminal(*size)
            await wait_for(pilot, lambda size=size: app.size == size, "the resize")
            await pilot.pause()
            list_width = threads.region.width
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: isinstance(app.screen, ThemePicker), "the picker")
            await pilot.pause()
            panel = app.screen.query_one(Vertical).region
            assert panel.x == 0 and panel.right <= view.region.x
            assert view.region.width >= size[0] // 2  # most of the width: the preview
            names = rendered(app.screen.query_one(OptionList))
            assert "High Contrast" in names  # the longest name, whole
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, ThemePicker), "closed")
            await pilot.pause()
            assert threads.region.width == list_width  # its own width again


async def test_enter_shares_the_theme_with_the_other_side(world: World) -> None:
    alice_app = ChatApp(world.alice_session())
    bob_app = ChatApp(world.bob_session())
    async with alice_app.run_test(size=(110, 30)) as alice, bob_app.run_test(size=(110, 30)) as bob:
        await wait_for(bob, lambda: len(bob_app.session.inbox) == 2, "Bob's threads")
        await open_alices_lunch(alice_app, alice)
        await alice.press("ctrl+t")
        await wait_for(alice, lambda: isinstance(alice_app.screen, ThemePicker), "the picker")
        await alice.press("down")
        chosen = picker_theme(alice_app)
        await alice.press("enter")

        def bobs_theme_name() -> object:
            theme = bob_app.session.inbox.get(world.lunch).theme
            return theme.get("name") if theme else None

        await wait_for(bob, lambda: bobs_theme_name() == chosen.name, "the theme at Bob's")
        bob_app.main.jump_to(world.lunch)
        view = bob_app.query_one(MessageView)
        await wait_for(
            bob,
            lambda: f"changed the theme to {chosen.name}" in rendered(view),
            "the notice on Bob's screen",
        )
        await wait_for(
            bob,
            lambda: view.chat_styles is not None and view.chat_styles.theme.name == chosen.name,
            "Bob's thread drawn in it",
        )
        # Alice's own view keeps the chosen look.
        alice_view = alice_app.query_one(MessageView)
        assert alice_view.chat_styles.theme.name == chosen.name


async def test_slash_theme_sets_by_name_and_unknown_keeps_the_text(world: World) -> None:
    app = ChatApp(world.alice_session())
    async with app.run_test(size=(110, 30)) as pilot:
        await open_alices_lunch(app, pilot)
        composer = app.query_one(Composer)
        await pilot.press(*"/theme nosuch", "enter")
        await wait_for(
            pilot,
            lambda: any("No single theme called" in str(n.message) for n in app._notifications),
            "a notification",
        )
        assert composer.value == "/theme nosuch"

        composer.value = "/theme sunset"
        await pilot.press("enter")

        def theme_name() -> object:
            theme = app.session.inbox.get(alice_key(world)).theme
            return theme.get("name") if theme else None

        await wait_for(pilot, lambda: theme_name() == "Sunset", "Sunset shared")
        assert composer.value == ""
        assert app.query_one(MessageView).chat_styles.theme.name == "Sunset"
        assert "/theme sunset" not in server_bodies(world)


async def test_a_bad_theme_file_is_reported_once_naming_file_and_field(
    world: World, tmp_path: Path
) -> None:
    profile = Profile(config_dir=tmp_path / "config", data_dir=tmp_path / "data")
    themes = profile.config_dir / "themes"
    themes.mkdir(parents=True)
    (themes / "broken.toml").write_text(
        'name = "Broken"\ndark = true\nmine_bubble = "orangeish"\ntheirs_bubble = "#303030"\n'
        'accent = "#ffffff"\nbackground = "#000000"\nquick_reactions = ["👍"]\n',
        encoding="utf-8",
    )
    app = ChatApp(world.alice_session(), profile)
    async with app.run_test(size=(110, 30)) as pilot:

        def reports() -> list[str]:
            return [str(n.message) for n in app._notifications if "broken.toml" in str(n.message)]

        await wait_for(pilot, lambda: reports(), "the report")
        assert "mine_bubble" in reports()[0]
        await open_alices_lunch(app, pilot)
        await pilot.press("ctrl+t")  # reads the catalog again: no second report
        await wait_for(pilot, lambda: isinstance(app.screen, ThemePicker), "the picker")
        assert len(reports()) == 1
        assert "Broken" not in [t.name for t in app.screen.themes]
        assert "Sunset" in [t.name for t in app.screen.themes]


async def test_palette_has_the_chat_theme_and_keeps_textuals_theme(world: World) -> None:
    from textual.command import CommandList, CommandPalette

    app = ChatApp(world.alice_session())
    async with app.run_test(size=(110, 30)) as pilot:
        await open_alices_lunch(app, pilot)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press(*"theme")

        def prompts() -> list[str]:
            results = app.screen.query_one(CommandList)
            return [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]

        await wait_for(
            pilot,
            lambda: (
                any("Chat theme" in p for p in prompts())
                and any(p.startswith("Theme") for p in prompts())
            ),
            "both the chat theme and the app theme",
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, CommandPalette), "closed")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await choose_in_palette(pilot, "chat theme", "Chat theme")
        await wait_for(pilot, lambda: isinstance(app.screen, ThemePicker), "the picker")
