"""Schema-driven fuzzing of the reference server against its own /openapi.json.

schemathesis reads the description the server publishes and throws generated
requests at every operation (valid ones, and in "negative" mode deliberately
invalid ones), then checks each answer: never a 5xx, and always a status code,
content type and body that the description allows. A real server on loopback
answers, seeded with a thread and messages so that generated ids sometimes name
things that exist (otherwise nearly every request would stop at a 404).

Bounded and deterministic: a fixed number of examples per operation with
Hypothesis derandomized, so CI runs the same requests every time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from chatui.server.openapi import build_spec
from chatui.server.runner import ServerThread
from tests.conftest import TEST_SCRYPT_N, make_user

pytestmark = pytest.mark.timeout(120)

MAX_EXAMPLES = 100
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class Seed:
    """What exists on the server before fuzzing starts: real ids to aim at."""

    def __init__(self, server: ServerThread) -> None:
        me = make_user(server, "fuzzer")
        make_user(server, "other")
        make_user(server, "third")
        db = server.database
        self.url = server.url
        self.token = me.token
        mine = db.create_thread("fuzzer", ["other"], title="seeded")
        foreign = db.create_thread("other", ["third"])  # the fuzzer is not a member
        own = db.add_message(mine["thread_id"], "fuzzer", "from the fuzzer", txn_id="seed-1")
        theirs = db.add_message(mine["thread_id"], "other", "from someone else")
        hidden = db.add_message(foreign["thread_id"], "other", "not for the fuzzer")
        self.thread_ids = [mine["thread_id"], foreign["thread_id"]]
        self.message_ids = [own["message_id"], theirs["message_id"], hidden["message_id"]]


# The schema is built at import (schemathesis makes one test per operation from it),
# the server only when a test runs: the hooks below read the running server's ids
# from here. test_the_fuzzed_description_is_the_served_one proves the dict used is
# exactly what the server publishes at /openapi.json. (schemathesis's own way to
# load a schema from a fixture, ``schemathesis.pytest.from_fixture``, fails on
# pytest 9.2 in schemathesis 4.32: it sets ``node._nodeid``, which pytest dropped.)
_live: list[Seed] = []


def _seed() -> Seed:
    assert _live, "the seeded_server fixture is not active"
    return _live[-1]


schema = schemathesis.openapi.from_dict(
    build_spec(),
    config=SchemathesisConfig.from_dict(
        {"generation": {"max-examples": MAX_EXAMPLES, "deterministic": True}}
    ),
).exclude(
    # An endless event stream cannot be checked against a response schema.
    path_regex=r"^/v1/events$",
)


def _ids_of(kind: str) -> Any:
    """A strategy drawing one of the seeded ids of ``kind``, read when it is drawn."""
    return st.deferred(
        lambda: st.sampled_from(_seed().thread_ids if kind == "t" else _seed().message_ids)
    )


@schema.hook
def flatmap_path_parameters(ctx: Any, path_parameters: dict[str, Any]) -> Any:
    """Half the time, path ids are swapped for ids that exist."""
    if not isinstance(path_parameters, dict):
        return st.just(path_parameters)
    method = ctx.operation.method.lower() if ctx.operation is not None else ""
    real: dict[str, Any] = {}
    for name, value in path_parameters.items():
        if name == "thread_id":
            real[name] = _ids_of("t")
        elif name == "message_id" or (name == "id" and method in ("delete", "patch")):
            real[name] = _ids_of("m")
        else:  # a txn_id: any value that fits its pattern is "real"
            real[name] = st.just(value)
    return st.one_of(st.just(path_parameters), st.fixed_dictionaries(real))


@schema.hook
def flatmap_query(ctx: Any, query: Any) -> Any:
    """Half the time, ``before`` names a message that exists."""
    if not isinstance(query, dict) or "before" not in query:
        return st.just(query)
    return st.one_of(st.just(query), _ids_of("m").map(lambda m: {**query, "before": m}))


@schema.hook
def flatmap_body(ctx: Any, body: Any) -> Any:
    """Half the time, a message named in a body (read marker, reply) exists."""
    if not isinstance(body, dict):
        return st.just(body)
    for field in ("message_id", "reply_to"):
        if field in body:
            return st.one_of(st.just(body), _ids_of("m").map(lambda m, f=field: {**body, f: m}))
    return st.just(body)


@pytest.fixture(scope="module")
def seeded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seed]:
    db_path = Path(tmp_path_factory.mktemp("fuzz")) / "server.db"
    with ServerThread(db_path, open_registration=True, scrypt_n=TEST_SCRYPT_N) as server:
        _live.append(Seed(server))
        try:
            yield _live[-1]
        finally:
            _live.pop()


def test_the_fuzzed_description_is_the_served_one(seeded_server: Seed) -> None:
    served = httpx.get(f"{seeded_server.url}/openapi.json", timeout=10).json()
    assert served == json.loads(json.dumps(build_spec()))


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,  # nothing written to .hypothesis/: every run is the same run
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_server_answers_every_request_as_its_description_says(
    case: Any, seeded_server: Seed
) -> None:
    # Every request carries the seeded user's token, so authorized routes are reached
    # (the token exists only once the server runs, after the cases were built).
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {seeded_server.token}"}
    case.call_and_validate(base_url=seeded_server.url, checks=CHECKS)
