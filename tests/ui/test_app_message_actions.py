"""Reply, edit, unsend and copy from the app, and "is typing" going out, against
a live reference server with two people: Bob acts in his app, and what counts is
what Alice's own session gets (what her screen shows is built from it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from textual.pilot import Pilot

from chatui.core.models import Message, ThreadKey
from chatui.profile.folders import Profile
from chatui.ui.app import ChatApp
from chatui.ui.screens.confirm_unsend import ConfirmUnsend
from chatui.ui.widgets.composer import Composer
from chatui.ui.widgets.composer_context import ComposerContext
from chatui.ui.widgets.message_view import MessageView
from tests.ui.conftest import World, rendered, wait_for
from tests.ui.test_app_reactions import open_bobs_lunch


def alice_key(world: World) -> ThreadKey:
    """ "Lunch plans" as Alice's session names it (her one account is "alice")."""
    return ("alice", world.lunch[1])


@dataclass
class Two:
    bob: ChatApp
    bob_pilot: Pilot
    alice: ChatApp
    alice_pilot: Pilot
    world: World

    def alices(self) -> list[Message]:
        return self.alice.session.messages(alice_key(self.world))

    def bobs(self) -> list[Message]:
        return self.bob.session.messages(self.world.lunch)

    def notices(self) -> list[str]:
        return [str(n.message) for n in self.bob._notifications]


@asynccontextmanager
async def two_people(world: World, bob_profile: Profile | None = None) -> AsyncIterator[Two]:
    """Bob with "Lunch plans" open and his composer focused; Alice with it open too."""
    bob_app = ChatApp(world.bob_session(), bob_profile)
    alice_app = ChatApp(world.alice_session())
    async with bob_app.run_test(size=(110, 30)) as bob, alice_app.run_test(size=(110, 30)) as alice:
        await wait_for(alice, lambda: len(alice_app.session.inbox) == 1, "Alice's thread")
        alice_app.main.jump_to(alice_key(world))
        await wait_for(alice, lambda: alice_app.session.is_loaded(alice_key(world)), "her copy")
        await open_bobs_lunch(bob_app, bob, world)
        yield Two(bob_app, bob, alice_app, alice, world)


async def bob_says(two: Two, text: str) -> Message:
    """Bob sends ``text``; returns it once Alice has it."""
    composer = two.bob.query_one(Composer)
    composer.focus()
    await wait_for(two.bob_pilot, lambda: two.bob.focused is composer, "Bob's composer focused")
    await two.bob_pilot.press(*text, "enter")
    await wait_for(
        two.bob_pilot,
        lambda: any(m.body == text and not m.pending for m in two.bobs()),
        f"{text!r} on the server",
    )
    await wait_for(
        two.alice_pilot, lambda: any(m.body == text for m in two.alices()), f"{text!r} at Alice's"
    )
    return next(m for m in two.bobs() if m.body == text)


async def select(two: Two, body: str) -> MessageView:
    """Focus Bob's conversation and select the message whose text is ``body``."""
    view = two.bob.query_one(MessageView)
    view.focus()
    message = next(m for m in two.bobs() if m.body == body)
    view.select(message.message_id)
    await wait_for(
        two.bob_pilot,
        lambda: view.selected_message is not None and view.selected_message.body == body,
        f"{body!r} selected",
    )
    return view


async def test_reply_goes_out_with_reply_to(world: World) -> None:
    async with two_people(world) as two:
        pizza = next(m for m in two.bobs() if m.body == "pizza at noon?")
        await select(two, "pizza at noon?")
        await two.bob_pilot.press("R")
        bar = two.bob.query_one(ComposerContext)
        composer = two.bob.query_one(Composer)
        await wait_for(two.bob_pilot, lambda: two.bob.focused is composer, "the composer focused")
        assert bar.display
        assert "↳ Replying to alice: pizza at noon?" in rendered(bar)
        await two.bob_pilot.press(*"yes please", "enter")
        await wait_for(
            two.alice_pilot,
            lambda: any(
                m.body == "yes please" and m.reply_to == pizza.message_id for m in two.alices()
            ),
            "the reply, as a reply, at Alice's",
        )
        assert not bar.display  # the mode ends with the message sent


