"""Every bound on the catalog: refused as OperationInfo (field + code) or a GraphQL error, never a write."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accommodation_gql import (
    APARTMENT_INPUT,
    HOTEL_INPUT,
    assert_graphql_error_not_500,
    catalog_snapshot,
    message_kinds,
    mutate,
    problems,
    send,
)
from bookings import services as booking_services
from catalog import services as catalog_services
from catalog.models import Accommodation, Apartment, Hotel

pytestmark = pytest.mark.django_db

PRICE_BOUNDS = [
    pytest.param({"price": "-0.01"}, {("price", "min_value")}, id="price-negative"),
    pytest.param({"price": "-250"}, {("price", "min_value")}, id="price-very-negative"),
    pytest.param({"price": "123456789.00"}, {("price", "max_digits")}, id="price-too-many-digits"),
    pytest.param({"price": "100000000"}, {("price", "max_whole_digits")}, id="price-too-many-whole-digits"),
    pytest.param({"price": "10.001"}, {("price", "max_decimal_places")}, id="price-too-many-decimals"),
]
NAME_AND_LOCATION_BOUNDS = [
    pytest.param({"name": ""}, {("name", "blank")}, id="name-empty"),
    pytest.param({"name": "   \t "}, {("name", "blank")}, id="name-blank"),
    pytest.param({"name": "x" * 201}, {("name", "max_length")}, id="name-too-long"),
    pytest.param({"location": ""}, {("location", "blank")}, id="location-empty"),
    pytest.param({"location": "y" * 201}, {("location", "max_length")}, id="location-too-long"),
]
HOTEL_BOUNDS = [
    pytest.param({"rooms": 0}, {("rooms", "min_value")}, id="rooms-0"),
    pytest.param({"rooms": -3}, {("rooms", "min_value")}, id="rooms-negative"),
    pytest.param({"stars": 0}, {("stars", "min_value")}, id="stars-0"),
    pytest.param({"stars": 6}, {("stars", "max_value")}, id="stars-6"),
    pytest.param({"stars": -1}, {("stars", "min_value")}, id="stars-negative"),
]
APARTMENT_BOUNDS = [
    pytest.param({"bedrooms": -1}, {("bedrooms", "min_value")}, id="bedrooms-negative"),
    pytest.param({"bedrooms": 40000}, {("bedrooms", "max_value")}, id="bedrooms-overflow-smallint"),
    pytest.param({"maxGuests": 0}, {("maxGuests", "min_value")}, id="max-guests-0"),
    pytest.param({"maxGuests": -2}, {("maxGuests", "min_value")}, id="max-guests-negative"),
]


def assert_refused(answer: dict, expected: set, before: tuple) -> None:
    assert problems(answer) == expected
    assert message_kinds(answer) == {"VALIDATION"}
    assert catalog_snapshot() == before


@pytest.mark.parametrize("mutation", ["createHotel", "createApartment", "updateHotel", "updateApartment"])
@pytest.mark.parametrize("price", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_a_non_finite_price_is_refused_by_the_decimal_scalar(staff_gql, make_hotel, make_apartment, mutation, price):
    """Not a number at all: refused before the resolver, like "abc" for an Int, naming the input path."""
    existing = {"updateHotel": make_hotel, "updateApartment": make_apartment}.get(mutation)
    base = {"id": str(existing().pk)} if existing else (HOTEL_INPUT if "Hotel" in mutation else APARTMENT_INPUT)
    before = catalog_snapshot()

    response = send(staff_gql, mutation, base | {"price": price})

    assert response.body["data"] is None
    [error] = response.errors
    assert error["extensions"]["code"] == "invalid_value"
    assert ".price" in error["message"] and "is not a finite number" in error["message"]
    assert catalog_snapshot() == before


class TestCreateBounds:
    @pytest.mark.parametrize(("changes", "expected"), PRICE_BOUNDS + NAME_AND_LOCATION_BOUNDS + HOTEL_BOUNDS)
    def test_create_hotel_refuses(self, staff_gql, make_apartment, changes, expected):
        make_apartment()  # an existing row that must stay as it is
        before = catalog_snapshot()

        assert_refused(mutate(staff_gql, "createHotel", HOTEL_INPUT | changes), expected, before)

    @pytest.mark.parametrize(("changes", "expected"), PRICE_BOUNDS + NAME_AND_LOCATION_BOUNDS + APARTMENT_BOUNDS)
    def test_create_apartment_refuses(self, staff_gql, make_hotel, changes, expected):
        make_hotel()
        before = catalog_snapshot()

        assert_refused(mutate(staff_gql, "createApartment", APARTMENT_INPUT | changes), expected, before)

    def test_every_broken_field_is_reported_at_once(self, staff_gql):
        answer = mutate(staff_gql, "createHotel", HOTEL_INPUT | {"name": " ", "price": "-1", "rooms": 0, "stars": 6})

        assert problems(answer) == {("name", "blank"), ("price", "min_value"), ("rooms", "min_value"),
                                    ("stars", "max_value")}
        assert not Accommodation.objects.exists()

    @pytest.mark.parametrize(
        ("changes", "stored"),
        [
            pytest.param({"price": "0"}, {"price": Decimal("0")}, id="price-0"),
            pytest.param({"price": "99999999.99"}, {"price": Decimal("99999999.99")}, id="price-max"),
            pytest.param({"rooms": 1}, {"rooms": 1}, id="rooms-1"),
            pytest.param({"stars": 1}, {"stars": 1}, id="stars-1"),
            pytest.param({"stars": 5}, {"stars": 5}, id="stars-5"),
            pytest.param({"name": "x" * 200}, {"name": "x" * 200}, id="name-200-chars"),
        ],
    )
    def test_values_on_the_bounds_are_accepted(self, staff_gql, changes, stored):
        answer = mutate(staff_gql, "createHotel", HOTEL_INPUT | changes)

        assert answer["__typename"] == "Hotel"
        hotel = Hotel.objects.get(pk=answer["id"])
        assert {field: getattr(hotel, field) for field in stored} == stored


class TestUpdateBounds:
    @pytest.mark.parametrize(
        ("changes", "expected"),
        PRICE_BOUNDS
        + NAME_AND_LOCATION_BOUNDS
        + HOTEL_BOUNDS
        + [
            pytest.param({"name": None}, {("name", "null")}, id="name-null"),
            pytest.param({"price": None}, {("price", "null")}, id="price-null"),
            pytest.param({"rooms": None}, {("rooms", "null")}, id="rooms-null"),
            # blank is allowed, null is not (the production fuzz found it answered `internal`)
            pytest.param({"description": None}, {("description", "null")}, id="description-null"),
            pytest.param({"timeZone": None}, {("timeZone", "null")}, id="time-zone-null"),
        ],
    )
    def test_update_hotel_refuses(self, staff_gql, make_hotel, changes, expected):
        hotel = make_hotel()
        before = catalog_snapshot()

        assert_refused(mutate(staff_gql, "updateHotel", {"id": str(hotel.pk)} | changes), expected, before)

    @pytest.mark.parametrize(
        ("changes", "expected"),
        PRICE_BOUNDS
        + NAME_AND_LOCATION_BOUNDS
        + APARTMENT_BOUNDS
        + [
            pytest.param({"bedrooms": None}, {("bedrooms", "null")}, id="bedrooms-null"),
            pytest.param({"maxGuests": None}, {("maxGuests", "null")}, id="max-guests-null"),
            pytest.param({"description": None}, {("description", "null")}, id="description-null"),
        ],
    )
    def test_update_apartment_refuses(self, staff_gql, make_apartment, changes, expected):
        apartment = make_apartment()
        before = catalog_snapshot()

        assert_refused(mutate(staff_gql, "updateApartment", {"id": str(apartment.pk)} | changes), expected, before)

    def test_one_bad_field_discards_the_good_ones(self, staff_gql, make_hotel):
        hotel = make_hotel()
        before = catalog_snapshot()

        answer = mutate(staff_gql, "updateHotel", {"id": str(hotel.pk), "name": "New name", "rooms": 0})

        assert_refused(answer, {("rooms", "min_value")}, before)


# Documents the schema refuses before any resolver runs.
WRONG_HOTEL_INPUTS = [
    pytest.param({k: v for k, v in HOTEL_INPUT.items() if k != "rooms"}, id="missing-rooms"),
    pytest.param({k: v for k, v in HOTEL_INPUT.items() if k != "name"}, id="missing-name"),
    pytest.param({k: v for k, v in HOTEL_INPUT.items() if k != "price"}, id="missing-price"),
    pytest.param(HOTEL_INPUT | {"name": None}, id="null-name"),
    pytest.param(HOTEL_INPUT | {"rooms": "three"}, id="rooms-text"),
    pytest.param(HOTEL_INPUT | {"rooms": 2.5}, id="rooms-fraction"),
    pytest.param(HOTEL_INPUT | {"rooms": 2**31}, id="rooms-beyond-int32"),
    pytest.param(HOTEL_INPUT | {"stars": "five"}, id="stars-text"),
    pytest.param(HOTEL_INPUT | {"price": "twelve"}, id="price-text"),
    pytest.param(HOTEL_INPUT | {"price": ""}, id="price-empty"),
    pytest.param(HOTEL_INPUT | {"price": [1]}, id="price-list"),
    pytest.param(HOTEL_INPUT | {"name": 42}, id="name-number"),
    pytest.param(HOTEL_INPUT | {"name": {"first": "x"}}, id="name-object"),
    pytest.param(HOTEL_INPUT | {"kind": "APARTMENT"}, id="unknown-field-kind"),
]
WRONG_APARTMENT_INPUTS = [
    pytest.param({k: v for k, v in APARTMENT_INPUT.items() if k != "maxGuests"}, id="missing-max-guests"),
    pytest.param({k: v for k, v in APARTMENT_INPUT.items() if k != "bedrooms"}, id="missing-bedrooms"),
    pytest.param(APARTMENT_INPUT | {"bedrooms": "two"}, id="bedrooms-text"),
    pytest.param(APARTMENT_INPUT | {"maxGuests": True}, id="max-guests-boolean"),
    pytest.param(APARTMENT_INPUT | {"max_guests": 3}, id="snake-case-field"),
]


class TestGraphQLValidationErrors:
    @pytest.mark.parametrize("data", WRONG_HOTEL_INPUTS)
    def test_wrong_hotel_input(self, staff_gql, data):
        assert_graphql_error_not_500(send(staff_gql, "createHotel", data))
        assert not Accommodation.objects.exists()

    @pytest.mark.parametrize("data", WRONG_APARTMENT_INPUTS)
    def test_wrong_apartment_input(self, staff_gql, data):
        assert_graphql_error_not_500(send(staff_gql, "createApartment", data))
        assert not Accommodation.objects.exists()

    @pytest.mark.parametrize(
        "document",
        [
            pytest.param('mutation { createHotel(data: {name: "X", location: "Y", price: "1"}) { __typename } }',
                         id="inline-missing-rooms"),
            pytest.param('mutation { createHotel(data: {name: "X", location: "Y", price: "1", rooms: "2"}) '
                         "{ __typename } }", id="inline-rooms-string"),
            pytest.param("mutation { createHotel { __typename } }", id="inline-missing-data"),
            pytest.param('mutation { createHotel(data: {name: "X", location: "Y", price: "1", rooms: 1}) { id } }',
                         id="field-on-a-union"),
            pytest.param('mutation { updateHotel(data: {name: "X"}) { __typename } }', id="update-without-id"),
            pytest.param("mutation { deleteHotel(data: {}) { __typename } }", id="delete-without-id"),
        ],
    )
    def test_invalid_documents(self, staff_gql, make_hotel, document):
        make_hotel()
        before = catalog_snapshot()

        assert_graphql_error_not_500(staff_gql(document))
        assert catalog_snapshot() == before

    def test_missing_variable(self, staff_gql):
        response = staff_gql("mutation($data: HotelInput!) { createHotel(data: $data) { __typename } }", {})

        assert_graphql_error_not_500(response)
        assert not Accommodation.objects.exists()


UNKNOWN = "unknown"  # replaced by an id above every existing row
UNKNOWN_IDS = [UNKNOWN, "0", "abc", "-1", "1.5", "", "99999999999999999999", "9223372036854775808"]


def unused_id() -> str:
    return str((Accommodation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000)


class TestUnknownIds:
    @pytest.mark.parametrize("bad_id", UNKNOWN_IDS)
    @pytest.mark.parametrize(
        ("mutation", "extra"),
        [
            ("updateHotel", {"name": "Renamed"}),
            ("deleteHotel", {}),
            ("updateApartment", {"name": "Renamed"}),
            ("deleteApartment", {}),
        ],
    )
    def test_unknown_or_malformed_id_is_not_found(self, staff_gql, make_hotel, make_apartment, mutation, extra, bad_id):
        make_hotel(), make_apartment()
        bad_id = unused_id() if bad_id == UNKNOWN else bad_id
        before = catalog_snapshot()

        answer = mutate(staff_gql, mutation, {"id": bad_id} | extra)

        assert problems(answer) == {("id", "not_found")}
        assert catalog_snapshot() == before

    @pytest.mark.parametrize(
        ("mutation", "extra"),
        [("updateHotel", {"rooms": 2}), ("deleteHotel", {}), ("updateApartment", {"bedrooms": 2}), ("deleteApartment", {})],
    )
    def test_an_id_of_the_other_kind_is_not_found(self, staff_gql, make_hotel, make_apartment, mutation, extra):
        hotel, apartment = make_hotel(), make_apartment()
        other_kind = apartment if "Hotel" in mutation else hotel
        before = catalog_snapshot()

        answer = mutate(staff_gql, mutation, {"id": str(other_kind.pk)} | extra)

        assert problems(answer) == {("id", "not_found")}
        assert catalog_snapshot() == before

    def test_a_deleted_hotel_is_not_found_the_second_time(self, staff_gql, make_hotel):
        hotel = make_hotel()
        mutate(staff_gql, "deleteHotel", {"id": str(hotel.pk)})

        assert problems(mutate(staff_gql, "deleteHotel", {"id": str(hotel.pk)})) == {("id", "not_found")}
        assert problems(mutate(staff_gql, "updateHotel", {"id": str(hotel.pk), "rooms": 2})) == {("id", "not_found")}


class TestDatabaseConstraints:
    """PostgreSQL holds the bounds even for writes that skip the services (scripts, raw updates)."""

    @pytest.mark.parametrize(
        ("model", "changes", "constraint"),
        [
            pytest.param(Hotel, {"rooms": 0}, "hotel_rooms_at_least_one", id="rooms-0"),
            pytest.param(Hotel, {"stars": 0}, "hotel_stars_one_to_five", id="stars-0"),
            pytest.param(Hotel, {"stars": 6}, "hotel_stars_one_to_five", id="stars-6"),
            pytest.param(Accommodation, {"price": Decimal("-0.01")}, "accommodation_price_non_negative",
                         id="price-negative"),
            pytest.param(Accommodation, {"name": ""}, "accommodation_name_not_blank", id="name-empty"),
            pytest.param(Accommodation, {"name": "  \t"}, "accommodation_name_not_blank", id="name-blank"),
            pytest.param(Accommodation, {"kind": "CASTLE"}, "kind .*cannot change", id="kind-unknown"),  # trigger fires first
        ],
    )
    def test_hotel_rows(self, make_hotel, model, changes, constraint):
        hotel = make_hotel()

        with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
            model.objects.filter(pk=hotel.pk).update(**changes)

        hotel.refresh_from_db()
        assert (hotel.rooms, hotel.stars, hotel.price, hotel.name, hotel.kind) == (
            3, 5, Decimal("180.00"), "Hotel Adlon", "HOTEL",
        )

    @pytest.mark.parametrize(
        ("changes", "constraint"),
        [
            pytest.param({"bedrooms": -1}, "bedrooms", id="bedrooms-negative"),
            pytest.param({"max_guests": 0}, "apartment_max_guests_at_least_one", id="max-guests-0"),
        ],
    )
    def test_apartment_rows(self, make_apartment, changes, constraint):
        apartment = make_apartment()

        with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
            Apartment.objects.filter(pk=apartment.pk).update(**changes)

        apartment.refresh_from_db()
        assert (apartment.bedrooms, apartment.max_guests) == (1, 2)

    def test_a_raw_insert_with_zero_rooms_is_refused(self, db):
        with pytest.raises(IntegrityError, match="hotel_rooms_at_least_one"), transaction.atomic():
            Hotel.objects.create(name="Raw", location="Nowhere", price=Decimal("1"), rooms=0)

        assert not Accommodation.objects.exists()

    def test_the_kind_comes_from_the_class_not_the_caller(self, db):
        hotel = Hotel.objects.create(name="Raw", location="Nowhere", price=Decimal("1"), rooms=1)

        assert Accommodation.objects.get(pk=hotel.pk).kind == "HOTEL"


class TestServicesDirectly:
    """The admin calls the same services: their refusals carry the same codes."""

    def test_unknown_field_in_an_update_is_refused(self, make_hotel):
        hotel = make_hotel()

        with pytest.raises(ValidationError) as caught:
            catalog_services.update_hotel(hotel_id=hotel.pk, kind="APARTMENT")

        assert caught.value.message_dict.keys() == {"kind"}
        assert Accommodation.objects.get(pk=hotel.pk).kind == "HOTEL"

    def test_delete_with_bookings_is_refused_with_has_bookings(self, make_hotel, day):
        hotel = make_hotel()
        booking_services.create_booking(accommodation_id=hotel.pk, start_date=day(5), end_date=day(7), guest_name="X")

        with pytest.raises(ValidationError) as caught:
            catalog_services.delete_hotel(hotel_id=hotel.pk)

        assert [error.code for error in caught.value.error_list] == ["has_bookings"]
        assert Hotel.objects.filter(pk=hotel.pk).exists()
