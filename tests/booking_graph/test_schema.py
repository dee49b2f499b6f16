"""schema.graphql is exported from the code; this fails when someone forgets `make schema`."""
from pathlib import Path

from strawberry.printer import print_schema

from booking_graph.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_schema_matches_code():
    committed = SCHEMA_FILE.read_text()
    current = print_schema(schema)
    assert committed.strip() == current.strip(), "schema.graphql is stale: run `make schema` and commit it"
