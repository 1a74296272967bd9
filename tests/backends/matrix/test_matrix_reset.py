"""A sync token the homeserver cannot use: the adapter drops it, starts afresh and
says so (HistoryReset), and the stream goes on — while a server that merely fails
for a while keeps the token, so that nothing is lost and nothing refetched.

What Synapse answers to which token is in docs/matrix.md; these tests use the two
refusals it really gives (400 and 500) and a fault proxy for a failing server.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from chatui.backends.matrix import MatrixBackend
from chatui.core.models import ConnectionChanged, ConnectionState, HistoryReset, ThreadUpdated
from tests.backends.matrix.helpers_matrix import Tap, account_for, fast, in_thread
from tests.faults.proxy import FaultProxy, Reply, Script, route


@pytest.mark.parametrize(
    "stored",
    [
        # What a stored cursor looks like after the homeserver's database was replaced
        # by another server's, or was mangled: Synapse answers 400 M_UNKNOWN
        # "Invalid stream token".
        "m42~7.s9_not_a_sync_token",
        # A /messages (topological) token where a sync token belongs: Synapse answers
        # 500 "Internal server error", every time.
        "t1-2_3",
    ],
    ids=["400", "500"],
)
async def test_a_refused_sync_token_resets_history_and_the_stream_goes_on(
    synapse, matrix_user, stored
) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = bob.create_room(invite=[alice.user_id], name="Reset")
    alice.join(room)
    bob.send_text(room, "said while we were away")
    token = synapse.login(alice.user_id, alice.password or "")["access_token"]

    backend = fast(MatrixBackend(account_for(synapse, alice)))
    backend.backoff_base = 0.01  # the 500s are retried a few times before the probe
    await backend.restore(token)
    tap = Tap(backend, since=stored)
    try:
        reset = await tap.wait_for(lambda e: isinstance(e, HistoryReset), "a HistoryReset")
        assert reset.account_id == "mx" and reset.reason  # the server's words
        assert reset.cursor is not None
        # The fresh start announces the rooms again, after the reset.
        at = tap.events.index(reset)
        await tap.thread(lambda t: t.thread_id == room, "the room")
        announced = next(
            i
            for i, e in enumerate(tap.events)
            if isinstance(e, ThreadUpdated) and e.thread.thread_id == room
        )
        assert announced > at
        assert tap.events[announced].thread.last_message.body == "said while we were away"
        # ...and goes on live.
        await in_thread(bob.send_text, room, "live after the reset")
        await tap.message("live after the reset")
    finally:
        await tap.stop()
    assert sum(isinstance(e, HistoryReset) for e in tap.events) == 1
    assert not any(
        isinstance(e, ConnectionChanged) and e.state == ConnectionState.ERROR for e in tap.events
    )

    # The reset's cursor is a good one: resuming from it replays what came after.
    again = fast(MatrixBackend(account_for(synapse, alice)))
    await again.restore(token)
    tap = Tap(again, since=reset.cursor)
    try:
        await tap.message("live after the reset")
    finally:
        await tap.stop()
    assert not any(isinstance(e, HistoryReset) for e in tap.events)


async def test_a_server_failing_for_a_while_keeps_the_token(synapse, matrix_user) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    room = bob.create_room(invite=[alice.user_id], name="Flaky")
    alice.join(room)
    token = synapse.login(alice.user_id, alice.password or "")["access_token"]
    first = fast(MatrixBackend(account_for(synapse, alice)))
    await first.restore(token)
    tap = Tap(first)
    await tap.wait_for(lambda e: e.cursor is not None, "a cursor")
    cursor = tap.last_cursor()
    await tap.stop()
    bob.send_text(room, "said while the server was failing")

    # Six internal errors on /sync: three with the token, the fresh sync that tests
    # whether the token is to blame (it fails too), and two more with the token.
    failing = Script([Reply(500)] * 6, match=route(r"/_matrix/client/v3/sync"))
    proxy = FaultProxy(synapse.base_url, failing).start()
    try:
        config = replace(account_for(synapse, alice), server=proxy.url)
        backend = fast(MatrixBackend(config))
        backend.backoff_base = 0.01
        await backend.restore(token)
        tap = Tap(backend, since=cursor)
        try:
            await tap.message("said while the server was failing")
        finally:
            await tap.stop()
    finally:
        proxy.stop()
    assert failing.done
    assert not any(isinstance(e, HistoryReset) for e in tap.events)
    assert any(  # the trouble was shown, as for any outage
        isinstance(e, ConnectionChanged) and e.state == ConnectionState.RECONNECTING
        for e in tap.events
    )
