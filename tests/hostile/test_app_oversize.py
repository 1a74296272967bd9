"""A megabyte pasted into the composer: the server refuses it, nothing typed is lost.

The real app (Pilot) on a live reference server. The body is over every server
limit, so the send fails with 413; the user must be told why, and the text must
still be theirs to shorten and resend. The app must also stay usable meanwhile.
"""

from __future__ import annotations

import pytest

from chatui.server.runner import ServerThread
from chatui.ui.app import ChatApp
from chatui.ui.widgets.composer import Composer
from tests.conftest import make_user
from tests.hostile import corpus
from tests.ui.conftest import linked, session_of, wait_for

pytestmark = pytest.mark.timeout(90)


async def test_an_oversized_message_is_refused_visibly_and_kept(server: ServerThread) -> None:
    make_user(server, "alice")
    bob = make_user(server, "bob")
    server.database.create_thread("alice", ["bob"], title="Big paste")
    session = session_of(linked(server, bob, "local-bob", "L", "#5fafff"))
    app = ChatApp(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(session.inbox) == 1, "the thread")
        await pilot.press("enter")
        composer = app.query_one(Composer)
        await wait_for(pilot, lambda: app.focused is composer, "the composer")
        text = corpus.OVERSIZE.body
        composer.value = text  # as a bracketed paste would leave it
        await pilot.press("enter")

        def refused_and_kept() -> bool:
            told = any(n.severity == "error" for n in app._notifications)
            key = app.main.shown_key
            kept_in_composer = text in composer.value
            kept_as_failed = key is not None and any(m.body == text for m in session.messages(key))
            return told and (kept_in_composer or kept_as_failed)

        await wait_for(pilot, refused_and_kept, "the error and the text kept")
        reasons = " ".join(str(n.message) for n in app._notifications)
        assert "bytes" in reasons  # the server's own reason, not a generic failure
        assert (
            server.database.history(  # nothing reached the server
                server.database.caller("alice"), session.inbox.at(0).thread_id, None, 50
            )
            == []
        )

        # Still usable: the user shortens the text and it goes through.
        composer.value = "HX90 the short version"
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: any(
                m.body == "HX90 the short version" and not m.pending
                for m in session.messages(app.main.shown_key)
            ),
            "the shortened message, sent",
        )
