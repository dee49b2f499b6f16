"""Staff create, update and delete hotels and apartments through the real /graphql/ view."""
from __future__ import annotations

from decimal import Decimal

import pytest

from accommodation_gql import (
    APARTMENT_INPUT,
    HOTEL_INPUT,
    assert_graphql_error_not_500,
    catalog_snapshot,
    mutate,
    problems,
    send,
)
from bookings import services as booking_services
from catalog.models import Accommodation, AccommodationKind, Apartment, Hotel

pytestmark = pytest.mark.django_db


class TestHotelCrud:
    def test_create_answers_the_hotel_and_stores_it(self, staff_gql):
        answer = mutate(staff_gql, "createHotel", HOTEL_INPUT)

        assert answer["__typename"] == "Hotel"
        assert answer["kind"] == "HOTEL"
        assert (answer["name"], answer["location"], answer["price"]) == ("Hotel Sacher", "Vienna", "210.50")
        assert (answer["rooms"], answer["stars"], answer["description"]) == (4, 5, "Famous for its cake.")
        hotel = Hotel.objects.get(pk=answer["id"])
        assert (hotel.name, hotel.location, hotel.price) == ("Hotel Sacher", "Vienna", Decimal("210.50"))
        assert (hotel.rooms, hotel.stars, hotel.description) == (4, 5, "Famous for its cake.")
        assert hotel.kind == AccommodationKind.HOTEL

    def test_create_with_only_required_fields_uses_defaults(self, staff_gql):
        required = {key: HOTEL_INPUT[key] for key in ("name", "location", "price", "rooms")}

        answer = mutate(staff_gql, "createHotel", required)

        hotel = Hotel.objects.get(pk=answer["id"])
        assert (hotel.stars, hotel.description) == (None, "")
        assert (answer["stars"], answer["description"]) == (None, "")

    def test_create_trims_the_name(self, staff_gql):
        answer = mutate(staff_gql, "createHotel", HOTEL_INPUT | {"name": "  Hotel Sacher  "})

        assert answer["name"] == "Hotel Sacher"
        assert Hotel.objects.get(pk=answer["id"]).name == "Hotel Sacher"

    def test_update_changes_only_the_given_fields(self, staff_gql, make_hotel):
        hotel = make_hotel(rooms=3, stars=4, description="Old text")

        answer = mutate(staff_gql, "updateHotel", {"id": str(hotel.pk), "rooms": 7, "price": "199.99"})

        assert answer["__typename"] == "Hotel"
        assert (answer["rooms"], answer["price"], answer["stars"]) == (7, "199.99", 4)
        hotel.refresh_from_db()
        assert (hotel.rooms, hotel.price) == (7, Decimal("199.99"))
        assert (hotel.name, hotel.location, hotel.stars, hotel.description) == ("Hotel Adlon", "Berlin", 4, "Old text")

    def test_update_every_field(self, staff_gql, make_hotel):
        hotel = make_hotel()
        changes = {"name": "Adlon Kempinski", "location": "Unter den Linden 77", "price": "350.00",
                   "rooms": 9, "stars": 4, "description": "Renovated."}

        mutate(staff_gql, "updateHotel", {"id": str(hotel.pk)} | changes)

        hotel.refresh_from_db()
        assert (hotel.name, hotel.location, hotel.price) == ("Adlon Kempinski", "Unter den Linden 77", Decimal("350"))
        assert (hotel.rooms, hotel.stars, hotel.description) == (9, 4, "Renovated.")

    def test_stars_can_be_cleared_with_null(self, staff_gql, make_hotel):
        hotel = make_hotel(stars=3)

        answer = mutate(staff_gql, "updateHotel", {"id": str(hotel.pk), "stars": None})

        assert answer["stars"] is None
        hotel.refresh_from_db()
        assert hotel.stars is None

    def test_update_with_only_the_id_changes_nothing(self, staff_gql, make_hotel):
        hotel = make_hotel()
        before = Hotel.objects.filter(pk=hotel.pk).values("name", "price", "rooms", "stars").get()

        answer = mutate(staff_gql, "updateHotel", {"id": str(hotel.pk)})

        assert answer["__typename"] == "Hotel"
        assert Hotel.objects.filter(pk=hotel.pk).values("name", "price", "rooms", "stars").get() == before

    def test_delete_answers_the_hotel_and_removes_both_rows(self, staff_gql, make_hotel, make_apartment):
        hotel, other = make_hotel(), make_apartment()

        answer = mutate(staff_gql, "deleteHotel", {"id": str(hotel.pk)})

        assert answer == {"__typename": "Hotel", "id": str(hotel.pk), "name": hotel.name}
        assert not Hotel.objects.filter(pk=hotel.pk).exists()
        assert not Accommodation.objects.filter(pk=hotel.pk).exists()
        assert list(Accommodation.objects.values_list("pk", flat=True)) == [other.pk]

    def test_create_then_delete_round_trip_with_the_answered_id(self, staff_gql):
        created = mutate(staff_gql, "createHotel", HOTEL_INPUT)

        deleted = mutate(staff_gql, "deleteHotel", {"id": created["id"]})

        assert deleted["id"] == created["id"]
        assert not Accommodation.objects.exists()

    def test_lowering_rooms_below_upcoming_bookings_is_refused(self, staff_gql, make_hotel, day):
        hotel = make_hotel(rooms=3)
        for guest in ("A", "B"):
            booking_services.create_booking(accommodation_id=hotel.pk, start_date=day(5), end_date=day(7), guest_name=guest)

        refused = mutate(staff_gql, "updateHotel", {"id": str(hotel.pk), "rooms": 1})
        allowed = mutate(staff_gql, "updateHotel", {"id": str(hotel.pk), "rooms": 2})

        assert problems(refused) == {("rooms", "rooms_below_bookings")}
        assert allowed["rooms"] == 2
        hotel.refresh_from_db()
        assert hotel.rooms == 2


