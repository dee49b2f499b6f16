"""How writers to one accommodation take turns, and the save that backs the lock up.

Writers are serialised by a row lock on the accommodation, so the capacity check and the write
happen as one step; always the accommodation first, then the booking row. For apartments
PostgreSQL's exclusion constraint holds the same rule even for writes that skip this package.
"""
from __future__ import annotations

from django.db import IntegrityError, transaction

from booking_graph.domain import field_error, get_or_not_found, refuse_null_characters
from catalog.models import Accommodation

from ..errors import BookingErrorCode
from ..models import APARTMENT_OVERLAP_MESSAGE, Booking

OVERLAP_CONSTRAINT = "booking_apartment_no_overlap"


def lock_accommodation(accommodation_id: object) -> Accommodation:
    """Row lock that serialises booking writers per accommodation (held until commit).

    The concrete Hotel/Apartment is read by a second statement *after* the lock is
    granted: a single locking query would return the child row (rooms) as of before
    the wait, and a concurrent `update_hotel` could have lowered it meanwhile."""
    locked = get_or_not_found(Accommodation.objects.select_for_update(), accommodation_id, field="accommodation")
    return Accommodation.objects.get_subclass(pk=locked.pk)


def get_booking_for_update(booking_id: object) -> tuple[Booking, Accommodation]:
    """The booking, locked, and its concrete Hotel/Apartment (read under the lock)."""
    booking = get_or_not_found(Booking.objects.all(), booking_id)
    # Same lock order as create: the accommodation first, then the booking row.
    accommodation = lock_accommodation(booking.accommodation_id)
    return get_or_not_found(Booking.objects.select_for_update(), booking.pk), accommodation


def save_booking(booking: Booking) -> None:
    """Insert/update, translating the apartment exclusion constraint into the friendly error."""
    refuse_null_characters(booking)
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:
        if OVERLAP_CONSTRAINT in str(exc):
            raise field_error("start_date", APARTMENT_OVERLAP_MESSAGE, BookingErrorCode.BOOKING_OVERLAP) from exc
        raise
