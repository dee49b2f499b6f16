"""Every availability answer treats a lapsed hold as free before any sweep has run: search, the
calendar, the next available date (and a live hold as taken, like a confirmed booking)."""
from __future__ import annotations

import pytest

from bookings import services
from bookings.models import Booking, BookingStatus

pytestmark = pytest.mark.django_db

CALENDAR = "query($id: ID!, $s: Date!, $e: Date!) { availability(id: $id, start: $s, end: $e) { date freeUnits available } }"
NEXT = "query($id: ID!, $d: Date!) { nextAvailableDate(id: $id, date: $d) }"
SEARCH = "query($in: Date!, $out: Date!) { searchStays(checkIn: $in, checkOut: $out) { accommodation { name } freeUnits } }"


@pytest.mark.parametrize("kind", ["hotel", "apartment"])
def test_a_live_hold_is_taken_and_a_lapsed_one_free_everywhere_before_the_sweep(gql, make_hotel, make_apartment, day, clock, kind):
    place = make_hotel(rooms=1, name="Only room") if kind == "hotel" else make_apartment(name="Only room")
    held = services.create_booking(
        accommodation_id=place.pk, start_date=day(10), end_date=day(12), guest_name="H", guest_email="h@example.com", hold=True
    )

    def answers():
        calendar = gql(CALENDAR, {"id": str(place.pk), "s": str(day(10)), "e": str(day(12))}).data["availability"]
        return (
            [(entry["freeUnits"], entry["available"]) for entry in calendar],
            gql(NEXT, {"id": str(place.pk), "d": str(day(10))}).data["nextAvailableDate"],
            gql(SEARCH, {"in": str(day(10)), "out": str(day(12))}).data["searchStays"],
        )

    assert answers() == ([(0, False), (0, False)], str(day(12)), [])

    clock.advance(minutes=15)  # the expiry instant
    assert answers() == ([(1, True), (1, True)], str(day(10)), [{"accommodation": {"name": "Only room"}, "freeUnits": 1}])
    assert Booking.objects.get(pk=held.pk).status == BookingStatus.HELD  # nothing was written by reading
