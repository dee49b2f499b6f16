"""Readable errors with a code for every value a generated filter or input may receive that the database
cannot take: infinities, NaN, out-of-range numbers, impossible dates. Literals and variables alike."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

NON_FINITE = ["Infinity", "-Infinity", "inf", "NaN", "-sNaN", "sNaN"]
OUT_OF_RANGE = ["1e400", "1e1000000", "-1e1000000", "1e-1000000", "9" * 5000, "0." + "0" * 30 + "1"]
NOT_NUMBERS = ["", "abc", "12,50", "0x10", " "]


def assert_invalid_value(response, fragment: str) -> None:
    assert response.status_code == 200
    assert response.body["data"] is None
    [error] = response.errors
    assert error["extensions"]["code"] == "invalid_value"
    assert fragment in error["message"]
    assert "%(" not in error["message"]


@pytest.mark.parametrize("value", NON_FINITE)
def test_non_finite_decimal_in_a_filter_literal(gql, value):
    response = gql('{ accommodations(filters: {price: {gte: "%s"}}) { id } }' % value)

    assert_invalid_value(response, "is not a finite number")


@pytest.mark.parametrize("value", NON_FINITE)
def test_non_finite_decimal_in_a_variable_list(gql, value):
    response = gql("query($p: [Decimal!]) { hotels(filters: {price: {inList: $p}}) { id } }", {"p": ["1", value]})

    assert_invalid_value(response, "is not a finite number")
    assert "Variable '$p'" in response.errors[0]["message"]


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_out_of_range_decimal(gql, value):
    response = gql("query($p: Decimal) { apartments(filters: {price: {lt: $p}}) { id } }", {"p": value})

    assert_invalid_value(response, "is out of range")


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_not_a_number(gql, value):
    response = gql('{ accommodations(filters: {price: {gte: "%s"}}) { id } }' % value)

    assert_invalid_value(response, "is not a decimal number")


@pytest.mark.parametrize("value", [True, None, {"a": 1}, [1]])
def test_json_values_that_are_not_numbers(gql, value):
    response = gql("query($p: Decimal!) { accommodations(filters: {price: {gte: $p}}) { id } }", {"p": value})

    assert response.status_code == 200
    assert response.body["data"] is None
    assert response.errors  # graphql-core's own message for null/objects; ours for the rest
    assert all("%(" not in error["message"] for error in response.errors)


def test_values_at_the_edges_are_accepted(gql, make_hotel):
    make_hotel()  # price 180.00
    big = "9" * 15
    small = "0." + "0" * 19 + "1"

    assert gql('{ accommodations(filters: {price: {lte: "%s"}}) { id } }' % big).data["accommodations"]
    assert gql('{ accommodations(filters: {price: {gte: "%s"}}) { id } }' % small).data["accommodations"]
    assert gql('{ accommodations(filters: {price: {gte: "-0"}}) { id } }').data["accommodations"]
    assert gql('{ accommodations(filters: {price: {exact: "1.8E2"}}) { id } }').data["accommodations"]
    assert gql("query($p: Decimal) { accommodations(filters: {price: {exact: $p}}) { id } }",
               {"p": 180}).data["accommodations"]


def test_non_finite_decimal_in_a_mutation_input(staff_gql):
    response = staff_gql(
        'mutation { createHotel(data: {name: "X", location: "Y", price: "NaN", rooms: 1}) { __typename } }'
    )

    assert_invalid_value(response, "is not a finite number")


@pytest.mark.parametrize("value", ["10000-01-01", "2027-02-30", "0000-01-01", "tomorrow", "2027-1-1"])
def test_impossible_dates(gql, make_apartment, value):
    apartment = make_apartment()

    response = gql("query($d: Date!) { nextAvailableDate(id: \"%s\", date: $d) }" % apartment.pk, {"d": value})

    assert_invalid_value(response, "is not a valid date")


@pytest.mark.parametrize("value", ["10000-01-01", "2027-02-29", "-2027-01-01"])
def test_impossible_dates_in_a_staff_filter(staff_gql, value):
    response = staff_gql("query($d: Date) { bookings(filters: {startDate: {gte: $d}}) { id } }", {"d": value})

    assert_invalid_value(response, "is not a valid date")


@pytest.mark.parametrize("value", ["abc", "99999999999999999999", "-1", "1.5", "", " 1"])
def test_malformed_ids_in_a_staff_filter_find_nothing(staff_gql, make_apartment, day, value):
    from bookings import services

    booking = services.create_booking(accommodation_id=make_apartment().pk, start_date=day(1), end_date=day(2),
                                      guest_name="Ada")
    query = "query($a: ID) { bookings(filters: {accommodationId: $a}) { id } }"

    assert staff_gql(query, {"a": value}).data == {"bookings": []}
    assert staff_gql(query, {"a": str(booking.accommodation_id)}).data == {"bookings": [{"id": str(booking.pk)}]}
