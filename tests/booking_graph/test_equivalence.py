"""The fast paths change nothing a client or the database sees.

One corpus of documents, sent as an anonymous client, a signed-in non-staff user and staff, to the
project's schema (/graphql/, fast paths as configured) and to the stock one (/graphql-stock/, the
schema built with GRAPHQL_FAST_PATHS=0: stock Strawberry execution, resolvers and optimizer, in the
same process, tests/equivalence_urls.py). Compared: the whole body (data, errors with message, path
and code), the HTTP status and the SQL statements, in order.

The corpus: the documents the suite sends (tests/booking_graph/equivalence_corpus.json, recorded with
GRAPHQL_CORPUS_RECORD=<file> over a full run, plus the module-level documents of every test
module), documents written here for variables, named fragments, interfaces, aliases,
@include/@skip, errors and nulls, and documents generated over the whole schema by
hypothesis-graphql. Variables are filled from each operation's definitions with ids of the data
made here. Mutations run in a savepoint rolled back after each side, and are compared with the
values that cannot repeat (ids from sequences, random references, timestamps) masked.
Sized for CI: EQUIVALENCE_MAX_DOCUMENTS (default 160) documents in all, EQUIVALENCE_GENERATED
(default 25) generated ones per user.
"""
from __future__ import annotations

import ast
import copy
import datetime
import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import graphql
import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st
from hypothesis_graphql import from_schema, nodes

from bookings import services as booking_services
from bookings.selectors import today
from voice.models import VoiceNote

pytestmark = [pytest.mark.django_db, pytest.mark.urls("equivalence_urls")]

TESTS = Path(__file__).resolve().parents[1]  # tests/: every test module is scanned for documents
CORPUS_FILE = Path(__file__).resolve().with_name("equivalence_corpus.json")
SDL = (TESTS.parent / "schema.graphql").read_text()
SCHEMA = graphql.build_schema(SDL)
MAX_DOCUMENTS = int(os.environ.get("EQUIVALENCE_MAX_DOCUMENTS", "160"))
GENERATED = int(os.environ.get("EQUIVALENCE_GENERATED", "25"))

PLACE = """__typename id kind name description price location timeZone createdAt updatedAt
  ... on Hotel { rooms stars maxGuestsPerRoom } ... on Apartment { bedrooms maxGuests }"""
WRITTEN = [
    f"{{ accommodations(pagination: {{limit: 100}}) {{ {PLACE} }} }}",
    f"""{{ accommodations {{ {PLACE} bookings {{ __typename id startDate endDate nights guests guestName
        status totalPrice createdAt voiceNotes {{ id status transcript audioUrl createdAt }} }} }} }}""",
    # variables, a named fragment on the interface and on each type, aliases, @include/@skip
    """query Page($limit: Int!, $withBookings: Boolean!, $skipPrice: Boolean!) {
        first: accommodations(pagination: {limit: $limit}) { ...Place }
        again: accommodations(pagination: {limit: $limit}) { n: name price @skip(if: $skipPrice)
          bookings @include(if: $withBookings) { id g: guestName } } }
      fragment Place on Accommodation { __typename id name ...HotelBits ...FlatBits }
      fragment HotelBits on Hotel { rooms stars }
      fragment FlatBits on Apartment { bedrooms maxGuests }""",
    # nulls (a hotel without stars), an unknown id (null), a bad id (an error), a staff-only list
    "query($id: ID!) { accommodation(id: $id) { id name ... on Hotel { stars } } }",
    '{ accommodation(id: "999999999") { id } hotel(id: "not-a-number") { id } }',
    "{ bookings { id guestName status accommodation { __typename id name } } }",
    """query($start: Date!, $end: Date!) { accommodations { id nextAvailableDate(date: $start, nights: 2)
        availability(start: $start, end: $end) { __typename date available freeUnits price } } }""",
    """query($start: Date!, $end: Date!) { searchStays(checkIn: $start, checkOut: $end, guests: 1) {
        __typename checkIn nights freeUnits totalPrice nightlyPrice accommodation { __typename id name
        nextAvailableDate(date: $start) } } }""",
    "{ hotels { id name rooms ratePlans { id code name isDefault parent { id } } } apartments { id maxGuests } }",
    "{ me { username isStaff } }",
    # an error in a list item: an availability window the rules refuse, on every row
    '{ accommodations { id availability(start: "2030-01-10", end: "2030-01-01") { date } } }',
    # mutations: refused and accepted, as OperationInfo and as data
    """mutation($place: ID!, $start: Date!, $end: Date!) { createBooking(data: {accommodation: $place,
        startDate: $start, endDate: $end, guestName: "Eve"}) { __typename ... on Booking { id nights status
        accommodation { id name } } ... on OperationInfo { messages { kind field message code } } } }""",
    """mutation($id: ID!) { updateHotel(data: {id: $id, stars: 4}) { __typename ... on Hotel { id stars
        bookings { id } } ... on OperationInfo { messages { kind field message code } } } }""",
]


