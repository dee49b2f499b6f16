"""Lists resolve in a number of SQL queries that does not grow with the rows (no N+1).

`nextAvailableDate` and `availability` deliberately cost one query per accommodation
and are left out here.
"""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings import services as booking_services

pytestmark = pytest.mark.django_db

ALL_FIELDS = """
  __typename id kind name description price location createdAt updatedAt
  ... on Hotel { rooms stars }
  ... on Apartment { bedrooms maxGuests }
"""
ACCOMMODATIONS = f"{{ accommodations(pagination: {{limit: 100}}) {{ {ALL_FIELDS} }} }}"
WITH_BOOKINGS = f"""{{ accommodations(pagination: {{limit: 100}}) {{
  {ALL_FIELDS}
  bookings {{ id startDate endDate nights guestName status }}
}} }}"""
WITH_BOOKINGS_AND_BACK = f"""{{ accommodations(pagination: {{limit: 100}}) {{
  {ALL_FIELDS}
  bookings {{ id accommodation {{ __typename id kind name ... on Hotel {{ rooms }} ... on Apartment {{ maxGuests }} }} }}
}} }}"""
CONCRETE_LISTS = """{
  hotels(pagination: {limit: 100}) { id kind name price location rooms stars }
  apartments(pagination: {limit: 100}) { id kind name price location bedrooms maxGuests }
}"""


@pytest.fixture
def grow(make_hotel, make_apartment, day):
    """grow(n) adds places (alternating kinds) until there are n, each with two bookings."""
    created = []

    def to(total: int) -> None:
        while len(created) < total:
            n = len(created)
            place = (make_hotel if n % 2 == 0 else make_apartment)(name=f"Place {n}")
            for start, end in ((5, 7), (7, 9)):
                booking_services.create_booking(
                    accommodation_id=place.pk, start_date=day(start), end_date=day(end), guest_name=f"Guest {n}"
                )
            created.append(place)

    return to


def queries_for(client, query: str, *, expected_rows: int, field: str = "accommodations") -> int:
    with CaptureQueriesContext(connection) as captured:
        data = client(query).data
    assert len(data[field]) == expected_rows
    return len(captured.captured_queries)


def assert_constant(client, grow, query: str, *, field: str = "accommodations", per_kind: bool = False) -> int:
    grow(5)
    few = queries_for(client, query, expected_rows=3 if per_kind else 5, field=field)
    grow(50)
    many = queries_for(client, query, expected_rows=25 if per_kind else 50, field=field)
    assert many == few, f"{few} queries for 5 places but {many} for 50"
    return few


def test_public_listing_of_mixed_kinds(gql, grow):
    count = assert_constant(gql, grow, ACCOMMODATIONS)

    assert count <= 3  # the subclasses come with one joined query


def test_concrete_lists(gql, grow):
    assert_constant(gql, grow, CONCRETE_LISTS, field="hotels", per_kind=True)


def test_staff_listing_with_nested_bookings(staff_gql, grow):
    assert_constant(staff_gql, grow, WITH_BOOKINGS)


def test_staff_listing_with_bookings_and_their_accommodation(staff_gql, grow):
    assert_constant(staff_gql, grow, WITH_BOOKINGS_AND_BACK)


def test_nested_bookings_are_all_returned(staff_gql, grow):
    grow(6)

    rows = staff_gql(WITH_BOOKINGS).data["accommodations"]

    assert [len(row["bookings"]) for row in rows] == [2] * 6
    assert all(booking["guestName"] == row["name"].replace("Place", "Guest") for row in rows
               for booking in row["bookings"])
