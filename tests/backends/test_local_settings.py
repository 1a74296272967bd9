"""The local adapter's shared settings, reactions and expiry, against the real
reference server over loopback: what one user does, the other one's events() shows."""

from __future__ import annotations

import pytest

from chatui.backends.base import BadRequestError, NotFoundError, PermissionDeniedError
from chatui.core.models import (
    VANISH_OFF,
    Message,
    MessageReceived,
    MessageRedacted,
    ThreadUpdated,
    VanishSetting,
)
from chatui.server.runner import ServerThread
from tests.backends.test_local_live import Recorder, account

pytestmark = pytest.mark.timeout(90)

SUNSET = {"name": "Sunset", "dark": True, "mine_bubble": ["#ff7e5f", "#feb47b"]}


def _received(recorder: Recorder) -> list[Message]:
    return [e.message for e in recorder.events if isinstance(e, MessageReceived)]


def _notices(recorder: Recorder) -> list[Message]:
    return [m for m in _received(recorder) if m.kind == "setting"]


async def test_vanish_mode_reaches_the_other_member_with_its_notice(
    server: ServerThread,
) -> None:
    async with account(server, "alice") as alice, account(server, "bob") as bob:
        thread = await alice.create_thread(["bob"])
        recorder = Recorder(bob)
        try:
            await recorder.connected()
            changed = await alice.set_vanish(thread.thread_id, VanishSetting("vanish"))
            assert changed.vanish == VanishSetting("vanish")
            assert changed.account_id == "acct-alice"
            await recorder.wait_for(lambda _: len(_notices(recorder)) == 1)

            updates = [e.thread for e in recorder.events if isinstance(e, ThreadUpdated)]
            assert updates[-1].vanish == VanishSetting("vanish")
            [notice] = _notices(recorder)
            assert notice.body == "alice turned on vanish mode"
            assert notice.sender == "alice"
            assert dict(notice.change or {}) == {"what": "vanish", "vanish": {"mode": "vanish"}}
            assert notice.vanish == VANISH_OFF

            timer = VanishSetting("timer", 3600)
            assert (await bob.set_vanish(thread.thread_id, timer)).vanish == timer
            sent = await alice.send(thread.thread_id, "for an hour", "t-1")
            assert sent.vanish == timer and sent.kind == "text" and sent.change is None
            await recorder.wait_for(lambda _: "for an hour" in recorder.bodies())
        finally:
            await recorder.stop()
        assert [m.body for m in _notices(recorder)] == [
            "alice turned on vanish mode",
            "bob set messages to disappear after 1 hour",
        ]
        history = await bob.history(thread.thread_id)
        assert [m.kind for m in history] == ["setting", "setting", "text"]
        assert (await bob.thread(thread.thread_id)).unread == 1  # notices do not count


async def test_a_theme_reaches_the_other_member_and_can_be_reset(server: ServerThread) -> None:
    async with account(server, "alice") as alice, account(server, "bob") as bob:
        thread = await alice.create_thread(["bob"])
        recorder = Recorder(bob)
        try:
            await recorder.connected()
            themed = await alice.set_theme(thread.thread_id, SUNSET)
            assert themed.theme is not None and dict(themed.theme) == SUNSET
            await recorder.wait_for(lambda _: len(_notices(recorder)) == 1)
            updates = [e.thread for e in recorder.events if isinstance(e, ThreadUpdated)]
            assert updates[-1].theme is not None and updates[-1].theme["name"] == "Sunset"

            reset = await bob.set_theme(thread.thread_id, {})
            assert reset.theme is None
            await recorder.wait_for(lambda _: len(_notices(recorder)) == 2)
        finally:
            await recorder.stop()
        assert [(m.body, dict(m.change or {})) for m in _notices(recorder)] == [
            ("alice changed the theme to Sunset", {"what": "theme", "name": "Sunset"}),
            ("bob reset the theme to the default", {"what": "theme", "name": None}),
        ]


