"""The palette's "Screenshot" makes its folder when it is missing (a fresh account
has no ~/Downloads), and says where it wrote; a folder that cannot be made is
named with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatui.ui.app import ChatApp
from tests.ui.conftest import World, choose_in_palette, wait_for


async def test_screenshot_creates_the_downloads_folder(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    downloads = home / "Downloads"
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(110, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 2, "Bob's threads")
        await pilot.press("ctrl+p")
        await choose_in_palette(pilot, "screenshot", "Screenshot")
        await wait_for(pilot, lambda: list(downloads.glob("*.svg")), "the screenshot saved")
        await wait_for(
            pilot,
            lambda: any(str(downloads) in str(n.message) for n in app._notifications),
            "where it was saved, said",
        )
        assert "<svg" in next(downloads.glob("*.svg")).read_text(encoding="utf-8")


async def test_a_folder_that_cannot_be_made_is_named(world: World, tmp_path: Path) -> None:
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("")
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(110, 30)) as pilot:
        assert app.deliver_screenshot(path=str(in_the_way / "shots")) is None
        await wait_for(
            pilot,
            lambda: any(
                f"Screenshot not saved: cannot create {in_the_way / 'shots'}" in str(n.message)
                for n in app._notifications
            ),
            "the reason",
        )
