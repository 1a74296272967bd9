"""The storage layer refuses in its own words; the HTTP layer alone picks the status.

The demo and the benchmarks seed the Database directly, so what it raises must make
sense without HTTP: a refusal that names what is wrong and carries the stable code,
with no status in it. Over HTTP the same refusal is the answer it always was.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chatui.server import refusals
from chatui.server.db import Database
from chatui.server.errors import from_refusal
from tests.server.conftest import Api


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "server.sqlite3", scrypt_n=2)
    yield database
    database.close()


def test_seeding_gets_refusals_that_name_the_problem_without_http(db: Database) -> None:
    db.create_user("alice", "pw")
    with pytest.raises(refusals.UsernameTaken, match="'alice' is taken") as taken:
        db.create_user("alice", "other")
    assert not hasattr(taken.value, "status")
    with pytest.raises(refusals.UnknownUser, match="nobody"):
        db.create_thread("alice", ["nobody"])
    with pytest.raises(refusals.BadCredentials):
        db.login("alice", "wrong")
    # An unknown name is the generic refusal unless the caller asks to say so (the
    # HTTP layer does where registration is open).
    with pytest.raises(refusals.BadCredentials) as generic:
        db.login("nobody", "pw")
    assert type(generic.value) is refusals.BadCredentials
    with pytest.raises(refusals.NoSuchUser, match="'nobody'"):
        db.login("nobody", "pw", say_unknown=True)
    with pytest.raises(refusals.BadCredentials) as wrong:
        db.login("alice", "wrong", say_unknown=True)
    assert type(wrong.value) is refusals.BadCredentials
    with pytest.raises(refusals.Invalid) as invalid:
        db.create_user("Not A Name", "pw")
    assert invalid.value.code == "invalid_username"


@pytest.mark.parametrize(
    ("refusal", "status", "code"),
    [
        (refusals.Invalid("invalid_vanish", "x"), 400, "invalid_vanish"),
        (refusals.InvalidCursor("x"), 400, "invalid_cursor"),
        (refusals.BadCredentials(), 401, "bad_credentials"),
        (refusals.NoSuchUser("bob"), 401, "no_such_user"),
        (refusals.Forbidden("x"), 403, "forbidden"),
        (refusals.NotFound("message"), 404, "not_found"),
        (refusals.UnknownMessage("reply_to"), 409, "unknown_message"),
        (refusals.UnknownUser("bob"), 409, "unknown_user"),
        (refusals.UsernameTaken("x"), 409, "username_taken"),
        (refusals.TooManyReactions("x"), 409, "too_many_reactions"),
        (refusals.TooLarge("x"), 413, "too_large"),
    ],
)
def test_each_refusal_has_one_http_answer(
    refusal: refusals.Refused, status: int, code: str
) -> None:
    answer = from_refusal(refusal)
    assert (answer.status, answer.code, answer.message) == (status, code, refusal.message)


def test_a_refusal_from_the_database_reaches_the_client_as_before(alice: Api, bob: Api) -> None:
    thread = alice.new_thread("bob")["thread_id"]
    message = alice.say(thread, "mine")
    response = bob.delete(f"/v1/threads/{thread}/messages/{message['message_id']}")
    assert response.status_code == 403
    assert response.json() == {
        "error": "forbidden",
        "message": "only the sender may delete a message",
    }
    wrong = alice.post("/v1/login", json={"username": "alice", "password": "not it"})
    assert (wrong.status_code, wrong.json()["error"]) == (401, "bad_credentials")
    assert wrong.headers["www-authenticate"] == "Bearer"
