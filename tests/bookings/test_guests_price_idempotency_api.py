"""Guests, the kept price and idempotency keys through the GraphQL API."""
from __future__ import annotations

from decimal import Decimal

import pytest

from bookings.models import Booking

import factories

pytestmark = pytest.mark.django_db

CREATE = """
mutation($data: BookingInput!) {
  createBooking(data: $data) {
    __typename
    ... on Booking { id guests totalPrice nights status }
    ... on OperationInfo { messages { kind field code message } }
  }
}"""
UPDATE = """
mutation($data: BookingPartialInput!) {
  updateBooking(data: $data) {
    __typename
    ... on Booking { id guests totalPrice endDate }
    ... on OperationInfo { messages { field code } }
  }
}"""


def booking_input(place, day, start=1, end=3, **extra) -> dict:
    """This file's stay (days 1-3, Ada Lovelace) as createBooking's data."""
    return factories.booking_input(place, day(start), day(end), guest_name="Ada Lovelace", **extra)


def create(client, data: dict) -> dict:
    return client(CREATE, {"data": data}).data["createBooking"]


def problems(answer: dict) -> list[tuple[str, str]]:
    assert answer["__typename"] == "OperationInfo", answer
    return [(m["field"], m["code"]) for m in answer["messages"]]


def test_a_booking_answers_its_guests_and_total_price(gql, make_apartment, day):
    apartment = make_apartment(price=Decimal("95.50"), max_guests=3)

    answer = create(gql, booking_input(apartment, day, 1, 4, guests=3))

    assert (answer["guests"], answer["totalPrice"], answer["nights"]) == (3, "286.50", 3)


def test_guests_default_to_one(gql, make_hotel, day):
    assert create(gql, booking_input(make_hotel(), day))["guests"] == 1


@pytest.mark.parametrize(
    ("guests", "code"), [(3, "too_many_guests"), (0, "invalid_guests"), (-1, "invalid_guests")]
)
def test_guest_counts_a_hotel_room_cannot_take(gql, make_hotel, day, guests, code):
    answer = create(gql, booking_input(make_hotel(rooms=9, max_guests_per_room=2), day, guests=guests))

    assert problems(answer) == [("guests", code)]
    assert Booking.objects.count() == 0


def test_an_apartment_too_small_is_a_field_error(gql, make_apartment, day):
    answer = create(gql, booking_input(make_apartment(max_guests=2), day, guests=3))

    assert problems(answer) == [("guests", "too_many_guests")]
    assert "at most 2 guests" in answer["messages"][0]["message"]


def test_a_guest_count_beyond_graphql_int_is_a_validation_error_not_a_500(gql, make_hotel, day):
    response = gql(CREATE, {"data": booking_input(make_hotel(), day, guests=2**31)})

    assert response.status_code == 200
    assert response.body.get("data") is None
    assert "Int cannot represent non 32-bit signed integer" in response.errors[0]["message"]
    assert Booking.objects.count() == 0


def test_staff_change_guests_and_moving_dates_reprices(staff_gql, gql, make_hotel, day):
    from catalog import services as catalog_services

    hotel = make_hotel(price=Decimal("100.00"), max_guests_per_room=3)
    booking_id = create(gql, booking_input(hotel, day, 1, 3))["id"]
    catalog_services.update_hotel(hotel_id=hotel.pk, price=Decimal("150.00"))

    kept = staff_gql(UPDATE, {"data": {"id": booking_id, "guests": 3}}).data["updateBooking"]
    assert (kept["guests"], kept["totalPrice"]) == (3, "200.00")
    moved = staff_gql(UPDATE, {"data": {"id": booking_id, "endDate": str(day(4))}}).data["updateBooking"]
    assert moved["totalPrice"] == "450.00"
    too_many = staff_gql(UPDATE, {"data": {"id": booking_id, "guests": 4}}).data["updateBooking"]
    assert problems(too_many) == [("guests", "too_many_guests")]


def test_anonymous_and_non_staff_cannot_update_guests(gql, user_gql, make_hotel, day):
    booking_id = create(gql, booking_input(make_hotel(), day))["id"]

    for client in (gql, user_gql):
        answer = client(UPDATE, {"data": {"id": booking_id, "guests": 2}}).data["updateBooking"]
        assert answer["__typename"] == "OperationInfo"
    assert Booking.objects.get().guests == 1


def test_hotel_max_guests_per_room_through_the_api(staff_gql, gql):
    created = staff_gql(
        """mutation { createHotel(data: {name: "Suites", location: "Porto", price: "10", rooms: 2, maxGuestsPerRoom: 4}) {
             ... on Hotel { id maxGuestsPerRoom } } }"""
    ).data["createHotel"]
    assert created["maxGuestsPerRoom"] == 4
    refused = staff_gql(
        """mutation($id: ID!) { updateHotel(data: {id: $id, maxGuestsPerRoom: 21}) {
             __typename ... on OperationInfo { messages { field } } } }""",
        {"id": created["id"]},
    ).data["updateHotel"]
    assert refused == {"__typename": "OperationInfo", "messages": [{"field": "maxGuestsPerRoom"}]}
    default = staff_gql(
        """mutation { createHotel(data: {name: "Doubles", location: "Porto", price: "10", rooms: 2}) {
             ... on Hotel { maxGuestsPerRoom } } }"""
    ).data["createHotel"]
    assert default == {"maxGuestsPerRoom": 2}
    listed = gql("{ hotels(filters: {maxGuestsPerRoom: {gte: 3}}) { name maxGuestsPerRoom } }").data["hotels"]
    assert listed == [{"name": "Suites", "maxGuestsPerRoom": 4}]


class TestIdempotencyKey:
    def test_a_retry_returns_the_first_booking(self, gql, make_hotel, day):
        hotel = make_hotel(rooms=5)
        data = booking_input(hotel, day, idempotencyKey="3f1c2d9e-retry")

        first, again = create(gql, data), create(gql, data)

        assert first == again
        assert Booking.objects.count() == 1

    def test_the_key_with_other_fields_is_refused(self, gql, make_hotel, day):
        hotel = make_hotel(rooms=5)
        create(gql, booking_input(hotel, day, idempotencyKey="k1"))

        answer = create(gql, booking_input(hotel, day, guests=2, idempotencyKey="k1"))

        assert problems(answer) == [("idempotencyKey", "idempotency_key_reused")]
        assert Booking.objects.count() == 1

    @pytest.mark.parametrize(
        ("key", "code"), [("", "blank"), (" ", "blank"), ("k" * 256, "max_length"), ("a\x00b", "invalid_value")]
    )
    def test_bad_keys(self, gql, make_hotel, day, key, code):
        answer = create(gql, booking_input(make_hotel(), day, idempotencyKey=key))

        assert problems(answer) == [("idempotencyKey", code)]
        assert Booking.objects.count() == 0

    def test_a_null_key_is_no_key(self, gql, make_hotel, day):
        hotel = make_hotel(rooms=5)
        create(gql, booking_input(hotel, day, idempotencyKey=None))
        create(gql, booking_input(hotel, day, idempotencyKey=None))

        assert Booking.objects.count() == 2
