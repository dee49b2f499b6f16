"""Only staff manage the catalog; bookings under an accommodation are staff-only; booked places stay."""
from __future__ import annotations

import pytest

from accommodation_gql import APARTMENT_INPUT, HOTEL_INPUT, catalog_snapshot, message_kinds, mutate, problems
from bookings import services as booking_services
from catalog.models import Accommodation, Apartment, Hotel

pytestmark = pytest.mark.django_db

NOT_STAFF = ["gql", "user_gql"]


def attempts(hotel, apartment) -> list[tuple[str, dict]]:
    return [
        ("createHotel", HOTEL_INPUT),
        ("updateHotel", {"id": str(hotel.pk), "name": "Taken over", "rooms": 1}),
        ("deleteHotel", {"id": str(hotel.pk)}),
        ("createApartment", APARTMENT_INPUT),
        ("updateApartment", {"id": str(apartment.pk), "name": "Taken over", "price": "0"}),
        ("deleteApartment", {"id": str(apartment.pk)}),
    ]


@pytest.fixture
def places(make_hotel, make_apartment):
    return make_hotel(), make_apartment()


@pytest.mark.parametrize("client_name", NOT_STAFF)
@pytest.mark.parametrize(
    "mutation", ["createHotel", "updateHotel", "deleteHotel", "createApartment", "updateApartment", "deleteApartment"]
)
def test_non_staff_cannot_manage_the_catalog(request, places, client_name, mutation):
    client = request.getfixturevalue(client_name)
    data = dict(attempts(*places))[mutation]
    before = catalog_snapshot()

    answer = mutate(client, mutation, data)

    assert message_kinds(answer) == {"PERMISSION"}
    assert catalog_snapshot() == before


@pytest.mark.parametrize("client_name", NOT_STAFF)
def test_permission_is_checked_before_the_id(request, client_name):
    """An outsider cannot probe which ids exist: unknown ids get the same PERMISSION answer."""
    client = request.getfixturevalue(client_name)

    answer = mutate(client, "deleteHotel", {"id": "987654321"})

    assert message_kinds(answer) == {"PERMISSION"}


def test_staff_can_run_every_catalog_mutation(staff_gql, places):
    for mutation, data in attempts(*places):
        answer = mutate(staff_gql, mutation, data)
        assert answer["__typename"] in {"Hotel", "Apartment"}, (mutation, answer)

    # Both originals were deleted; the two created ones remain.
    assert sorted(Accommodation.objects.values_list("kind", "name")) == [
        ("APARTMENT", APARTMENT_INPUT["name"]), ("HOTEL", HOTEL_INPUT["name"]),
    ]


def test_a_logged_out_staff_member_is_anonymous_again(staff_gql, places):
    hotel, _ = places
    staff_gql.client.logout()
    before = catalog_snapshot()

    answer = mutate(staff_gql, "updateHotel", {"id": str(hotel.pk), "name": "After logout"})

    assert message_kinds(answer) == {"PERMISSION"}
    assert catalog_snapshot() == before


class TestDeleteWithBookings:
    def test_a_hotel_with_bookings_is_kept(self, staff_gql, make_hotel, day):
        hotel = make_hotel()
        booking = booking_services.create_booking(
            accommodation_id=hotel.pk, start_date=day(5), end_date=day(7), guest_name="X"
        )
        before = catalog_snapshot()

        answer = mutate(staff_gql, "deleteHotel", {"id": str(hotel.pk)})

        assert problems(answer) == {(None, "has_bookings")}
        assert message_kinds(answer) == {"VALIDATION"}
        assert catalog_snapshot() == before
        assert hotel.bookings.get().pk == booking.pk

    def test_cancelled_bookings_still_count(self, staff_gql, make_hotel, day):
        hotel = make_hotel()
        booking = booking_services.create_booking(
            accommodation_id=hotel.pk, start_date=day(5), end_date=day(7), guest_name="X"
        )
        booking_services.cancel_booking(booking_id=booking.pk)

        answer = mutate(staff_gql, "deleteHotel", {"id": str(hotel.pk)})

        assert problems(answer) == {(None, "has_bookings")}
        assert Hotel.objects.filter(pk=hotel.pk).exists()

    def test_an_apartment_with_bookings_is_kept(self, staff_gql, make_apartment, day):
        apartment = make_apartment()
        booking_services.create_booking(accommodation_id=apartment.pk, start_date=day(5), end_date=day(7), guest_name="X")

        answer = mutate(staff_gql, "deleteApartment", {"id": str(apartment.pk)})

        assert problems(answer) == {(None, "has_bookings")}
        assert Apartment.objects.filter(pk=apartment.pk).exists()

    def test_only_the_booked_place_is_protected(self, staff_gql, make_hotel, day):
        booked, free = make_hotel(name="Booked"), make_hotel(name="Free")
        booking_services.create_booking(accommodation_id=booked.pk, start_date=day(5), end_date=day(7), guest_name="X")

        answer = mutate(staff_gql, "deleteHotel", {"id": str(free.pk)})

        assert answer["__typename"] == "Hotel"
        assert list(Hotel.objects.values_list("name", flat=True)) == ["Booked"]


class TestBookingsUnderAnAccommodation:
    QUERY = "{ accommodations { name bookings { guestName } } }"

    @pytest.mark.parametrize("client_name", NOT_STAFF)
    def test_guest_names_are_hidden_from_non_staff(self, request, make_hotel, day, client_name):
        hotel = make_hotel()
        booking_services.create_booking(
            accommodation_id=hotel.pk, start_date=day(5), end_date=day(7), guest_name="Secret Guest"
        )

        response = request.getfixturevalue(client_name)(self.QUERY)

        assert response.status_code == 200
        assert response.errors
        assert "Secret Guest" not in str(response.body)

    def test_staff_see_them(self, staff_gql, make_hotel, day):
        hotel = make_hotel()
        booking_services.create_booking(
            accommodation_id=hotel.pk, start_date=day(5), end_date=day(7), guest_name="Secret Guest"
        )

        assert staff_gql(self.QUERY).data["accommodations"] == [
            {"name": "Hotel Adlon", "bookings": [{"guestName": "Secret Guest"}]}
        ]

    def test_the_public_catalog_reads_need_no_login(self, gql, make_hotel):
        make_hotel()

        assert gql("{ accommodations { name } hotels { rooms } }").data == {
            "accommodations": [{"name": "Hotel Adlon"}], "hotels": [{"rooms": 3}],
        }