# --- The corpus -----------------------------------------------------------------------------------


def _executable(text: str) -> bool:
    try:
        document = graphql.parse(text)
    except graphql.GraphQLError:
        return False
    return any(isinstance(d, graphql.OperationDefinitionNode) for d in document.definitions)


def module_documents() -> list[str]:
    """Module-level string constants (and dict/list values) of the test modules that are documents."""
    found = []
    for module in sorted(TESTS.rglob("test_*.py")):
        tree = ast.parse(module.read_text())
        for node in tree.body:
            if isinstance(node, ast.Assign):
                values = [node.value]
                if isinstance(node.value, (ast.Dict, ast.List, ast.Tuple)):
                    values = [*getattr(node.value, "values", []), *getattr(node.value, "elts", [])]
                    values = [v.elts[0] if isinstance(v, ast.Tuple) and v.elts else v for v in values]
                for value in values:
                    if isinstance(value, ast.Constant) and isinstance(value.value, str) and _executable(value.value):
                        found.append(value.value)
    return found


def recorded_documents() -> list[str]:
    return json.loads(CORPUS_FILE.read_text()) if CORPUS_FILE.exists() else []


def corpus() -> list[str]:
    """The written and module-level documents, then recorded ones spread evenly over the suite's
    order (so every area of the suite is sampled), up to MAX_DOCUMENTS; a few refused ones too."""
    own = list(dict.fromkeys([*WRITTEN, *module_documents()]))
    recorded = [d for d in dict.fromkeys(recorded_documents()) if d not in own]
    room = max(MAX_DOCUMENTS - len(own), 0)
    step = max(len(recorded) / room, 1.0) if room else 1.0
    sampled = [recorded[int(i * step)] for i in range(min(room, len(recorded)))]
    documents = [*own, *sampled]
    valid = [d for d in documents if _executable(d) and not graphql.validate(SCHEMA, graphql.parse(d))]
    refused = [d for d in documents if d not in valid][:10]  # the same refusal on both sides
    return valid + refused


# --- Variables from the operation's definitions -----------------------------------------------------


def _value_for(name: str, type_node: Any, data: dict) -> Any:
    if isinstance(type_node, graphql.NonNullTypeNode):
        return _value_for(name, type_node.type, data)
    if isinstance(type_node, graphql.ListTypeNode):
        return [_value_for(name, type_node.type, data)]
    kind, lowered = type_node.name.value, name.lower()
    if kind == "ID":
        for word, key in (("booking", "booking"), ("note", "note"), ("plan", "plan"), ("apartment", "flat"),
                          ("flat", "flat"), ("place", "hotel"), ("accommodation", "hotel")):
            if word in lowered:
                return str(data[key])
        return str(data["hotel"])
    if kind == "Date":
        later = any(word in lowered for word in ("end", "out", "to", "until"))
        return str(today() + datetime.timedelta(days=24 if later else 20))
    if kind == "Int":
        return 100 if "limit" in lowered else 2
    if kind == "Boolean":
        return "skip" not in lowered
    if kind == "Decimal":
        return "150.00"
    if kind in ("String",):
        return "staff-pass-123" if "password" in lowered else ("staff" if "user" in lowered else "Ada")
    enum = SCHEMA.get_type(kind)
    if isinstance(enum, graphql.GraphQLEnumType):
        return next(iter(enum.values))
    raise LookupError(kind)  # input objects and uploads: the document is sent with its literals only


def variables_for(document: str, data: dict) -> dict | None:
    operations = [d for d in graphql.parse(document).definitions if isinstance(d, graphql.OperationDefinitionNode)]
    variables = {}
    for definition in operations[0].variable_definitions or ():
        try:
            variables[definition.variable.name.value] = _value_for(definition.variable.name.value, definition.type, data)
        except LookupError:
            if isinstance(definition.type, graphql.NonNullTypeNode) and definition.default_value is None:
                return None
    return variables


# --- Running one document on both schemas ---------------------------------------------------------

SAVEPOINT = re.compile(r'"?s\d+_x\d+"?')
MOMENT = re.compile(r"'\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:\d\d)?'")  # the clock, not a choice
LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")
VOLATILE_KEYS = {"id", "reference", "createdAt", "updatedAt", "confirmedAt", "expiresAt", "cancelledAt",
                 "freeCancellationUntil", "transcribedAt", "at"}


