"""Make the README's screenshots from the real demo: ``make screenshots``.

Starts what ``chatui demo`` starts (two seeded servers, the live contacts) in a
throwaway folder, drives the real app headless with Textual's Pilot, and saves
SVGs into ``screenshots/``:

* ``inbox.svg``             the merged inbox at start
* ``conversation.svg``      an open thread after a message and the contact's reply
* ``new-conversation.svg``  the Ctrl+N dialog
* ``command-palette.svg``   Ctrl+P, searching across both networks

The seed data is fixed and the user is always "you", so the pictures change only
where the clock shows (times are relative to when the script runs).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from chatui.accounts.profile import Profile
from chatui.client import Session
from chatui.core.models import ConnectionState
from chatui.demo.servers import DemoWorld
from chatui.ui.app import ChatApp

ROOT = Path(__file__).resolve().parent.parent
SIZE = (120, 36)
TIMEOUT = 15.0


async def wait_until(pilot: Pilot, check: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"screenshots: timed out waiting for {what}")
        await pilot.pause(0.05)
    await pilot.pause()


async def type_text(pilot: Pilot, text: str) -> None:
    await pilot.press(*("space" if char == " " else char for char in text))


async def shoot(world: DemoWorld, profile: Profile, out: Path) -> list[Path]:
    session = Session(world.linked_accounts())
    app = ChatApp(session, profile, title="chatui demo")
    saved: list[Path] = []

    def save(name: str) -> None:
        saved.append(Path(app.save_screenshot(f"{name}.svg", str(out))))

    async with app.run_test(size=SIZE) as pilot:
        # The merged inbox: both networks loaded and connected.
        await wait_until(
            pilot,
            lambda: (
                len(session.inbox) >= 7
                and all(s is ConnectionState.CONNECTED for s, _ in session.states.values())
            ),
            "the merged inbox",
        )
        await pilot.pause(0.3)
        save("inbox")

        # An open thread: the newest conversation, a message, the contact's reply.
        top = session.inbox.at(0)
        await pilot.press("enter")
        await wait_until(pilot, lambda: session.is_loaded(top.key), "the thread to load")
        await type_text(pilot, "Yes! Say 3pm at the corner café?")
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: any(m.reply_to for m in session.messages(top.key)),
            "the contact's reply",
        )
        await pilot.pause(0.3)
        save("conversation")

        # The new-conversation dialog, filled in as a person would.
        await pilot.press("escape")
        await pilot.press("ctrl+n")
        await pilot.pause(0.3)
        await type_text(pilot, "bob, carol")
        await pilot.press("tab")
        await type_text(pilot, "Board games night")
        await pilot.pause(0.3)
        save("new-conversation")
        await pilot.press("escape")
        await pilot.pause()

        # The command palette, searching conversations across both networks.
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await type_text(pilot, "b")
        await pilot.pause(0.6)  # the palette searches in the background
        save("command-palette")
        await pilot.press("escape")
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots", help="output folder")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chatui-screenshots-") as tmp:
        profile = Profile.resolve(tmp)
        # A fixed pause keeps each run's reply timing alike.
        with DemoWorld(Path(tmp) / "demo", username="you", reply_delay=(0.6, 0.6)) as world:
            saved = asyncio.run(shoot(world, profile, args.out))
    for path in saved:
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