async def test_escape_cancels_a_reply(world: World) -> None:
    async with two_people(world) as two:
        await select(two, "pizza at noon?")
        await two.bob_pilot.press("R")
        bar = two.bob.query_one(ComposerContext)
        await wait_for(two.bob_pilot, lambda: bar.display, "the reply bar")
        await two.bob_pilot.press("escape")
        await wait_for(two.bob_pilot, lambda: not bar.display, "the reply bar gone")
        composer = two.bob.query_one(Composer)
        assert two.bob.focused is composer  # the first Esc only leaves reply mode
        await bob_says(two, "unrelated")
        assert next(m for m in two.alices() if m.body == "unrelated").reply_to is None


async def test_edit_own_message_reaches_the_other_side(world: World) -> None:
    async with two_people(world) as two:
        await bob_says(two, "see you at 1")
        composer = two.bob.query_one(Composer)
        composer.value = "half-written draft"
        await select(two, "see you at 1")
        await two.bob_pilot.press("e")
        bar = two.bob.query_one(ComposerContext)
        await wait_for(two.bob_pilot, lambda: composer.value == "see you at 1", "the text to edit")
        assert "✎ Editing — Enter saves · Esc cancels" in rendered(bar)
        composer.value = "see you at 2"
        await two.bob_pilot.press("enter")
        await wait_for(
            two.alice_pilot,
            lambda: any(m.body == "see you at 2" and m.edited for m in two.alices()),
            "the new text, marked edited, at Alice's",
        )
        assert not any(m.body == "see you at 1" for m in two.alices())
        assert composer.value == "half-written draft"  # the draft comes back
        assert not bar.display


async def test_escape_cancels_an_edit_and_gives_the_draft_back(world: World) -> None:
    async with two_people(world) as two:
        await bob_says(two, "see you at 1")
        composer = two.bob.query_one(Composer)
        composer.value = "my draft"
        await select(two, "see you at 1")
        await two.bob_pilot.press("e")
        await wait_for(two.bob_pilot, lambda: composer.value == "see you at 1", "the text to edit")
        await two.bob_pilot.press("escape")
        await wait_for(two.bob_pilot, lambda: composer.value == "my draft", "the draft back")
        assert not two.bob.query_one(ComposerContext).display
        assert not any(m.edited for m in two.alices())


async def test_editing_someone_elses_message_is_refused(world: World) -> None:
    async with two_people(world) as two:
        composer = two.bob.query_one(Composer)
        composer.value = "draft"
        await select(two, "pizza at noon?")
        await two.bob_pilot.press("e")
        await wait_for(
            two.bob_pilot,
            lambda: "You can only edit your own messages" in two.notices(),
            "the notice",
        )
        assert composer.value == "draft"  # no trace
        assert not two.bob.query_one(ComposerContext).display
        await two.bob_pilot.press("d")
        await wait_for(
            two.bob_pilot,
            lambda: "You can only unsend your own messages" in two.notices(),
            "the unsend notice",
        )
        assert two.bob.screen is two.bob.main  # no dialog


async def test_unsend_asks_then_leaves_a_tombstone(world: World) -> None:
    async with two_people(world) as two:
        sent = await bob_says(two, "oops wrong chat")
        await select(two, "oops wrong chat")
        # Esc on the question keeps the message.
        await two.bob_pilot.press("d")
        await wait_for(two.bob_pilot, lambda: isinstance(two.bob.screen, ConfirmUnsend), "asked")
        await two.bob_pilot.press("escape")
        await wait_for(two.bob_pilot, lambda: two.bob.screen is two.bob.main, "dialog closed")
        # Then yes (Enter on the focused Unsend button).
        await two.bob_pilot.press("d")
        await wait_for(two.bob_pilot, lambda: isinstance(two.bob.screen, ConfirmUnsend), "asked")
        await two.bob_pilot.press("enter")
        await wait_for(
            two.alice_pilot,
            lambda: any(m.message_id == sent.message_id and m.deleted for m in two.alices()),
            "a tombstone at Alice's",
        )
        assert not any(m.body == "oops wrong chat" for m in two.alices())


