"""The API document's schemas are the wire types': change a type, the document follows.

The server decodes requests and the local adapter decodes answers with the types in
chatui/core/wire.py; generating the document's components from the same types is
what keeps the document from describing a shape neither side uses.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from chatui.core import wire
from chatui.server import openapi


def _components(documented: dict[str, Any]) -> dict[str, Any]:
    return msgspec.json.schema_components(
        documented.values(), ref_template="#/components/schemas/{name}"
    )[1]


def test_the_message_schema_is_the_message_type() -> None:
    schemas = openapi.build_spec()["components"]["schemas"]
    expected = _components(wire.DOCUMENTED)
    assert schemas["Message"] == expected["Message"]
    assert schemas["Thread"] == expected["Thread"]
    assert set(schemas["Message"]["properties"]) == set(wire.Message.__struct_fields__)
    timer = schemas["VanishTimer"]["properties"]["seconds"]
    assert (timer["minimum"], timer["maximum"]) == (1, 4 * 7 * 24 * 3600)


def test_a_field_added_to_a_wire_type_shows_up_in_the_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    grown = msgspec.defstruct(
        "ReadMarker", [("up_to_ts", int | None, None)], bases=(wire.ReadMarker,)
    )
    monkeypatch.setitem(wire.DOCUMENTED, "ReadMarker", grown)
    schema = openapi.build_spec()["components"]["schemas"]["ReadMarker"]
    assert set(schema["properties"]) == {"message_id", "up_to_ts"}
    assert schema["required"] == ["message_id"]


def test_the_error_codes_are_listed_in_the_error_schema() -> None:
    error = openapi.build_spec()["components"]["schemas"]["Error"]
    assert "`invalid_vanish`" in error["properties"]["error"]["description"]
    assert error["required"] == ["error", "message"]
