"""A user's ``[keys]`` in config.toml, in the real app against a live server: a
rebound action answers to its new key (while typing, too), the help, the footer
and the palette say the new key, and a bad or clashing entry is reported by name
at start while that action keeps its default."""

from __future__ import annotations

from pathlib import Path

from chatui.core.themes import load_themes
from chatui.profile.folders import Profile
from chatui.ui.app import ChatApp
from chatui.ui.screens.help import HelpScreen
from chatui.ui.screens.theme_picker import ThemePicker
from chatui.ui.widgets.composer import Composer
from chatui.ui.widgets.status import KeyBar
from tests.ui.conftest import World, rendered, wait_for
from tests.ui.test_app_reactions import open_bobs_lunch, server_reactions

KEYS = """
[keys]
react = "ctrl+e"
vanish_on = "alt+v"
theme_picker = "ctrl+q"   # Quit's key: refused, Ctrl+T stays
nonsense = "f6"           # no such action
insert_emoji = 5          # not a string
"""


def profile_with_keys(tmp_path: Path) -> Profile:
    profile = Profile(config_dir=tmp_path / "config", data_dir=tmp_path / "data")
    profile.config_dir.mkdir(parents=True)
    profile.config_file.write_text(KEYS, encoding="utf-8")
    return profile


def notices(app: ChatApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_rebound_keys_work_and_bad_ones_are_named(world: World, tmp_path: Path) -> None:
    quick = load_themes(None).default.quick_reaction
    app = ChatApp(world.bob_session(), profile_with_keys(tmp_path))
    async with app.run_test(size=(120, 30)) as pilot:
        await open_bobs_lunch(app, pilot, world)
        await wait_for(pilot, lambda: len(notices(app)) >= 3, "the key problems reported")
        said = "\n".join(notices(app))
        assert "[keys] theme_picker: 'ctrl+q' is already the key of 'quit'" in said
        assert "its default ctrl+t is kept" in said
        assert "[keys] nonsense: no such action" in said
        assert "[keys] insert_emoji: must be a string of keys" in said
        assert str(app.profile.config_file) in said  # the file is named too

        # Ctrl+E reacts, from the message box (whose own Ctrl+E is "end of line").
        assert app.focused is app.query_one(Composer)
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: server_reactions(world) == {quick: ["bob"]}, "the reaction")
        # Ctrl+R is no longer the quick reaction: it does nothing now.
        await pilot.press("ctrl+r")
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: server_reactions(world) == {}, "the reaction taken back")

        # A palette-only action given a key: Alt+V turns vanish mode on for everyone.
        await pilot.press("alt+v")
        await wait_for(
            pilot,
            lambda: app.session.inbox.get(world.lunch).vanish.mode == "vanish",
            "vanish mode on",
        )

        # The refused entry kept its default.
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, ThemePicker), "the theme picker")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main, "the picker closed")

        # The footer and the help say the keys in force.
        bar = rendered(app.main.query_one(KeyBar))
        assert "^e React" in bar and "^r React" not in bar
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        text = app.screen.plain
        react_line = next(line for line in text.splitlines() if "quick reaction" in line)
        assert react_line.split()[0] == "^e"
        vanish_line = next(line for line in text.splitlines() if "vanish mode on" in line)
        assert vanish_line.split()[0] == "alt+v"