def _masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: ("<masked>" if key in VOLATILE_KEYS else _masked(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    if isinstance(value, str):
        return re.sub(r"\d+", "<n>", value)
    return value


def run(client: Client, path: str, document: str, variables: dict, *, mutation: bool) -> tuple:
    token = client.cookies.get("csrftoken")
    headers = {"X-CSRFToken": token.value} if token else {}
    cache.clear()  # the same rate-limit budgets for both sides
    cookies = copy.deepcopy(client.cookies)  # login/logout change the client too: undone with the savepoint
    try:
        with transaction.atomic():
            with CaptureQueriesContext(connection) as captured:
                response = client.post(path, json.dumps({"query": document, "variables": variables}),
                                       content_type="application/json", headers=headers)
            raise _RolledBack(response, captured.captured_queries)
    except _RolledBack as done:
        response, queries = done.args
    finally:
        client.cookies = cookies
    body = response.json()
    statements = [MOMENT.sub("<now>", SAVEPOINT.sub("<savepoint>", query["sql"])) for query in queries]
    if mutation:
        body, statements = _masked(body), [LITERAL.sub("?", sql) for sql in statements]
    return response.status_code, body, statements


class _RolledBack(Exception):
    pass


def assert_same(client: Client, document: str, variables: dict, who: str) -> None:
    mutation = "mutation" in document.split("{", 1)[0]
    fast = run(client, "/graphql/", document, variables, mutation=mutation)
    stock = run(client, "/graphql-stock/", document, variables, mutation=mutation)
    where = f"as {who}: {document[:300]} {variables}"
    assert fast[0] == stock[0], f"HTTP status differs {where}"
    assert fast[1] == stock[1], f"answer differs {where}"
    assert fast[2] == stock[2], f"SQL differs {where}"


# --- Data and users -----------------------------------------------------------------------------------


@pytest.fixture
def data(make_hotel, make_apartment, day):
    hotel = make_hotel(name="Adlon", rooms=2, stars=None)
    flat = make_apartment(name="Loft", bedrooms=0)
    make_hotel(name="Ritz", rooms=1, stars=5)
    first = booking_services.create_booking(accommodation_id=hotel.pk, start_date=day(1), end_date=day(3), guest_name="Ada")
    booking_services.create_booking(accommodation_id=flat.pk, start_date=day(2), end_date=day(4), guest_name="Bo")
    note = VoiceNote.objects.create(booking=first, audio=f"voice-notes/{first.pk}/a.wav", content_type="audio/wav",
                                    size_bytes=1, duration_seconds=1.0, status="COMPLETED", transcript="ok")
    return {"hotel": hotel.pk, "flat": flat.pk, "booking": first.pk, "note": note.pk,
            "plan": hotel.rate_plans.get().pk}


@pytest.fixture
def users(django_user_model):
    staff = django_user_model.objects.create_user("staff", password="staff-pass-123", is_staff=True)
    guest = django_user_model.objects.create_user("guest", password="guest-pass-123")
    clients = {"anonymous": Client(enforce_csrf_checks=True)}
    for who, user in (("user", guest), ("staff", staff)):
        clients[who] = Client(enforce_csrf_checks=True)
        clients[who].force_login(user)
    for client in clients.values():
        client.get("/graphql/", headers={"Accept": "text/html"})  # the csrftoken cookie
        client.post("/graphql/", json.dumps({"query": "{ __typename }"}), content_type="application/json",
                    headers={"X-CSRFToken": client.cookies["csrftoken"].value})  # warm up (metrics gauges)
        client.post("/graphql-stock/", json.dumps({"query": "{ __typename }"}), content_type="application/json",
                    headers={"X-CSRFToken": client.cookies["csrftoken"].value})
    return clients


def test_the_two_endpoints_are_the_two_schemas():
    from django.conf import settings

    import equivalence_urls
    from booking_graph.schema import schema

    assert schema.fast_paths is settings.GRAPHQL_FAST_PATHS and equivalence_urls.stock_schema.fast_paths is False


def test_the_corpus_is_the_suites_and_covers_the_features():
    documents = corpus()
    assert len(documents) >= len(WRITTEN) + 10
    text = "\n".join(documents)
    for feature in ("fragment ", "@include", "@skip", "... on Hotel", "mutation", "$"):
        assert feature in text, feature


def test_every_document_answers_the_same_on_the_stock_schema(users, data):
    checked = 0
    for document in corpus():
        variables = variables_for(document, data) if _executable(document) else {}
        if variables is None:
            continue
        for who, client in users.items():
            assert_same(client, document, variables, who)
        checked += 1
    assert checked >= len(WRITTEN)


SCALARS = {
    "Date": st.sampled_from(["2030-01-01", "2030-01-05", "not a date"]).map(nodes.String),
    "DateTime": st.just(nodes.String("2030-01-01T00:00:00+00:00")),
    "Decimal": st.sampled_from(["100.00", "NaN"]).map(nodes.String),
    "Upload": st.just(graphql.NullValueNode()),
}


@pytest.mark.parametrize("who", ["anonymous", "user", "staff"])
def test_generated_queries_answer_the_same(users, data, who):
    client = users[who]

    @hypothesis_settings(max_examples=GENERATED, deadline=None, derandomize=True, database=None,
                         suppress_health_check=list(HealthCheck))
    @given(from_schema(SDL, custom_scalars=SCALARS))
    def check(document: str) -> None:
        assert_same(client, document, {}, who)

    check()
