"""The bookings part of the GraphQL contract: shapes, codes, permissions."""
from __future__ import annotations

import pytest

from bookings import services
from bookings.models import Booking, BookingStatus

import factories

pytestmark = pytest.mark.django_db

CREATE = """
mutation($data: BookingInput!) {
  createBooking(data: $data) {
    __typename
    ... on Booking { id startDate endDate nights guestName status accommodation { __typename id name } }
    ... on OperationInfo { messages { kind field message code } }
  }
}"""


def create(client, **data):
    return client(CREATE, {"data": data})


def booking_input(place, day, start=1, end=3, guest="Ada Lovelace") -> dict:
    """This file's stay (days 1-3, Ada Lovelace) as createBooking's data."""
    return factories.booking_input(place, day(start), day(end), guest_name=guest)


def test_anonymous_guest_books_an_apartment(gql, make_apartment, day):
    apartment = make_apartment()

    result = create(gql, **booking_input(apartment, day)).data["createBooking"]

    assert result["__typename"] == "Booking"
    assert (result["nights"], result["status"], result["guestName"]) == (2, "CONFIRMED", "Ada Lovelace")
    assert result["accommodation"] == {"__typename": "Apartment", "id": str(apartment.pk), "name": apartment.name}
    assert Booking.objects.get(pk=result["id"]).exclusive is True


def test_booking_a_hotel_returns_the_concrete_type(gql, make_hotel, day):
    result = create(gql, **booking_input(make_hotel(), day)).data["createBooking"]

    assert result["accommodation"]["__typename"] == "Hotel"


@pytest.mark.parametrize(
    ("start", "end", "guest", "field", "code"),
    [
        pytest.param(3, 3, "X", "endDate", "invalid_date_range", id="same-day"),
        pytest.param(5, 3, "X", "endDate", "invalid_date_range", id="reversed"),
        pytest.param(-2, 3, "X", "startDate", "date_in_past", id="past"),
        pytest.param(1, 500, "X", "endDate", "stay_too_long", id="absurd"),
        pytest.param(1, 2, "   ", "guestName", "blank", id="spaces-only-name"),
    ],
)
def test_bad_input_is_a_field_error_with_a_code_and_writes_nothing(gql, make_apartment, day, start, end, guest, field, code):
    result = create(gql, **booking_input(make_apartment(), day, start, end, guest)).data["createBooking"]

    assert result["__typename"] == "OperationInfo"
    assert [(m["field"], m["code"]) for m in result["messages"]] == [(field, code)]
    assert Booking.objects.count() == 0


def test_overlap_through_graphql(gql, make_apartment, day):
    apartment = make_apartment()
    create(gql, **booking_input(apartment, day, 1, 4))

    result = create(gql, **booking_input(apartment, day, 3, 5)).data["createBooking"]

    assert result["messages"][0]["code"] == "booking_overlap"


@pytest.mark.parametrize("accommodation", ["424242", "not-a-number"])
def test_unknown_accommodation_is_not_found(gql, day, accommodation):
    result = create(gql, accommodation=accommodation, startDate=str(day(1)), endDate=str(day(2)), guestName="X")

    assert result.data["createBooking"]["messages"][0]["code"] == "not_found"


@pytest.mark.parametrize(
    "variables",
    [
        {"accommodation": "1", "startDate": "not-a-date", "endDate": "2030-01-01", "guestName": "X"},
        {"accommodation": "1", "startDate": "2030-13-40", "endDate": "2030-01-01", "guestName": "X"},
        {"accommodation": "1", "startDate": 20300101, "endDate": "2030-01-01", "guestName": "X"},
        {"accommodation": "1", "startDate": "2030-01-01", "endDate": "2030-01-02"},
        {"accommodation": "1", "startDate": "2030-01-01", "endDate": "2030-01-02", "guestName": None},
    ],
    ids=["text-date", "impossible-date", "number-date", "missing-name", "null-name"],
)
def test_wrong_types_are_graphql_errors_not_500(gql, variables):
    response = gql(CREATE, {"data": variables})

    assert response.status_code in (200, 400)
    assert response.errors
    assert Booking.objects.count() == 0


STAFF_QUERIES = {
    "bookings": "{ bookings { id guestName } }",
    "booking": 'query($id: ID!) { booking(id: $id) { guestName } }',
    "accommodation-bookings": 'query($a: ID!) { accommodation(id: $a) { bookings { guestName } } }',
}


@pytest.mark.parametrize("name", STAFF_QUERIES)
@pytest.mark.parametrize("client_fixture", ["gql", "user_gql"])
def test_guest_names_are_hidden_from_anonymous_and_non_staff(request, client_fixture, name, make_apartment, day):
    booking = services.create_booking(
        accommodation_id=make_apartment().pk, start_date=day(1), end_date=day(2), guest_name="Secret Guest"
    )
    client = request.getfixturevalue(client_fixture)

    response = client(STAFF_QUERIES[name], {"id": booking.pk, "a": booking.accommodation_id})

    assert response.errors and "staff" in response.errors[0]["message"]
    assert "Secret Guest" not in str(response.body)


