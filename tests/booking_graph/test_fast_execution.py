"""The fast execution paths (booking_graph/graphql/execution.py) answer exactly what graphql-core's
own path answers: the same data, the same errors with the same paths, for every kind of field and
for values the fast path must not answer itself (null in a non-null field, a failing read, a value
the serializer refuses). The reference is the stock schema (GRAPHQL_FAST_PATHS=0 semantics: no
fast execution context, resolvers, type resolver or plan cache) behind /graphql-stock/
(tests/equivalence_urls.py); tests/booking_graph/test_equivalence.py compares a whole corpus the same way."""
from __future__ import annotations

import pytest
from django.conf import settings
from strawberry.extensions import SchemaExtension

from booking_graph.graphql import execution
from booking_graph.graphql.nul_characters import CheckedInputExecutionContext
from graphql_client import GraphQLClient
from booking_graph.schema import BookingGraphExecutionContext, schema
from bookings import services as booking_services
from catalog.models import Accommodation, Apartment, Hotel

pytestmark_fast = pytest.mark.skipif(not settings.GRAPHQL_FAST_PATHS, reason="GRAPHQL_FAST_PATHS=0: the fast paths are off")
pytestmark = [pytest.mark.django_db, pytest.mark.urls("equivalence_urls"), pytestmark_fast]

PLACE = """__typename id kind name description price location createdAt updatedAt
    ... on Hotel { rooms stars maxGuestsPerRoom } ... on Apartment { bedrooms maxGuests }"""
DOCUMENTS = {
    "catalog page": f"{{ accommodations {{ {PLACE} }} }}",
    "aliases and typename twice": "{ a: accommodations { t: __typename __typename n: name name id } }",
    "one place": "query($id: ID!) { accommodation(id: $id) { __typename id name ... on Hotel { rooms } } }",
    "staff page": f"""{{ accommodations {{ {PLACE} bookings {{ __typename id startDate endDate nights guests
        guestName status totalPrice createdAt voiceNotes {{ id status transcript audioUrl }} }} }} }}""",
    "bookings list": "{ bookings { id guestName status accommodation { __typename id name } } }",
    "availability on a list": """query($start: Date!, $end: Date!) { accommodations { id
        availability(start: $start, end: $end) { __typename date available freeUnits } } }""",
    "next dates on a list": "query($start: Date!) { accommodations { id nextAvailableDate(date: $start, nights: 2) } }",
    "search": """query($start: Date!, $end: Date!) { searchStays(checkIn: $start, checkOut: $end, guests: 1) {
        __typename checkIn nights freeUnits totalPrice accommodation { __typename id name } } }""",
}


@pytest.fixture
def places(make_hotel, make_apartment, day):
    hotel = make_hotel(name="Adlon", rooms=2, stars=None)
    flat = make_apartment(name="Loft", bedrooms=0)
    booking_services.create_booking(accommodation_id=hotel.pk, start_date=day(1), end_date=day(3), guest_name="Ada")
    booking_services.create_booking(accommodation_id=flat.pk, start_date=day(2), end_date=day(4), guest_name="Bo")
    return hotel, flat


@pytest.fixture
def reference():
    """Run a request on the stock schema (every fast path off), with the same client (user, cookies)."""

    def run(client, document, variables=None):
        return GraphQLClient(client.client, path="/graphql-stock/")(document, variables)

    return run


def variables_for(places, day) -> dict:
    return {"id": str(places[0].pk), "start": str(day(0)), "end": str(day(5))}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_same_answer_as_graphql_core(staff_gql, reference, places, day, name):
    document, variables = DOCUMENTS[name], variables_for(places, day)

    fast = staff_gql(document, variables)
    slow = reference(staff_gql, document, variables)

    assert fast.body == slow.body
    assert fast.status_code == slow.status_code == 200
    assert "errors" not in fast.body, fast.body


