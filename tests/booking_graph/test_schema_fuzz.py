"""A standing property-based fuzz of the whole schema (issue 19): hypothesis-graphql generates valid
queries and mutations from schema.graphql, run in-process through the real /graphql/ view against
the real database, as an anonymous client and as staff. Nothing it sends may end in an HTTP 500 or
an internal error (a non-client error logged by BookingGraphSchema.process_errors). Bounded
(FUZZ_EXAMPLES per run) so `make test` stays quick; a longer run: FUZZ_EXAMPLES=5000."""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import graphql
import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis_graphql import from_schema, nodes

SCHEMA = (Path(__file__).resolve().parents[2] / "schema.graphql").read_text()
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))

# Values for the custom scalars: well-formed ones and junk, so the scalars' refusals are exercised too.
TEXT = st.text(max_size=30)
CUSTOM_SCALARS = {
    "Date": st.one_of(st.dates().map(lambda d: d.isoformat()), TEXT).map(nodes.String),
    "DateTime": st.one_of(st.datetimes().map(lambda d: d.isoformat()), TEXT).map(nodes.String),
    "Decimal": st.one_of(st.decimals(allow_nan=True, allow_infinity=True).map(str), TEXT).map(nodes.String),
    "Upload": st.one_of(TEXT.map(nodes.String), st.just(graphql.NullValueNode())),
}
OPERATIONS = from_schema(SCHEMA, custom_scalars=CUSTOM_SCALARS)


class InternalErrors(logging.Handler):
    """Collects what BookingGraphSchema.process_errors logs for a bug (never for a client's mistake)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def internal_errors():
    handler = InternalErrors()
    loggers = [logging.getLogger(name) for name in ("strawberry.execution", "django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


def post(client: Client, query: str) -> None:
    token = client.cookies.get("csrftoken")
    headers = {"X-CSRFToken": token.value} if token else {}
    response = client.post("/graphql/", json.dumps({"query": query}), content_type="application/json", headers=headers)
    assert response.status_code != 500, (query, response.content[:500])
    body = response.json()
    for error in body.get("errors") or []:
        assert (error.get("extensions") or {}).get("code") != "internal", (query, error)


def fuzz(client: Client, internal_errors: InternalErrors) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(OPERATIONS)
    def run(query: str) -> None:
        internal_errors.records.clear()
        post(client, query)
        assert not internal_errors.records, (query, [record.getMessage()[:500] for record in internal_errors.records])

    run()


@pytest.mark.django_db
def test_anonymous_fuzz_finds_no_internal_error(internal_errors, make_hotel, make_apartment):
    make_hotel(), make_apartment()
    fuzz(Client(enforce_csrf_checks=True), internal_errors)


@pytest.mark.django_db
def test_staff_fuzz_finds_no_internal_error(internal_errors, staff_user, make_hotel, make_apartment):
    make_hotel(), make_apartment()
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    client.get("/graphql/", headers={"Accept": "text/html"})  # the csrftoken cookie
    fuzz(client, internal_errors)