async def test_reactions_arrive_as_the_message_with_its_reactions(server: ServerThread) -> None:
    async with account(server, "alice") as alice, account(server, "bob") as bob:
        thread = await alice.create_thread(["bob"])
        sent = await alice.send(thread.thread_id, "pizza?", "t-1")
        recorder = Recorder(bob)

        def reactions() -> list[dict[str, tuple[str, ...]]]:
            return [
                dict(m.reactions) for m in _received(recorder) if m.message_id == sent.message_id
            ]

        try:
            await recorder.connected()
            # One change at a time: an event shows the reactions when it is sent.
            for n, change in enumerate(
                [
                    alice.react(thread.thread_id, sent.message_id, "🍕"),
                    bob.react(thread.thread_id, sent.message_id, "🍕"),
                    bob.react(thread.thread_id, sent.message_id, "👨‍👩‍👧"),
                    alice.unreact(thread.thread_id, sent.message_id, "🍕"),
                ],
                start=1,
            ):
                await change
                await recorder.wait_for(lambda _, n=n: len(reactions()) == n)
        finally:
            await recorder.stop()
        assert reactions() == [
            {"🍕": ("alice",)},
            {"🍕": ("alice", "bob")},
            {"🍕": ("alice", "bob"), "👨‍👩‍👧": ("bob",)},
            {"🍕": ("bob",), "👨‍👩‍👧": ("bob",)},  # one 🍕 now
        ]
        [held] = await bob.history(thread.thread_id)
        assert dict(held.reactions) == {"🍕": ("bob",), "👨‍👩‍👧": ("bob",)}
        with pytest.raises(NotFoundError):
            await bob.react(thread.thread_id, "m999999", "🍕")
        with pytest.raises(BadRequestError):
            await bob.react(thread.thread_id, sent.message_id, "two words")


async def test_expiry_reaches_the_other_member_marked_expired(server: ServerThread) -> None:
    async with account(server, "alice") as alice, account(server, "bob") as bob:
        thread = await alice.create_thread(["bob"])
        timed = await alice.send(thread.thread_id, "self-destructing", "t-1")
        deleted = await alice.send(thread.thread_id, "deleted by hand", "t-2")
        kept = await bob.send(thread.thread_id, "bob's", "t-3")
        recorder = Recorder(bob)
        try:
            await recorder.connected()
            await alice.expire(thread.thread_id, timed.message_id)
            await alice.redact(thread.thread_id, deleted.message_id)
            await recorder.wait_for(
                lambda events: sum(isinstance(e, MessageRedacted) for e in events) == 2
            )
        finally:
            await recorder.stop()
        redactions = [e for e in recorder.events if isinstance(e, MessageRedacted)]
        assert [(r.message_id, r.expired) for r in redactions] == [
            (timed.message_id, True),
            (deleted.message_id, False),
        ]
        history = await bob.history(thread.thread_id)
        # The expired one left nothing; the one deleted by hand left its tombstone.
        assert [(m.message_id, m.kind, m.body) for m in history] == [
            (deleted.message_id, "deleted", ""),
            (kept.message_id, "text", "bob's"),
        ]
        with pytest.raises(PermissionDeniedError):
            await alice.expire(thread.thread_id, kept.message_id)


async def test_refusals_are_errors_a_user_can_read(server: ServerThread) -> None:
    async with (
        account(server, "alice") as alice,
        account(server, "bob"),
        account(server, "carol") as carol,
    ):
        thread = await alice.create_thread(["bob"])
        with pytest.raises(BadRequestError, match="seconds") as refused:
            await alice.set_vanish(thread.thread_id, VanishSetting("timer", 0))
        assert refused.value.code == "invalid_vanish"
        with pytest.raises(BadRequestError, match="name") as refused:
            await alice.set_theme(thread.thread_id, {"name": ""})
        assert refused.value.code == "invalid_theme"
        for call in (
            carol.set_vanish(thread.thread_id, VanishSetting("vanish")),
            carol.set_theme(thread.thread_id, SUNSET),
        ):
            with pytest.raises(NotFoundError):
                await call
        assert (await alice.thread(thread.thread_id)).vanish == VANISH_OFF
