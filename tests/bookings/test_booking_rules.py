"""Booking rules in the service: overlap matrix, hotel capacity, dates, updates, cancellation."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bookings import services
from bookings.models import Booking, BookingStatus
from bookings.services import _quoting
from catalog import services as catalog_services
from factories import make_booking

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> list[str]:
    return [e.code for errors in error.error_dict.values() for e in errors] if hasattr(error, "error_dict") else [
        e.code for e in error.error_list
    ]


def refused(place, day, start: int, end: int) -> list[str]:
    before = Booking.objects.count()
    with pytest.raises(ValidationError) as caught:
        make_booking(place, day, start, end)
    assert Booking.objects.count() == before  # nothing written
    return codes(caught.value)


# Existing stay: nights 10..14 (check-in day 10, check-out day 14).
APARTMENT_MATRIX = [
    pytest.param(6, 10, True, id="touching-before"),
    pytest.param(14, 18, True, id="touching-after"),
    pytest.param(10, 14, False, id="identical"),
    pytest.param(11, 13, False, id="inside"),
    pytest.param(8, 16, False, id="containing"),
    pytest.param(8, 11, False, id="overlap-start"),
    pytest.param(13, 16, False, id="overlap-end"),
    pytest.param(10, 11, False, id="one-night-first"),
    pytest.param(13, 14, False, id="one-night-last"),
    pytest.param(9, 10, True, id="one-night-just-before"),
    pytest.param(14, 15, True, id="one-night-on-checkout-day"),
]


@pytest.mark.parametrize(("start", "end", "allowed"), APARTMENT_MATRIX)
def test_apartment_overlap_matrix(make_apartment, day, start, end, allowed):
    apartment = make_apartment()
    make_booking(apartment, day, 10, 14)

    if allowed:
        assert make_booking(apartment, day, start, end).status == BookingStatus.CONFIRMED
    else:
        assert refused(apartment, day, start, end) == ["booking_overlap"]


def test_cancel_frees_the_dates(make_apartment, day):
    apartment = make_apartment()
    first = make_booking(apartment, day, 10, 14)

    services.cancel_booking(booking_id=first.pk)

    assert make_booking(apartment, day, 10, 14).status == BookingStatus.CONFIRMED
    assert Booking.objects.get(pk=first.pk).status == BookingStatus.CANCELLED  # kept, visible to staff


def test_cancelling_twice_is_refused(make_apartment, day):
    booking = make_booking(make_apartment(), day, 1, 2)
    services.cancel_booking(booking_id=booking.pk)

    with pytest.raises(ValidationError) as caught:
        services.cancel_booking(booking_id=booking.pk)
    assert codes(caught.value) == ["already_cancelled"]


def test_update_moving_a_booking_over_its_own_dates_is_allowed(make_apartment, day):
    apartment = make_apartment()
    booking = make_booking(apartment, day, 10, 14)

    moved = services.update_booking(booking_id=booking.pk, start_date=day(12), end_date=day(16))

    assert (moved.start_date, moved.end_date) == (day(12), day(16))


def test_update_onto_another_booking_is_refused(make_apartment, day):
    apartment = make_apartment()
    make_booking(apartment, day, 10, 14)
    other = make_booking(apartment, day, 20, 22)

    with pytest.raises(ValidationError) as caught:
        services.update_booking(booking_id=other.pk, start_date=day(13), end_date=day(15))
    assert codes(caught.value) == ["booking_overlap"]
    assert Booking.objects.get(pk=other.pk).start_date == day(20)


def test_update_guest_name_only(make_apartment, day):
    booking = make_booking(make_apartment(), day, 1, 3)

    assert services.update_booking(booking_id=booking.pk, guest_name="  Grace Hopper ").guest_name == "Grace Hopper"


def test_cancelled_booking_cannot_be_changed(make_apartment, day):
    booking = make_booking(make_apartment(), day, 1, 3)
    services.cancel_booking(booking_id=booking.pk)

    with pytest.raises(ValidationError) as caught:
        services.update_booking(booking_id=booking.pk, end_date=day(5))
    assert codes(caught.value) == ["already_cancelled"]


def test_hotel_takes_exactly_rooms_overlapping_bookings(make_hotel, day):
    hotel = make_hotel(rooms=3)
    for _ in range(3):
        make_booking(hotel, day, 10, 13)

    assert refused(hotel, day, 11, 12) == ["no_rooms_available"]
    assert make_booking(hotel, day, 13, 15).status == BookingStatus.CONFIRMED  # the check-out day is free again
    assert make_booking(hotel, day, 5, 10).status == BookingStatus.CONFIRMED


def test_hotel_capacity_counts_per_night_not_per_stay(make_hotel, day):
    hotel = make_hotel(rooms=2)
    make_booking(hotel, day, 1, 3)  # nights 1, 2
    make_booking(hotel, day, 3, 5)  # nights 3, 4: never together with the first

    assert make_booking(hotel, day, 2, 4).status == BookingStatus.CONFIRMED  # nights 2 and 3 each have one other
    assert refused(hotel, day, 1, 5) == ["no_rooms_available"]


def test_reducing_rooms_below_booked_nights_is_refused(make_hotel, day):
    hotel = make_hotel(rooms=3)
    make_booking(hotel, day, 5, 8)
    make_booking(hotel, day, 6, 9)

    with pytest.raises(ValidationError) as caught:
        catalog_services.update_hotel(hotel_id=hotel.pk, rooms=1)
    assert codes(caught.value) == ["rooms_below_bookings"]

    assert catalog_services.update_hotel(hotel_id=hotel.pk, rooms=2).rooms == 2  # exactly the peak is fine


def test_reducing_rooms_ignores_past_and_cancelled_bookings(make_hotel, day):
    hotel = make_hotel(rooms=2)
    cancelled = make_booking(hotel, day, 5, 8)
    make_booking(hotel, day, 5, 8)
    services.cancel_booking(booking_id=cancelled.pk)
    Booking.objects.create(  # a stay that is over: it no longer limits the rooms
        accommodation=hotel, start_date=day(-10), end_date=day(-8), guest_name="Past", total_price=0, exclusive=False
    )
    Booking.objects.create(accommodation=hotel, start_date=day(-10), end_date=day(-8), guest_name="Past", total_price=0, exclusive=False)

    assert catalog_services.update_hotel(hotel_id=hotel.pk, rooms=1).rooms == 1


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        pytest.param(5, 5, "invalid_date_range", id="equal"),
        pytest.param(6, 5, "invalid_date_range", id="reversed"),
        pytest.param(-1, 2, "date_in_past", id="past-start"),
        pytest.param(1, 367, "stay_too_long", id="too-long"),
    ],
)
def test_bad_dates_are_refused(make_apartment, day, start, end, code):
    assert refused(make_apartment(), day, start, end) == [code]


def test_a_stay_of_exactly_the_maximum_is_allowed(make_apartment, day, settings):
    assert make_booking(make_apartment(), day, 0, settings.BOOKING_MAX_NIGHTS).nights == settings.BOOKING_MAX_NIGHTS


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_blank_guest_name_is_refused(make_apartment, day, name):
    with pytest.raises(ValidationError) as caught:
        services.create_booking(
            accommodation_id=make_apartment().pk, start_date=day(1), end_date=day(2), guest_name=name
        )
    assert list(caught.value.error_dict) == ["guest_name"]
    assert Booking.objects.count() == 0


@pytest.mark.parametrize("accommodation_id", ["999999", "abc", "-1", "", "1.5", "99999999999999999999999"])
def test_unknown_or_malformed_accommodation_is_not_found(accommodation_id, day):
    with pytest.raises(ValidationError) as caught:
        services.create_booking(accommodation_id=accommodation_id, start_date=day(1), end_date=day(2), guest_name="X")
    assert codes(caught.value) == ["not_found"]


class TestDatabaseHoldsTheInvariants:
    """Writes that skip the service still cannot break the rules PostgreSQL can hold."""

    def test_exclusion_constraint_refuses_overlapping_apartment_rows(self, make_apartment, day):
        apartment = make_apartment()
        Booking.objects.create(accommodation=apartment, start_date=day(1), end_date=day(5), guest_name="A", total_price=0, exclusive=True)

        with pytest.raises(IntegrityError, match="booking_apartment_no_overlap"), transaction.atomic():
            Booking.objects.create(accommodation=apartment, start_date=day(4), end_date=day(6), guest_name="B", total_price=0, exclusive=True)

    def test_touching_rows_are_fine(self, make_apartment, day):
        apartment = make_apartment()
        Booking.objects.create(accommodation=apartment, start_date=day(1), end_date=day(5), guest_name="A", total_price=0, exclusive=True)

        Booking.objects.create(accommodation=apartment, start_date=day(5), end_date=day(6), guest_name="B", total_price=0, exclusive=True)

    def test_constraint_ignores_cancelled_and_hotel_rows(self, make_apartment, make_hotel, day):
        apartment, hotel = make_apartment(), make_hotel()
        Booking.objects.create(accommodation=apartment, start_date=day(1), end_date=day(5), guest_name="A", total_price=0, exclusive=True)
        Booking.objects.create(
            accommodation=apartment, start_date=day(1), end_date=day(5), guest_name="B", total_price=0, exclusive=True,
            status=BookingStatus.CANCELLED,
        )
        for guest in "CD":
            Booking.objects.create(accommodation=hotel, start_date=day(1), end_date=day(5), guest_name=guest, total_price=0, exclusive=False)

    def test_a_race_past_the_service_maps_to_booking_overlap(self, make_apartment, day, monkeypatch):
        apartment = make_apartment()
        make_booking(apartment, day, 1, 5)
        monkeypatch.setattr(_quoting, "refuse_unbookable", lambda *args, **kwargs: None)  # as if the check raced

        assert refused(apartment, day, 3, 4) == ["booking_overlap"]

    @pytest.mark.parametrize(
        ("fields", "constraint"),
        [
            ({"start_date": 5, "end_date": 5}, "booking_end_after_start"),
            ({"guest_name": "  "}, "booking_guest_name_not_blank"),
            ({"status": "MAYBE"}, "booking_status_valid"),
        ],
    )
    def test_check_constraints(self, make_hotel, day, fields, constraint):
        values = {"start_date": 1, "end_date": 2, "guest_name": "X", "status": BookingStatus.CONFIRMED} | fields
        with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
            Booking.objects.create(
                accommodation=make_hotel(), start_date=day(values["start_date"]), end_date=day(values["end_date"]),
                guest_name=values["guest_name"], status=values["status"], total_price=0, exclusive=False,
            )

    def test_accommodation_with_bookings_cannot_be_deleted(self, make_hotel, day):
        hotel = make_hotel()
        make_booking(hotel, day, 1, 2)

        with pytest.raises(ValidationError) as caught:
            catalog_services.delete_hotel(hotel_id=hotel.pk)
        assert codes(caught.value) == ["has_bookings"]
