"""The app's own colors (Textual's theme, chosen in the palette) are kept in
config.toml and used from the first frame of the next start; a theme name that
does not exist is reported by name and the default used."""

from __future__ import annotations

import tomllib
from pathlib import Path

from chatui.profile.folders import Profile
from chatui.ui.app import ChatApp
from tests.ui.conftest import World, choose_in_palette, wait_for


def a_profile(tmp_path: Path) -> Profile:
    profile = Profile(config_dir=tmp_path / "config", data_dir=tmp_path / "data")
    profile.config_dir.mkdir(parents=True)
    return profile


async def test_the_app_theme_chosen_in_the_palette_is_kept(world: World, tmp_path: Path) -> None:
    profile = a_profile(tmp_path)
    profile.config_file.write_text('[display]\nemoji = "glyph"\n', encoding="utf-8")
    app = ChatApp(world.bob_session(), profile)
    async with app.run_test(size=(110, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 2, "Bob's threads")
        assert app.theme != "nord"
        await pilot.press("ctrl+p")
        await choose_in_palette(pilot, "theme", "Theme")
        await choose_in_palette(pilot, "nord", "nord")
        await wait_for(pilot, lambda: app.theme == "nord", "the nord theme in use")

        def kept() -> dict:
            return tomllib.loads(profile.config_file.read_text(encoding="utf-8"))["display"]

        await wait_for(pilot, lambda: kept().get("app_theme") == "nord", "the choice kept")
        assert kept()["emoji"] == "glyph"  # the rest of the file as it was

    again = ChatApp(world.bob_session(), profile)
    seen_at_first_frame: list[str] = []
    async with again.run_test(size=(110, 30)) as pilot:
        seen_at_first_frame.append(again.theme)
        await pilot.pause()
    assert seen_at_first_frame == ["nord"]


async def test_an_unknown_app_theme_is_named_and_the_default_used(
    world: World, tmp_path: Path
) -> None:
    profile = a_profile(tmp_path)
    profile.config_file.write_text('[display]\napp_theme = "nope"\n', encoding="utf-8")
    app = ChatApp(world.bob_session(), profile)
    default = ChatApp(None).theme
    async with app.run_test(size=(110, 30)) as pilot:
        await wait_for(
            pilot,
            lambda: any(
                "app_theme: no app theme called 'nope'" in str(n.message)
                for n in app._notifications
            ),
            "the warning",
        )
        assert app.theme == default
    # Nothing was written over the user's value.
    assert 'app_theme = "nope"' in profile.config_file.read_text(encoding="utf-8")


async def test_display_settings_are_read_once_and_apply(world: World, tmp_path: Path) -> None:
    # The app reads [display] before its first frame (the app theme) and the chat
    # themes take the rest from that same reading: a bad value is said once.
    profile = a_profile(tmp_path)
    profile.config_file.write_text(
        '[display]\ntheme = "Ocean"\nemoji = "pictures"\napp_theme = "nord"\n', encoding="utf-8"
    )
    app = ChatApp(world.bob_session(), profile)
    async with app.run_test(size=(110, 30)) as pilot:
        assert app.theme == "nord"
        await wait_for(pilot, lambda: len(app.session.inbox) == 2, "Bob's threads")
        app.main.jump_to(world.lunch)
        view = app.main.message_view
        await wait_for(
            pilot,
            lambda: view.chat_styles is not None and view.chat_styles.theme.name == "Ocean",
            "the default chat theme from [display]",
        )
        said = [str(n.message) for n in app._notifications if "[display] emoji" in str(n.message)]
        assert len(said) == 1
