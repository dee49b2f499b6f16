"""searchStays through the GraphQL API: shape, rules, bad input, pagination, access, statements per request."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import services as catalog_services
from factories import make_booking

pytestmark = pytest.mark.django_db

SEARCH = """
query($checkIn: Date!, $checkOut: Date!, $guests: Int! = 1, $location: String, $kind: AccommodationKind,
      $maxNightlyPrice: Decimal, $pagination: OffsetPaginationInput) {
  searchStays(checkIn: $checkIn, checkOut: $checkOut, guests: $guests, location: $location, kind: $kind,
              maxNightlyPrice: $maxNightlyPrice, pagination: $pagination) {
    checkIn checkOut nights guests nightlyPrice totalPrice freeUnits
    accommodation { __typename id name location price ... on Hotel { rooms maxGuestsPerRoom } ... on Apartment { maxGuests } }
  }
}"""


def search(client, day, start: int, end: int, **variables):
    return client(SEARCH, {"checkIn": str(day(start)), "checkOut": str(day(end)), **variables})


def offers(client, day, start: int, end: int, **variables) -> list[dict]:
    return search(client, day, start, end, **variables).data["searchStays"]


def test_the_first_screen_of_a_booking_site(gql, make_hotel, make_apartment, day):
    """3 nights in Lisbon for 2 guests: what is free, and what does it cost?"""
    hotel = make_hotel(name="Casa do Fado", location="Lisbon", price=Decimal("119.00"), rooms=2)
    flat = make_apartment(name="Alfama Terrace", location="Lisbon", price=Decimal("110.00"), max_guests=4)
    make_apartment(name="Tiny studio", location="Lisbon", price=Decimal("50.00"), max_guests=1)
    make_hotel(name="Hotel Spreeblick", location="Berlin", price=Decimal("90.00"))
    make_booking(hotel, day, 12, 13)

    answer = offers(gql, day, 10, 13, guests=2, location="lisbon")

    assert answer == [
        {
            "checkIn": str(day(10)), "checkOut": str(day(13)), "nights": 3, "guests": 2,
            "nightlyPrice": "110.00", "totalPrice": "330.00", "freeUnits": 1,
            "accommodation": {"__typename": "Apartment", "id": str(flat.pk), "name": "Alfama Terrace",
                              "location": "Lisbon", "price": "110.00", "maxGuests": 4},
        },
        {
            "checkIn": str(day(10)), "checkOut": str(day(13)), "nights": 3, "guests": 2,
            "nightlyPrice": "119.00", "totalPrice": "357.00", "freeUnits": 1,
            "accommodation": {"__typename": "Hotel", "id": str(hotel.pk), "name": "Casa do Fado",
                              "location": "Lisbon", "price": "119.00", "rooms": 2, "maxGuestsPerRoom": 2},
        },
    ]


def test_a_hotel_full_on_one_night_and_an_apartment_too_small(gql, make_hotel, make_apartment, day):
    full = make_hotel(name="Full on night 11", rooms=1)
    make_booking(full, day, 11, 12)
    make_apartment(name="Free but small", max_guests=1)
    make_apartment(name="Free and big enough", max_guests=2)

    assert [o["accommodation"]["name"] for o in offers(gql, day, 10, 13, guests=2)] == ["Free and big enough"]


def test_a_price_change_shows_in_search_but_not_in_the_booking(gql, staff_gql, make_apartment, day):
    apartment = make_apartment(price=Decimal("100.00"))
    booking = make_booking(apartment, day, 1, 3)
    catalog_services.update_apartment(apartment_id=apartment.pk, price=Decimal("120.00"))

    assert offers(gql, day, 5, 7)[0]["totalPrice"] == "240.00"
    kept = staff_gql("query($id: ID!) { booking(id: $id) { totalPrice } }", {"id": booking.pk}).data["booking"]
    assert kept == {"totalPrice": "200.00"}


def test_kind_and_max_nightly_price_filters(gql, make_hotel, make_apartment, day):
    make_hotel(name="H", price=Decimal("80"))
    make_apartment(name="A", price=Decimal("70"))

    assert [o["accommodation"]["name"] for o in offers(gql, day, 1, 2, kind="HOTEL")] == ["H"]
    assert [o["accommodation"]["name"] for o in offers(gql, day, 1, 2, maxNightlyPrice="75")] == ["A"]


@pytest.mark.parametrize(
    ("start", "end", "variables", "code", "field"),
    [
        pytest.param(5, 3, {}, "invalid_date_range", "checkOut", id="reversed"),
        pytest.param(3, 3, {}, "invalid_date_range", "checkOut", id="empty"),
        pytest.param(1, 400, {}, "stay_too_long", "checkOut", id="too-long"),
        pytest.param(1, 2, {"guests": 0}, "invalid_guests", "guests", id="no-guests"),
        pytest.param(1, 2, {"guests": -5}, "invalid_guests", "guests", id="negative-guests"),
        pytest.param(1, 2, {"maxNightlyPrice": "NaN"}, "invalid_value", None, id="nan-price"),  # the Decimal scalar
        pytest.param(1, 2, {"location": "a\x00"}, "invalid_value", None, id="nul-in-location"),  # any text argument
        pytest.param(1, 2, {"pagination": {"offset": -1}}, "invalid_pagination", None, id="negative-offset"),
    ],
)
def test_bad_input_is_a_graphql_error_with_a_code(gql, make_hotel, day, start, end, variables, code, field):
    make_hotel()

    response = search(gql, day, start, end, **variables)

    assert response.status_code == 200
    assert response.body["data"] is None
    (error,) = response.errors
    assert error["extensions"]["code"] == code
    assert error["extensions"].get("field") == field


@pytest.mark.parametrize(
    "variables",
    [
        {"checkIn": "2026-02-30"},
        {"checkIn": "yesterday"},
        {"guests": 2**31},
        {"maxNightlyPrice": "cheap"},
        {"kind": "CASTLE"},
        {"pagination": {"limit": "ten"}},
    ],
)
def test_malformed_variables_are_refused_before_running(gql, day, variables):
    response = gql(SEARCH, {"checkIn": str(day(1)), "checkOut": str(day(2))} | variables)

    assert response.status_code == 200
    assert response.errors and response.body.get("data") is None


def test_a_check_in_in_the_past_finds_nothing(gql, make_hotel, day):
    make_hotel()

    assert offers(gql, day, -1, 2) == []


def test_pages_default_and_maximum_like_the_other_lists(gql, make_apartment, day, settings):
    settings.GRAPHQL_PAGE_SIZE_DEFAULT, settings.GRAPHQL_PAGE_SIZE_MAX = 3, 5
    for n in range(7):
        make_apartment(name=f"Flat {n}", price=Decimal(100 + n))

    def names(**variables):
        return [o["accommodation"]["name"] for o in offers(gql, day, 1, 2, **variables)]

    assert names() == ["Flat 0", "Flat 1", "Flat 2"]
    assert names(pagination={"offset": 3, "limit": 2}) == ["Flat 3", "Flat 4"]
    assert len(names(pagination={"limit": 50})) == 5
    assert len(names(pagination={"limit": -1})) == 5
    assert names(pagination={"limit": 0}) == []
    assert names(pagination={"offset": 6}) == ["Flat 6"]


def test_search_is_public_and_shows_no_personal_data(gql, make_hotel, day):
    make_booking(make_hotel(), day, 1, 2)

    response = gql(
        """query($i: Date!, $o: Date!) { searchStays(checkIn: $i, checkOut: $o) { accommodation { bookings { guestName } } } }""",
        {"i": str(day(1)), "o": str(day(2))},
    )

    assert response.body["data"] is None
    assert response.errors[0]["message"] == "User is not a staff member."


@pytest.mark.parametrize("client", ["gql", "user_gql", "staff_gql"])
def test_anyone_may_search(request, make_hotel, day, client):
    make_hotel()

    assert len(offers(request.getfixturevalue(client), day, 1, 2)) == 1


def test_statements_per_request_do_not_grow_with_places_or_bookings(gql, make_hotel, make_apartment, day):
    def statements() -> int:
        with CaptureQueriesContext(connection) as captured:
            found = offers(gql, day, 10, 13, guests=2, pagination={"limit": 100})
        assert found
        return len(captured.captured_queries)

    def grow(count: int) -> None:
        for n in range(count):
            if n % 2:
                place = make_hotel(name=f"H{n}", location=f"City {n % 3}", rooms=3)
            else:
                place = make_apartment(name=f"A{n}", location=f"City {n % 3}", max_guests=3)
            for start in (5, 13, 20):
                make_booking(place, day, start, start + 3)

    grow(4)
    few = statements()
    grow(40)
    many = statements()

    # anonymous: no session read, the rate limit counts in Redis; the offers, then their Hotel/Apartment rows
    assert many == few == 2