async def test_cancelled_unsend_keeps_the_message(world: World) -> None:
    async with two_people(world) as two:
        sent = await bob_says(two, "keep me")
        await select(two, "keep me")
        await two.bob_pilot.press("d")
        await wait_for(two.bob_pilot, lambda: isinstance(two.bob.screen, ConfirmUnsend), "asked")
        await two.bob_pilot.click("#keep")
        await wait_for(two.bob_pilot, lambda: two.bob.screen is two.bob.main, "dialog closed")
        await bob_says(two, "later")  # anything that happened would be here by now
        kept = next(m for m in two.alices() if m.message_id == sent.message_id)
        assert kept.body == "keep me" and not kept.deleted


async def test_copy_puts_the_text_as_sent_on_the_clipboard(world: World) -> None:
    world.home.database.add_message(world.lunch[1], "alice", "**bold** :tada: https://x.y/z")
    async with two_people(world) as two:
        await wait_for(
            two.bob_pilot,
            lambda: any(m.body.startswith("**bold**") for m in two.bobs()),
            "Alice's second message",
        )
        await select(two, "**bold** :tada: https://x.y/z")
        await two.bob_pilot.press("c")
        assert two.bob.clipboard == "**bold** :tada: https://x.y/z"
        await wait_for(
            two.bob_pilot, lambda: any("Copied" in n for n in two.notices()), "told it is copied"
        )


async def test_typing_reaches_the_other_side(world: World) -> None:
    async with two_people(world) as two:
        await two.bob_pilot.press(*"hel")
        await wait_for(
            two.alice_pilot,
            lambda: "bob" in two.alice.session.typing_in(alice_key(world)),
            "Bob typing, at Alice's",
        )


async def test_send_typing_off_sends_nothing(world: World, tmp_path: Path) -> None:
    profile = Profile(config_dir=tmp_path / "config", data_dir=tmp_path / "data")
    profile.config_file.parent.mkdir(parents=True)
    profile.config_file.write_text("[display]\nsend_typing = false\n", encoding="utf-8")
    async with two_people(world, profile) as two:
        await two.bob_pilot.press(*"hel")
        # Alice's own typing reaches Bob: a notice sent after Bob's keys would have
        # got there by then too.
        two.alice.session.typing(alice_key(world), True)
        await wait_for(
            two.bob_pilot,
            lambda: "alice" in two.bob.session.typing_in(world.lunch),
            "Alice typing, at Bob's",
        )
        await two.alice_pilot.pause()
        assert "bob" not in two.alice.session.typing_in(alice_key(world))


async def test_at_mention_completes_a_member_and_reaches_them(world: World) -> None:
    async with two_people(world) as two:
        composer = two.bob.query_one(Composer)
        await two.bob_pilot.press(*"me@al")  # inside a word (an address): nothing
        await two.bob_pilot.pause()
        assert not composer.suggestions.shown
        composer.value = ""
        await two.bob_pilot.press(*"lunch? @AL")
        await wait_for(
            two.bob_pilot,
            lambda: composer.suggestions.shown and composer.suggestions.current == ("@alice", ""),
            "alice suggested",
        )
        assert composer.suggestions.render().plain == "@alice"  # the label alone, no glyph
        await two.bob_pilot.press("tab")
        assert composer.value == "lunch? @alice "
        await two.bob_pilot.press(*"ok", "enter")
        await wait_for(
            two.alice_pilot,
            lambda: any(m.body == "lunch? @alice ok" and m.mentions_me for m in two.alices()),
            "the mention at Alice's",
        )


async def test_up_in_the_empty_box_edits_the_last_own_message(world: World) -> None:
    async with two_people(world) as two:
        await bob_says(two, "first")
        await bob_says(two, "second")
        composer = two.bob.query_one(Composer)
        await two.bob_pilot.press("up")
        await wait_for(two.bob_pilot, lambda: composer.value == "second", "the last one loaded")
        await two.bob_pilot.press("backspace", *"d!", "enter")
        await wait_for(
            two.alice_pilot,
            lambda: any(m.body == "second!" and m.edited for m in two.alices()),
            "the edit at Alice's",
        )
        assert composer.value == ""
