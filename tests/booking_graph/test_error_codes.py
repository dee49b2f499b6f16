"""Error codes: each owned by one app's enum, all visible in the schema, none written as a loose string."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from booking_graph.domain import CommonErrorCode
from booking_graph.graphql.errors import RequestErrorCode
from booking_graph.schema import schema
from bookings.errors import BookingErrorCode
from catalog.errors import CatalogErrorCode
from voice.errors import VoiceErrorCode

BACKEND = Path(__file__).resolve().parents[2] / "backend"
ENUMS = [CommonErrorCode, CatalogErrorCode, BookingErrorCode, VoiceErrorCode, RequestErrorCode]


@pytest.mark.parametrize("codes", ENUMS, ids=lambda codes: codes.__name__)
def test_each_enum_is_in_the_schema_with_the_wire_strings_as_values(codes):
    graphql_enum = schema._schema.type_map[codes.__name__]

    assert list(graphql_enum.values) == [code.value for code in codes]  # what `code` carries, e.g. "booking_overlap"
    assert graphql_enum.description


def test_every_code_has_one_owner():
    values = [code.value for codes in ENUMS for code in codes]

    assert len(values) == len(set(values))


def _loose_codes(tree: ast.AST) -> list[str]:
    """String literals where a code belongs: field_error(field, message, "code"), code="...", {"code": "..."}."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name == "field_error" and len(node.args) == 3 and isinstance(node.args[2], ast.Constant):
                found.append(node.args[2].value)
            found += [kw.value.value for kw in node.keywords if kw.arg == "code" and isinstance(kw.value, ast.Constant)]
        elif isinstance(node, ast.Dict):
            found += [
                value.value for key, value in zip(node.keys, node.values)
                if isinstance(key, ast.Constant) and key.value == "code" and isinstance(value, ast.Constant)
            ]
    return found


def test_no_module_writes_a_code_as_a_loose_string():
    loose = {
        str(path.relative_to(BACKEND)): codes
        for path in BACKEND.rglob("*.py")
        if "migrations" not in path.parts and (codes := _loose_codes(ast.parse(path.read_text())))
    }

    assert loose == {}


def test_the_scan_finds_a_loose_code():
    """The check above would catch one (it is not vacuous)."""
    tree = ast.parse('field_error("rooms", "no", "rooms_below_bookings")\nValidationError("x", code="oops")')

    assert _loose_codes(tree) == ["rooms_below_bookings", "oops"]
