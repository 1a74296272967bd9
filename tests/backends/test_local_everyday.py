"""The local adapter's everyday conversation against the real reference server:
replies, edits, unsending, typing and mentions, as the other account sees them."""

from __future__ import annotations

import pytest

from chatui.backends.base import NotFoundError, PermissionDeniedError
from chatui.core.models import MessageReceived, MessageRedacted, TypingChanged
from chatui.server.runner import ServerThread
from tests.backends.test_local_live import Recorder, account

pytestmark = pytest.mark.timeout(90)


async def test_a_reply_carries_what_it_answers(server: ServerThread) -> None:
    async with account(server, "alice") as alice, account(server, "bob") as bob:
        thread = await alice.create_thread(["bob"])
        question = await alice.send(thread.thread_id, "lunch?", "txn-q")
        recorder = Recorder(bob)
        try:
            await recorder.connected()
            answer = await bob.send(thread.thread_id, "yes!", "txn-a", reply_to=question.message_id)
            assert answer.reply_to == question.message_id
            await recorder.wait_for(lambda _: "yes!" in recorder.bodies())
        finally:
            await recorder.stop()
        history = await alice.history(thread.thread_id)
        assert [(m.body, m.reply_to) for m in history] == [
            ("lunch?", None),
            ("yes!", question.message_id),
        ]


async def test_an_edit_reaches_the_other_account(server: ServerThread) -> None:
    async with account(server, "alice") as alice, account(server, "bob") as bob:
        thread = await alice.create_thread(["bob"])
        sent = await alice.send(thread.thread_id, "at 5", "txn-1")
        recorder = Recorder(bob)
        try:
            await recorder.connected()
            edited = await alice.edit(thread.thread_id, sent.message_id, "at 6")
            assert (edited.body, edited.edited, edited.ts) == ("at 6", True, sent.ts)
            await recorder.wait_for(lambda _: "at 6" in recorder.bodies())
        finally:
            await recorder.stop()
        seen = [e.message for e in recorder.events if isinstance(e, MessageReceived)][-1]
        assert (seen.message_id, seen.edited_ts) == (sent.message_id, edited.edited_ts)
        with pytest.raises(PermissionDeniedError):
            await bob.edit(thread.thread_id, sent.message_id, "bob's words")
        with pytest.raises(NotFoundError):
            await alice.edit(thread.thread_id, "m999999", "nothing there")
        assert [m.body for m in await bob.history(thread.thread_id)] == ["at 6"]


async def test_unsending_is_a_redaction_that_leaves_a_tombstone(server: ServerThread) -> None:
    async with account(server, "alice") as alice, account(server, "bob") as bob:
        thread = await alice.create_thread(["bob"])
        sent = await alice.send(thread.thread_id, "oops", "txn-1")
        recorder = Recorder(bob)
        try:
            await recorder.connected()
            await alice.redact(thread.thread_id, sent.message_id)
            await recorder.wait_for(
                lambda events: any(isinstance(e, MessageRedacted) for e in events)
            )
        finally:
            await recorder.stop()
        redacted = next(e for e in recorder.events if isinstance(e, MessageRedacted))
        assert (redacted.message_id, redacted.expired) == (sent.message_id, False)
        (listed,) = await bob.threads()
        assert listed.last_message is not None and listed.last_message.deleted


async def test_typing_is_heard_and_runs_out(server: ServerThread) -> None:
    async with account(server, "alice") as alice, account(server, "bob") as bob:
        thread = await alice.create_thread(["bob"])
        recorder = Recorder(bob)
        try:
            await recorder.connected()
            await alice.set_typing(thread.thread_id, True, 300)
            await recorder.wait_for(
                lambda events: any(
                    isinstance(e, TypingChanged) and e.users == ("alice",) for e in events
                )
            )
            started = next(e for e in recorder.events if isinstance(e, TypingChanged))
            assert started.thread_id == thread.thread_id and started.account_id == "acct-bob"
            assert started.cursor is None  # ephemeral: never a place to resume from
            assert 0 < (started.timeout_ms or 0) <= 300
            # Nobody said "stopped": the notice ran out on the server, which said so.
            await recorder.wait_for(
                lambda events: isinstance(events[-1], TypingChanged) and events[-1].users == ()
            )
        finally:
            await recorder.stop()


async def test_mentions_of_me_are_marked_and_counted(server: ServerThread) -> None:
    async with (
        account(server, "alice") as alice,
        account(server, "bob") as bob,
        account(server, "carol") as carol,
    ):
        thread = await alice.create_thread(["bob", "carol"])
        await alice.send(thread.thread_id, "@bob can you?", "txn-1")
        await alice.send(thread.thread_id, "thanks all", "txn-2")
        bobs = await bob.history(thread.thread_id)
        assert [m.mentions_me for m in bobs] == [True, False]
        assert [m.mentions_me for m in await carol.history(thread.thread_id)] == [False, False]
        # The sender's own copy never mentions its sender.
        assert [m.mentions_me for m in await alice.history(thread.thread_id)] == [False, False]
        (listed,) = await bob.threads()
        assert (listed.unread, listed.mentions) == (2, 1)
        await bob.mark_read(thread.thread_id, bobs[-1].message_id)
        (listed,) = await bob.threads()
        assert (listed.unread, listed.mentions) == (0, 0)