def test_staff_lists_and_filters_bookings(staff_gql, make_apartment, make_hotel, day):
    apartment, hotel = make_apartment(), make_hotel()
    kept = services.create_booking(accommodation_id=apartment.pk, start_date=day(1), end_date=day(2), guest_name="A")
    cancelled = services.create_booking(accommodation_id=hotel.pk, start_date=day(1), end_date=day(2), guest_name="B")
    services.cancel_booking(booking_id=cancelled.pk)

    everything = staff_gql("{ bookings { id status } }").data["bookings"]
    by_status = staff_gql("{ bookings(filters: {status: CANCELLED}) { id } }").data["bookings"]
    by_place = staff_gql(
        "query($a: ID!) { bookings(filters: {accommodationId: $a}) { id } }", {"a": apartment.pk}
    ).data["bookings"]

    assert {b["id"] for b in everything} == {str(kept.pk), str(cancelled.pk)}
    assert by_status == [{"id": str(cancelled.pk)}]
    assert by_place == [{"id": str(kept.pk)}]


def test_staff_updates_and_cancels(staff_gql, make_apartment, day):
    booking = services.create_booking(
        accommodation_id=make_apartment().pk, start_date=day(1), end_date=day(3), guest_name="A"
    )

    updated = staff_gql(
        "mutation($d: BookingPartialInput!) { updateBooking(data: $d) { ... on Booking { endDate nights guestName } } }",
        {"d": {"id": str(booking.pk), "endDate": str(day(5)), "guestName": "Ada"}},
    ).data["updateBooking"]
    cancelled = staff_gql(
        "mutation($id: ID!) { cancelBooking(id: $id) { ... on Booking { status } } }", {"id": booking.pk}
    ).data["cancelBooking"]
    again = staff_gql(
        "mutation($id: ID!) { cancelBooking(id: $id) { ... on OperationInfo { messages { code } } } }",
        {"id": booking.pk},
    ).data["cancelBooking"]

    assert updated == {"endDate": str(day(5)), "nights": 4, "guestName": "Ada"}
    assert cancelled == {"status": "CANCELLED"}
    assert again["messages"][0]["code"] == "already_cancelled"


@pytest.mark.parametrize("client_fixture", ["gql", "user_gql"])
def test_update_and_cancel_are_staff_only(request, client_fixture, make_apartment, day):
    booking = services.create_booking(
        accommodation_id=make_apartment().pk, start_date=day(1), end_date=day(3), guest_name="A"
    )
    client = request.getfixturevalue(client_fixture)

    cancel = client(
        "mutation($id: ID!) { cancelBooking(id: $id) { ... on OperationInfo { messages { kind } } } }",
        {"id": booking.pk},
    ).data["cancelBooking"]
    update = client(
        "mutation($d: BookingPartialInput!) { updateBooking(data: $d) { ... on OperationInfo { messages { kind } } } }",
        {"d": {"id": str(booking.pk), "guestName": "Mallory"}},
    ).data["updateBooking"]

    assert cancel["messages"][0]["kind"] == update["messages"][0]["kind"] == "PERMISSION"
    booking.refresh_from_db()
    assert (booking.status, booking.guest_name) == (BookingStatus.CONFIRMED, "A")


def test_next_available_date_root_and_interface_field_agree(gql, make_apartment, day):
    apartment = make_apartment()
    services.create_booking(accommodation_id=apartment.pk, start_date=day(2), end_date=day(5), guest_name="A")

    data = gql(
        """query($id: ID!, $d: Date!) {
             nextAvailableDate(id: $id, date: $d)
             accommodation(id: $id) { nextAvailableDate(date: $d) availability(start: $d, end: "%s") { date freeUnits } }
           }""" % day(6),
        {"id": apartment.pk, "d": str(day(3))},
    ).data

    assert data["nextAvailableDate"] == data["accommodation"]["nextAvailableDate"] == str(day(5))
    assert [d["freeUnits"] for d in data["accommodation"]["availability"]] == [0, 0, 1]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ('{ nextAvailableDate(id: "%(id)s", date: "%(d)s", nights: 0) }', "invalid_nights"),
        ('{ nextAvailableDate(id: "%(id)s", date: "%(d)s", nights: 366) }', "invalid_nights"),
        ('{ nextAvailableDate(id: "424242", date: "%(d)s") }', "not_found"),
        ('{ availability(id: "%(id)s", start: "%(d)s", end: "%(d)s") { date } }', "invalid_date_range"),
        ('{ availability(id: "%(id)s", start: "%(d)s", end: "2099-01-01") { date } }', "range_too_long"),
        ('{ availability(id: "oops", start: "%(d)s", end: "%(e)s") { date } }', "not_found"),
    ],
)
def test_availability_errors_carry_codes(gql, make_hotel, day, query, code):
    hotel = make_hotel()

    response = gql(query % {"id": hotel.pk, "d": day(1), "e": day(3)})

    assert response.status_code == 200
    assert response.errors[0]["extensions"]["code"] == code
