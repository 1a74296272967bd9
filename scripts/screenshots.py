"""Make the README's screenshots from the real demo: ``make screenshots``.

Starts what ``chatui demo`` starts (two seeded servers, the live contacts) in a
throwaway folder, drives the real app headless with Textual's Pilot, and saves
SVGs into ``screenshots/``:

* ``inbox.svg``             the merged inbox at start
* ``conversation.svg``      an open thread after a message and the contact's reply
* ``new-conversation.svg``  the Ctrl+N dialog
* ``command-palette.svg``   Ctrl+P, searching across both networks
* ``vanish.svg``            a thread with a 5-minute vanish timer: the notice line,
                            the badge, and each message's countdown
* ``theme-sunset.svg``, ``theme-paper.svg``, ``theme-high-contrast.svg``
                            threads in three shared chat themes, with reactions
* ``theme-picker.svg``      Ctrl+T, the picker at the side previewing another theme
* ``emoji-picker.svg``      Ctrl+O, the emoji picker

Everything shown is made the way a person would make it: settings, themes and
reactions go through the real Session and the server (the contacts' reactions
through their own backends, as their clients would send them), never into the
view directly. The seed data is fixed and the user is always "you", so the
pictures change only where the clock shows (times are relative to when the
script runs, and a countdown shows whatever is left when the shot is taken).
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

from chatui.backends.local import LocalBackend
from chatui.core.models import ConnectionState, Thread, ThreadKey, VanishSetting
from chatui.core.themes import load_themes
from chatui.demo.servers import DemoWorld
from chatui.profile.folders import Profile
from chatui.session.session import Session
from chatui.ui.app import ChatApp
from chatui.ui.screens.emoji_picker import EmojiPicker
from chatui.ui.screens.theme_picker import ThemePicker
from chatui.ui.widgets.message_view import MessageView

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


def thread_titled(session: Session, title: str) -> Thread:
    """The demo thread called ``title`` (a group's title, or a DM's other member)."""
    for thread in session.inbox.threads():
        if thread.display_title(session.me(thread.account_id)) == title:
            return thread
    raise SystemExit(f"screenshots: no demo thread called {title!r}")


async def contact_reacts(
    world: DemoWorld, key: ThreadKey, contact: str, message_id: str, emoji: str
) -> None:
    """``contact`` reacts from their own account, as their own client would."""
    running = next(r for r in world.running if r.account.account_id == key[0])
    account = running.network.contact_account(running.server.url, contact)
    backend = LocalBackend(account)
    try:
        await backend.restore(world.home.load_token(account))
        await backend.react(key[1], message_id, emoji)
    finally:
        await backend.close()


def message_id_of(session: Session, key: ThreadKey, body: str) -> str:
    return next(m.message_id for m in session.messages(key) if m.body == body)


async def open_and_wait(app: ChatApp, pilot: Pilot, session: Session, key: ThreadKey) -> None:
    """Open ``key`` as the palette would, and wait until its history is drawn."""
    app.main.jump_to(key)
    await wait_until(pilot, lambda: session.is_loaded(key), "the thread to load")
    await pilot.pause(0.2)


# (the thread, the theme shared in it, the shot, the reactions: (who, on which
# message, emoji)). "you" react through the app's Session, the contacts through
# their own accounts.
THEMED: tuple[tuple[str, str, str, tuple[tuple[str, str, str], ...]], ...] = (
    (
        "Weekend hike 🥾",
        "Sunset",
        "theme-sunset",
        (
            ("you", "8 works 👍", "👍"),
            ("alice", "8 works 👍", "👍"),
            ("bob", "8 works 👍", "👍"),
            ("alice", "Meet at the station at 8?", "🎉"),
            ("carol", "Bring water, it's a long climb 💧", "🙏"),
            ("you", "Bring water, it's a long climb 💧", "❤️"),
        ),
    ),
    (
        "Book club 📚",
        "Paper",
        "theme-paper",
        (
            ("emma", "Next pick: The Left Hand of Darkness?", "❤️"),
            ("you", "Next pick: The Left Hand of Darkness?", "❤️"),
            ("you", "No spoilers!! 🙈", "😂"),
            ("dmitri", "No spoilers!! 🙈", "😂"),
        ),
    ),
    (
        "alice",
        "High Contrast",
        "theme-high-contrast",
        (
            ("you", "Coffee later? ☕", "👍"),
            ("you", "Phew 😅 I was up till 2 fixing the charts 👩‍💻", "😂"),
        ),
    ),
)


async def shoot_extras(
    app: ChatApp, pilot: Pilot, session: Session, world: DemoWorld, save: Callable[[str], None]
) -> None:
    """Vanish mode, three chat themes with reactions, the theme and emoji pickers."""
    # Vanish mode with a timer: set through the Session (the setting is shared),
    # then a message and the contact's reply, each with its own countdown.
    bob = thread_titled(session, "bob")
    await open_and_wait(app, pilot, session, bob.key)
    await session.set_vanish(bob.key, VanishSetting("timer", 300))
    await wait_until(
        pilot,
        lambda: any(m.kind == "setting" for m in session.messages(bob.key)),
        "the vanish notice",
    )
    await type_text(pilot, "Deploy key for staging is in the vault, row 3")
    await pilot.press("enter")
    await wait_until(
        pilot,
        lambda: any(
            m.reply_to and session.expires_at(bob.key, m.message_id)
            for m in session.messages(bob.key)
        ),
        "bob's reply with its timer running",
    )
    await pilot.pause(1.2)  # a second ticks off, so the countdowns read below 5m
    save("vanish")

    themes = load_themes(None).themes
    for title, theme_name, shot, reactions in THEMED:
        thread = thread_titled(session, title)
        key = thread.key
        await open_and_wait(app, pilot, session, key)
        await session.set_theme(key, themes[theme_name].to_wire())
        for who, body, emoji in reactions:
            message_id = message_id_of(session, key, body)
            if who == "you":
                await session.react(key, message_id, emoji)
            else:
                await contact_reacts(world, key, who, message_id, emoji)
        wanted = len(reactions)

        def ready(key: ThreadKey = key, name: str = theme_name, wanted: int = wanted) -> bool:
            view = app.query_one(MessageView)
            given = sum(
                len(m.reactions.get(e, ())) for m in session.messages(key) for e in m.reactions
            )
            return (
                view.chat_styles is not None
                and view.chat_styles.theme.name == name
                and given >= wanted
            )

        await wait_until(pilot, ready, f"the {theme_name} theme and its reactions")
        await pilot.pause(0.3)
        save(shot)

    # The theme picker on the last themed thread, previewing two themes further on.
    view = app.query_one(MessageView)
    await pilot.press("ctrl+t")
    await wait_until(pilot, lambda: isinstance(app.screen, ThemePicker), "the theme picker")
    await pilot.press("down", "down")
    await wait_until(
        pilot,
        lambda: view.chat_styles is not None and view.chat_styles.theme.name != "High Contrast",
        "the preview of another theme",
    )
    await pilot.pause(0.3)
    save("theme-picker")
    await pilot.press("escape")
    await pilot.pause(0.2)

    # The emoji picker, as Ctrl+O opens it from the message box.
    app.query_one("#composer").focus()
    await pilot.press("ctrl+o")
    await wait_until(pilot, lambda: isinstance(app.screen, EmojiPicker), "the emoji picker")
    await pilot.pause(0.4)
    save("emoji-picker")
    await pilot.press("escape")
    await pilot.pause()


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
        await pilot.pause()

        await shoot_extras(app, pilot, session, world, save)
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