def test_the_fast_paths_are_the_ones_serving_the_page(staff_gql, places, monkeypatch):
    """Guards the equivalence tests above: the plain leaves and list items really take the fast path."""
    built, read = [], []
    monkeypatch.setattr(execution, "_plain_object", lambda *a, _o=execution._plain_object: built.append(a[1]) or _o(*a))
    monkeypatch.setattr(execution, "_fast_value", lambda *a, _o=execution._fast_value: read.append(a[0]) or _o(*a))

    staff_gql(DOCUMENTS["catalog page"]).data
    staff_gql(DOCUMENTS["staff page"]).data

    assert sorted(built) == ["Apartment", "Hotel"]  # catalog rows, each built directly
    assert {leaf.attname for leaf in read} >= {"name", "guest_name", "start_date", "rooms", "status"}


def test_an_apartment_and_a_hotel_row_are_typed_by_their_class(gql, places):
    hotel, flat = places
    rows = gql("{ accommodations { __typename id } }").data["accommodations"]

    assert {row["id"]: row["__typename"] for row in rows} == {str(hotel.pk): "Hotel", str(flat.pk): "Apartment"}
    assert execution.BY_CLASS in vars(schema._schema.type_map["Accommodation"].resolve_type)


# --- Values the fast path must leave to graphql-core -------------------------------------------


def _break_attribute(monkeypatch, model, name, getter):
    # Rows still load (the setter drops the column's value); reading the attribute gives `getter`'s.
    monkeypatch.setattr(model, name, property(getter, lambda row, value: None))


@pytest.mark.parametrize(
    ("case", "model", "attribute", "getter"),
    [
        ("null in a non-null field", Accommodation, "name", lambda row: None),
        ("null in a nullable field", Hotel, "stars", lambda row: None),
        ("a read that fails", Accommodation, "location", lambda row: 1 / 0),
        ("an enum value that does not exist", Accommodation, "kind", lambda row: "castle"),
        ("a value the scalar refuses", Apartment, "max_guests", lambda row: "many"),
        ("an int out of range", Apartment, "bedrooms", lambda row: 2**40),
    ],
)
def test_refused_values_give_graphql_cores_errors(gql, reference, places, monkeypatch, case, model, attribute, getter):
    _break_attribute(monkeypatch, model, attribute, getter)
    document = DOCUMENTS["catalog page"]

    fast = gql(document)
    slow = reference(gql, document)

    assert fast.body == slow.body, case
    if case != "null in a nullable field":
        assert fast.errors and all(error["path"][0] == "accommodations" for error in fast.errors), fast.body


def test_a_refused_value_in_a_calendar_day_is_located_at_its_day(gql, reference, places, day, monkeypatch):
    from bookings.selectors import AvailabilityDay

    monkeypatch.setattr(AvailabilityDay, "available", property(lambda row: None if row.date == day(2) else True))
    document, variables = DOCUMENTS["availability on a list"], variables_for(places, day)

    fast = gql(document, variables)

    assert fast.body == reference(gql, document, variables).body
    assert {tuple(error["path"][2:]) for error in fast.errors} == {("availability", 2, "available")}


def test_field_middleware_turns_the_fast_paths_off(gql, places, monkeypatch):
    """An extension with `resolve` must see every field, as it would without the fast paths."""
    seen = []

    class SeesEveryField(SchemaExtension):
        def resolve(self, _next, root, info, *args, **kwargs):
            seen.append(f"{info.parent_type.name}.{info.field_name}")
            return _next(root, info, *args, **kwargs)

    monkeypatch.setattr(schema, "extensions", (*schema.extensions, SeesEveryField))

    assert gql("{ accommodations { name } }").data
    assert {"Hotel.name", "Apartment.name"} <= set(seen)


def test_the_schema_runs_with_the_fast_context():
    assert schema.execution_context_class is BookingGraphExecutionContext
    assert issubclass(BookingGraphExecutionContext, CheckedInputExecutionContext)


def test_a_deferred_column_still_reads_through_the_fast_path(staff_gql, places):
    """Bookings nested under a place select only their own columns; `nights` reads two of them."""
    rows = staff_gql("{ accommodations { bookings { nights } } }").data["accommodations"]

    assert sorted(b["nights"] for row in rows for b in row["bookings"]) == [2, 2]
