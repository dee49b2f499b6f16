"""A change or a staff edit meeting a lapsed hold refuses it (hold_expired) and the EXPIRED mark
stays: it is committed before the refusal, as confirm and cancel do."""
from __future__ import annotations


import pytest
from django.core.exceptions import ValidationError

from bookings import services
from bookings.models import Booking, BookingStatus


@pytest.fixture
def lapsed_hold(make_hotel, day, clock):
    hotel = make_hotel(rooms=1)
    hold = services.create_booking(
        accommodation_id=hotel.pk, start_date=day(5), end_date=day(7), guest_name="Ana",
        guest_email="ana@example.com", hold=True,
    )
    clock.advance(minutes=16)
    return hold


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", ["guest_change", "staff_update"])
def test_the_expired_mark_survives_the_refusal(lapsed_hold, day, change):
    with pytest.raises(ValidationError) as refused:
        if change == "guest_change":
            services.change_booking(reference=lapsed_hold.reference, email="ana@example.com", end_date=day(8))
        else:
            services.update_booking(booking_id=lapsed_hold.pk, end_date=day(8))

    assert refused.value.code == "hold_expired"
    stored = Booking.objects.get(pk=lapsed_hold.pk)
    assert stored.status == BookingStatus.EXPIRED and stored.end_date == day(7)
    assert [rev.action for rev in stored.revisions.order_by("sequence")] == ["held", "expired"]
