"""Guests per booking (capacity of an apartment or of one hotel room) and the price kept on each booking."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bookings import services
from bookings.models import Booking
from catalog import services as catalog_services
from catalog.models import Hotel
from factories import make_booking

pytestmark = pytest.mark.django_db


def refusal(call) -> dict[str, list[str]]:
    before = Booking.objects.count()
    with pytest.raises(ValidationError) as caught:
        call()
    assert Booking.objects.count() == before  # nothing written
    return {field: [e.code for e in errors] for field, errors in caught.value.error_dict.items()}


class TestGuests:
    def test_one_guest_by_default(self, make_apartment, day):
        assert make_booking(make_apartment(), day).guests == 1

    def test_an_apartment_takes_up_to_max_guests(self, make_apartment, day):
        apartment = make_apartment(max_guests=4)

        assert make_booking(apartment, day, guests=4).guests == 4
        assert refusal(lambda: make_booking(apartment, day, 20, 22, guests=5)) == {"guests": ["too_many_guests"]}

    def test_a_hotel_room_takes_up_to_max_guests_per_room(self, make_hotel, day):
        hotel = make_hotel(rooms=5)  # default max_guests_per_room = 2
        assert hotel.max_guests_per_room == 2

        assert make_booking(hotel, day, guests=2).guests == 2
        # Rooms are free, but one booking is one room: three guests do not fit.
        assert refusal(lambda: make_booking(hotel, day, guests=3)) == {"guests": ["too_many_guests"]}

    def test_a_bigger_room_takes_more(self, make_hotel, day):
        hotel = make_hotel(max_guests_per_room=6)

        assert make_booking(hotel, day, guests=6).guests == 6

    @pytest.mark.parametrize("guests", [0, -1, -32768])
    def test_fewer_than_one_guest_is_refused(self, make_apartment, day, guests):
        assert refusal(lambda: make_booking(make_apartment(), day, guests=guests)) == {"guests": ["invalid_guests"]}

    def test_too_many_guests_is_checked_before_availability(self, make_apartment, day):
        apartment = make_apartment(max_guests=2)
        make_booking(apartment, day)

        assert refusal(lambda: make_booking(apartment, day, guests=3)) == {"guests": ["too_many_guests"]}

    def test_update_changes_guests_within_the_limit(self, make_apartment, day):
        apartment = make_apartment(max_guests=3)
        booking = make_booking(apartment, day)

        assert services.update_booking(booking_id=booking.pk, guests=3).guests == 3
        assert refusal(lambda: services.update_booking(booking_id=booking.pk, guests=4)) == {
            "guests": ["too_many_guests"]
        }
        assert refusal(lambda: services.update_booking(booking_id=booking.pk, guests=0)) == {
            "guests": ["invalid_guests"]
        }
        booking.refresh_from_db()
        assert booking.guests == 3

    def test_the_database_refuses_zero_guests(self, make_hotel, day):
        with pytest.raises(IntegrityError, match="booking_guests_at_least_one"), transaction.atomic():
            Booking.objects.create(
                accommodation=make_hotel(), start_date=day(1), end_date=day(2), guest_name="X", guests=0,
                total_price=0, exclusive=False,
            )

    @pytest.mark.parametrize("value", [0, 21])
    def test_max_guests_per_room_is_one_to_twenty(self, make_hotel, value):
        with pytest.raises(ValidationError) as caught:
            make_hotel(max_guests_per_room=value)
        assert "max_guests_per_room" in caught.value.error_dict

    def test_the_database_holds_max_guests_per_room_bounds(self, make_hotel):
        hotel = make_hotel(max_guests_per_room=20)
        with pytest.raises(IntegrityError, match="hotel_max_guests_per_room_range"), transaction.atomic():
            Hotel.objects.filter(pk=hotel.pk).update(max_guests_per_room=21)

    def test_update_hotel_changes_max_guests_per_room(self, make_hotel):
        hotel = make_hotel()

        assert catalog_services.update_hotel(hotel_id=hotel.pk, max_guests_per_room=4).max_guests_per_room == 4


class TestPrice:
    def test_total_is_nights_times_the_nightly_price(self, make_hotel, day):
        hotel = make_hotel(price=Decimal("180.50"))

        assert make_booking(hotel, day, 10, 13).total_price == Decimal("541.50")

    def test_a_free_place_costs_nothing(self, make_apartment, day):
        assert make_booking(make_apartment(price=Decimal("0")), day).total_price == Decimal("0")

    def test_a_later_price_change_keeps_the_agreed_price(self, make_apartment, day):
        apartment = make_apartment(price=Decimal("95.00"))
        booking = make_booking(apartment, day, 10, 12)

        catalog_services.update_apartment(apartment_id=apartment.pk, price=Decimal("150.00"))

        booking.refresh_from_db()
        assert booking.total_price == Decimal("190.00")
        # A change that does not move the stay keeps the agreed price too.
        changed = services.update_booking(booking_id=booking.pk, guest_name="Someone Else", guests=2)
        assert changed.total_price == Decimal("190.00")

    def test_moving_the_dates_prices_the_stay_at_the_current_price(self, make_hotel, day):
        hotel = make_hotel(price=Decimal("100.00"))
        booking = make_booking(hotel, day, 10, 12)
        catalog_services.update_hotel(hotel_id=hotel.pk, price=Decimal("120.00"))

        moved = services.update_booking(booking_id=booking.pk, end_date=day(13))

        assert moved.total_price == Decimal("360.00")
        moved.refresh_from_db()
        assert moved.total_price == Decimal("360.00")

    def test_a_refused_move_keeps_the_price(self, make_apartment, day):
        apartment = make_apartment(price=Decimal("50.00"))
        booking = make_booking(apartment, day, 10, 12)
        make_booking(apartment, day, 12, 14)
        catalog_services.update_apartment(apartment_id=apartment.pk, price=Decimal("70.00"))

        with pytest.raises(ValidationError):
            services.update_booking(booking_id=booking.pk, end_date=day(13))

        booking.refresh_from_db()
        assert (booking.end_date, booking.total_price) == (day(12), Decimal("100.00"))

    def test_the_database_refuses_a_negative_price(self, make_hotel, day):
        with pytest.raises(IntegrityError, match="booking_total_price_non_negative"), transaction.atomic():
            Booking.objects.create(
                accommodation=make_hotel(), start_date=day(1), end_date=day(2), guest_name="X",
                total_price=Decimal("-1"), exclusive=False,
            )

    def test_the_longest_stay_at_the_highest_price_fits(self, make_hotel, day, settings):
        hotel = make_hotel(price=Decimal("99999999.99"))

        booking = make_booking(hotel, day, 1, 1 + settings.BOOKING_MAX_NIGHTS)

        booking.refresh_from_db()
        assert booking.total_price == Decimal("99999999.99") * settings.BOOKING_MAX_NIGHTS
