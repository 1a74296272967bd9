"""Registration, login, logout, /v1/me and bearer tokens, over real HTTP."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx

from chatui.server.db import Database
from chatui.server.runner import ServerThread
from tests.server.conftest import Api


def test_register_returns_a_working_token(server: ServerThread) -> None:
    response = httpx.post(
        f"{server.url}/v1/register", json={"username": "alice", "password": "s3cret"}
    )
    assert response.status_code == 201
    account = response.json()
    assert account["username"] == "alice"
    with Api(server, "alice", account["token"]) as api:
        assert api.get("/v1/me").json() == {"user_id": account["user_id"], "username": "alice"}


def test_registration_is_closed_unless_opened(tmp_path: Path) -> None:
    with ServerThread(tmp_path / "closed.db") as closed:
        response = httpx.post(
            f"{closed.url}/v1/register", json={"username": "alice", "password": "pw"}
        )
    assert response.status_code == 403
    assert response.json()["error"] == "registration_closed"


def test_a_taken_username_is_409(server: ServerThread, alice: Api) -> None:
    response = httpx.post(
        f"{server.url}/v1/register", json={"username": "alice", "password": "other"}
    )
    assert response.status_code == 409
    assert response.json()["error"] == "username_taken"


INVALID_REGISTRATIONS = [
    ({"username": "Alice", "password": "pw"}, "invalid_username"),
    ({"username": "al ice", "password": "pw"}, "invalid_username"),
    ({"username": "", "password": "pw"}, "invalid_username"),
    ({"username": "a" * 33, "password": "pw"}, "invalid_username"),
    ({"username": "alice\n", "password": "pw"}, "invalid_username"),
    ({"username": "ålice", "password": "pw"}, "invalid_username"),
    ({"username": "alice", "password": ""}, "invalid_request"),
    ({"username": "alice", "password": "x" * 1025}, "invalid_request"),
    ({"username": "alice"}, "invalid_request"),
    ({"password": "pw"}, "invalid_request"),
    ({"username": 7, "password": "pw"}, "invalid_request"),
    ({"username": "alice", "password": ["pw"]}, "invalid_request"),
    (["alice", "pw"], "invalid_request"),
]


def test_invalid_registrations_are_400_and_say_why(server: ServerThread) -> None:
    # One server for all cases: each case is a separate request anyway.
    for body, code in INVALID_REGISTRATIONS:
        response = httpx.post(f"{server.url}/v1/register", json=body)
        assert response.status_code == 400, body
        assert response.json()["error"] == code, body
        assert response.json()["message"], body
    # None of them created an account.
    taken = httpx.post(f"{server.url}/v1/register", json={"username": "alice", "password": "p"})
    assert taken.status_code == 201


def test_a_valid_username_may_use_digits_dots_dashes_underscores(server: ServerThread) -> None:
    name = "a.b_c-9" + "x" * 25  # 32 characters, the maximum
    response = httpx.post(f"{server.url}/v1/register", json={"username": name, "password": "p"})
    assert response.status_code == 201


def test_malformed_json_is_400(server: ServerThread) -> None:
    nested = b"[" * 100_000  # deep nesting must not crash the parser
    for raw in (b"{", b"", b"\xff\xfe", b"null", b'{"username": "a", "password": "b"', nested):
        response = httpx.post(f"{server.url}/v1/register", content=raw)
        assert response.status_code == 400, raw
        assert response.json()["error"] in {"malformed_json", "invalid_request"}


def test_login_gives_a_new_token_and_refuses_a_wrong_password(
    server: ServerThread, alice: Api
) -> None:
    ok = httpx.post(f"{server.url}/v1/login", json={"username": "alice", "password": "pw-alice"})
    assert ok.status_code == 200
    token = ok.json()["token"]
    assert token != alice.headers["Authorization"].removeprefix("Bearer ")
    with Api(server, "alice", token) as again:
        assert again.get("/v1/me").json()["username"] == "alice"

    for password in ("wrong", "PW-ALICE"):
        bad = httpx.post(f"{server.url}/v1/login", json={"username": "alice", "password": password})
        assert bad.status_code == 401
        assert bad.json()["error"] == "bad_credentials"
    nobody = httpx.post(f"{server.url}/v1/login", json={"username": "zed", "password": "pw"})
    assert nobody.status_code == 401


def test_with_open_registration_a_login_for_an_unknown_name_says_no_such_user(
    server: ServerThread, alice: Api
) -> None:
    """Registering there already says whether a name is taken, so the login may say
    which of the two went wrong, and the client can offer to create the account."""
    nobody = httpx.post(f"{server.url}/v1/login", json={"username": "zed", "password": "pw"})
    assert nobody.status_code == 401
    assert nobody.json() == {
        "error": "no_such_user",
        "message": "no user named 'zed' on this server",
    }
    assert nobody.headers["www-authenticate"] == "Bearer"
    # A name that exists, with a wrong password, is still only "wrong".
    wrong = httpx.post(f"{server.url}/v1/login", json={"username": "alice", "password": "no"})
    assert (wrong.status_code, wrong.json()["error"]) == (401, "bad_credentials")


def test_with_closed_registration_an_unknown_name_looks_like_a_wrong_password(
    tmp_path: Path,
) -> None:
    """Where nobody can register, names must not be probed: one answer for both."""
    with ServerThread(tmp_path / "closed.db", scrypt_n=2**8) as closed:
        closed.database.create_user("alice", "pw-alice")
        answers = [
            httpx.post(f"{closed.url}/v1/login", json={"username": name, "password": "no"})
            for name in ("alice", "zed")
        ]
    wrong_password, unknown_name = answers
    assert wrong_password.status_code == unknown_name.status_code == 401
    generic = {"error": "bad_credentials", "message": "wrong username or password"}
    assert wrong_password.json() == unknown_name.json() == generic


def test_logout_revokes_that_token_and_only_that_one(server: ServerThread, alice: Api) -> None:
    login = httpx.post(f"{server.url}/v1/login", json={"username": "alice", "password": "pw-alice"})
    with Api(server, "alice", login.json()["token"]) as laptop:
        assert laptop.get("/v1/me").status_code == 200
        done = laptop.post("/v1/logout")
        assert done.status_code == 204 and done.content == b""
        refused = laptop.get("/v1/me")
        assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"
        assert laptop.post("/v1/logout").status_code == 401  # gone is gone
    # alice's other session is untouched.
    assert alice.get("/v1/me").json()["username"] == "alice"
    assert httpx.post(f"{server.url}/v1/logout").status_code == 401  # no token at all


def test_no_or_bad_token_is_401(server: ServerThread, alice: Api) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        response = httpx.get(f"{server.url}/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized"
        assert response.headers["www-authenticate"] == "Bearer"
    for method, path in [
        ("GET", "/v1/threads"),
        ("POST", "/v1/threads"),
        ("GET", "/v1/threads/t1"),
        ("GET", "/v1/threads/t1/messages"),
        ("PUT", "/v1/threads/t1/messages/x"),
        ("DELETE", "/v1/threads/t1/messages/m1"),
        ("POST", "/v1/threads/t1/read"),
        ("GET", "/v1/events"),
    ]:
        assert httpx.request(method, server.url + path).status_code == 401, path


def test_neither_password_nor_token_is_stored_in_clear(server: ServerThread, alice: Api) -> None:
    token = alice.headers["Authorization"].removeprefix("Bearer ")
    server.database.close()  # flush nothing pending; read the files as an attacker would
    stored = b"".join(p.read_bytes() for p in server.db_path.parent.glob("server.db*"))
    assert b"alice" in stored  # the username is there, so we are reading the right files
    assert b"pw-alice" not in stored
    assert token.encode() not in stored


def test_passwords_are_salted_scrypt_at_full_strength(tmp_path: Path) -> None:
    db = Database(tmp_path / "strength.db")  # the production default work factor
    db.create_user("alice", "same password")
    db.create_user("bob", "same password")
    db.close()
    with sqlite3.connect(tmp_path / "strength.db") as conn:
        stored = [row[0] for row in conn.execute("SELECT password FROM users ORDER BY id")]
    for entry in stored:
        scheme, n, r, p, _salt, _digest = entry.split("$")
        assert (scheme, int(n), int(r), int(p)) == ("scrypt", 2**14, 8, 1)
    assert stored[0] != stored[1]  # per-user salt: equal passwords, different hashes
    db = Database(tmp_path / "strength.db")
    assert db.login("alice", "same password")["username"] == "alice"
    db.close()