class TestApartmentCrud:
    def test_create_answers_the_apartment_and_stores_it(self, staff_gql):
        answer = mutate(staff_gql, "createApartment", APARTMENT_INPUT)

        assert answer["__typename"] == "Apartment"
        assert answer["kind"] == "APARTMENT"
        assert (answer["name"], answer["price"], answer["bedrooms"], answer["maxGuests"]) == (
            "Riverside Loft", "80.00", 2, 4,
        )
        apartment = Apartment.objects.get(pk=answer["id"])
        assert (apartment.name, apartment.location, apartment.price) == ("Riverside Loft", "Porto", Decimal("80"))
        assert (apartment.bedrooms, apartment.max_guests, apartment.description) == (2, 4, "")
        assert apartment.kind == AccommodationKind.APARTMENT

    def test_a_studio_has_zero_bedrooms(self, staff_gql):
        answer = mutate(staff_gql, "createApartment", APARTMENT_INPUT | {"bedrooms": 0, "maxGuests": 1})

        assert (answer["bedrooms"], answer["maxGuests"]) == (0, 1)
        assert Apartment.objects.get(pk=answer["id"]).bedrooms == 0

    def test_a_free_stay_costs_zero(self, staff_gql):
        answer = mutate(staff_gql, "createApartment", APARTMENT_INPUT | {"price": "0"})

        assert answer["__typename"] == "Apartment"
        assert Apartment.objects.get(pk=answer["id"]).price == Decimal("0")

    def test_update_changes_only_the_given_fields(self, staff_gql, make_apartment):
        apartment = make_apartment(bedrooms=1, max_guests=2)

        answer = mutate(staff_gql, "updateApartment", {"id": str(apartment.pk), "maxGuests": 5, "name": "Loft Ost"})

        assert (answer["maxGuests"], answer["name"], answer["bedrooms"]) == (5, "Loft Ost", 1)
        apartment.refresh_from_db()
        assert (apartment.max_guests, apartment.name) == (5, "Loft Ost")
        assert (apartment.bedrooms, apartment.price, apartment.location) == (1, Decimal("95.00"), "Berlin")

    def test_delete_answers_the_apartment_and_removes_both_rows(self, staff_gql, make_apartment, make_hotel):
        apartment, other = make_apartment(), make_hotel()

        answer = mutate(staff_gql, "deleteApartment", {"id": str(apartment.pk)})

        assert answer == {"__typename": "Apartment", "id": str(apartment.pk), "name": apartment.name}
        assert not Apartment.objects.filter(pk=apartment.pk).exists()
        assert list(Accommodation.objects.values_list("pk", flat=True)) == [other.pk]

    def test_delete_with_bookings_is_refused(self, staff_gql, make_apartment, day):
        apartment = make_apartment()
        booking_services.create_booking(accommodation_id=apartment.pk, start_date=day(5), end_date=day(7), guest_name="X")
        before = catalog_snapshot()

        answer = mutate(staff_gql, "deleteApartment", {"id": str(apartment.pk)})

        assert problems(answer) == {(None, "has_bookings")}
        assert catalog_snapshot() == before


class TestKindIsFixed:
    def test_created_rows_know_their_kind(self, staff_gql):
        hotel = mutate(staff_gql, "createHotel", HOTEL_INPUT)
        apartment = mutate(staff_gql, "createApartment", APARTMENT_INPUT)

        kinds = dict(Accommodation.objects.values_list("pk", "kind"))
        assert kinds == {int(hotel["id"]): "HOTEL", int(apartment["id"]): "APARTMENT"}

    def test_updates_keep_the_kind(self, staff_gql, make_hotel, make_apartment):
        hotel, apartment = make_hotel(), make_apartment()

        mutate(staff_gql, "updateHotel", {"id": str(hotel.pk), "name": "Renamed hotel"})
        mutate(staff_gql, "updateApartment", {"id": str(apartment.pk), "name": "Renamed flat"})

        assert Accommodation.objects.get(pk=hotel.pk).kind == AccommodationKind.HOTEL
        assert Accommodation.objects.get(pk=apartment.pk).kind == AccommodationKind.APARTMENT

    @pytest.mark.parametrize("input_type", ["HotelInput", "HotelPartialInput", "ApartmentInput", "ApartmentPartialInput"])
    def test_no_input_has_a_kind_field(self, gql, input_type):
        query = "query($name: String!) { __type(name: $name) { inputFields { name } } }"

        fields = {field["name"] for field in gql(query, {"name": input_type}).data["__type"]["inputFields"]}

        assert "kind" not in fields
        assert {"name", "price", "location"} <= fields

    def test_sending_a_kind_is_a_graphql_error_and_changes_nothing(self, staff_gql, make_hotel):
        hotel = make_hotel()
        before = catalog_snapshot()

        response = send(staff_gql, "updateHotel", {"id": str(hotel.pk), "kind": "APARTMENT"})

        assert_graphql_error_not_500(response)
        assert catalog_snapshot() == before
        assert Accommodation.objects.get(pk=hotel.pk).kind == AccommodationKind.HOTEL
