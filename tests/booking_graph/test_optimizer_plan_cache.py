"""The optimizer's plan is cached per document (booking_graph/graphql/optimizer.py): the SQL is the
SQL strawberry-django's own optimizer writes, first time and every time after; plans holding
prefetches (querysets built for one request and user) are never kept; variables are part of the key;
the cache is bounded."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking_graph.graphql import optimizer
from bookings import services as booking_services

pytestmark_fast = pytest.mark.skipif(not settings.GRAPHQL_FAST_PATHS, reason="GRAPHQL_FAST_PATHS=0: the fast paths are off")
pytestmark = [pytest.mark.django_db, pytestmark_fast]

PLACE = "__typename id name price ... on Hotel { rooms stars } ... on Apartment { bedrooms maxGuests }"
DOCUMENTS = {
    "catalog page": f"{{ accommodations {{ {PLACE} }} }}",
    "one place": "query($id: ID!) { accommodation(id: $id) { id name ... on Hotel { rooms } } }",
    "hotels only": "{ hotels { id name rooms } }",
    "staff page": f"{{ accommodations {{ {PLACE} bookings {{ id guestName voiceNotes {{ id status }} }} }} }}",
    "bookings with their place": "{ bookings { id guestName accommodation { __typename id name } } }",
    "conditional fragment": """query($rooms: Boolean!) { accommodations { id
        ... on Hotel @include(if: $rooms) { rooms stars } } }""",
}


@pytest.fixture(autouse=True)
def empty_plan_cache():
    optimizer.plan_cache.clear()
    yield
    optimizer.plan_cache.clear()


@pytest.fixture
def places(make_hotel, make_apartment, day):
    hotel = make_hotel(name="Adlon", rooms=2)
    flat = make_apartment(name="Loft")
    booking_services.create_booking(accommodation_id=hotel.pk, start_date=day(1), end_date=day(3), guest_name="Ada")
    booking_services.create_booking(accommodation_id=flat.pk, start_date=day(1), end_date=day(2), guest_name="Bo")
    return hotel, flat


def run(client, document, variables=None) -> tuple[dict, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client(document, variables)
    return response.body, [q["sql"] for q in captured.captured_queries if "django_session" not in q["sql"]]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_sql_is_strawberry_djangos_first_time_and_every_time(staff_gql, places, monkeypatch, name):
    document, variables = DOCUMENTS[name], {"id": str(places[0].pk), "rooms": True}
    with monkeypatch.context() as patch:
        patch.setattr(optimizer, "optimize_with_plan_cache", lambda *args: None)  # upstream's optimizer
        upstream = run(staff_gql, document, variables)

    cold = run(staff_gql, document, variables)
    warm = run(staff_gql, document, variables)

    assert cold == upstream
    assert warm == upstream
    assert "errors" not in upstream[0]


def test_a_repeated_document_is_planned_once(gql, places):
    gql(DOCUMENTS["catalog page"])
    misses = optimizer.plan_cache.misses

    gql(DOCUMENTS["catalog page"])
    gql(DOCUMENTS["catalog page"])

    assert optimizer.plan_cache.misses == misses
    assert optimizer.plan_cache.hits == 2


def test_a_plan_with_prefetches_is_never_kept(staff_gql, places):
    staff_gql(DOCUMENTS["staff page"])

    assert not any(key[1] == ("accommodations",) for key in optimizer.plan_cache._plans)


@pytest.mark.parametrize("order", [("staff", "anonymous"), ("anonymous", "staff")])
def test_staff_only_relations_stay_staff_only_whoever_asks_first(request, places, order):
    answers = {who: request.getfixturevalue({"staff": "staff_gql", "anonymous": "gql"}[who])(DOCUMENTS["staff page"])
               for who in order}

    assert answers["anonymous"].body["data"] is None
    assert [e["message"] for e in answers["anonymous"].errors] == ["User is not a staff member."]
    guests = sorted(b["guestName"] for place in answers["staff"].data["accommodations"] for b in place["bookings"])
    assert guests == ["Ada", "Bo"]


def test_variables_are_part_of_the_plan(gql, places):
    document = DOCUMENTS["conditional fragment"]

    with_rooms, with_rooms_sql = run(gql, document, {"rooms": True})
    without_rooms, without_rooms_sql = run(gql, document, {"rooms": False})
    again, again_sql = run(gql, document, {"rooms": True})

    assert "rooms" in str(with_rooms) and "rooms" not in str(without_rooms)
    assert '"catalog_hotel"."rooms"' in with_rooms_sql[0] and '"catalog_hotel"."rooms"' not in without_rooms_sql[0]
    assert (again, again_sql) == (with_rooms, with_rooms_sql)


def test_the_cache_is_bounded(gql, places, settings):
    settings.GRAPHQL_DOCUMENT_CACHE_SIZE = 2

    for n in range(20):
        gql(f"{{ accommodations {{ id a{n}: name }} }}")

    assert 0 < len(optimizer.plan_cache._plans) <= 8


def test_a_plan_is_only_given_to_the_operation_it_was_made_for():
    from graphql import parse

    made_for, other = (parse("{ a }").definitions[0], parse("{ a }").definitions[0])
    plan = optimizer._Plan(operation=made_for, only=("id",), select_related=(), subclasses=None)
    optimizer.plan_cache.put(("key",), plan)

    assert optimizer.plan_cache.get(("key",), made_for) is plan
    assert optimizer.plan_cache.get(("key",), other) is None


def test_variables_that_are_not_plain_data_are_not_cached():
    with pytest.raises(TypeError):
        optimizer._frozen({"file": [{"x": object.__new__(type("Unhashable", (), {"__hash__": None}))}]})
    assert optimizer._frozen({"b": [1, True], "a": None}) == optimizer._frozen({"a": None, "b": [1, True]})
    assert optimizer._frozen({"a": 1}) != optimizer._frozen({"a": True})
