"""A hold past its expiry becomes EXPIRED: before anything is written at its place, when a caller
touches it, or in the periodic sweep (lifecycle.expire_holds). Lapsed holds block nobody meanwhile."""
from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError

from .. import revisions
from ..errors import BookingErrorCode
from ..models import Booking, BookingStatus

logger = logging.getLogger(__package__)  # one logger for the package, as before the split


def expire(booking: Booking, *, at: datetime.datetime) -> None:
    before = revisions.snapshot(booking)
    booking.status = BookingStatus.EXPIRED
    booking.save(update_fields=["status", "updated_at"])
    revisions.record(booking, actor=revisions.SYSTEM, action=revisions.Action.EXPIRED, before=before, at=at)
    logger.info("booking.hold_expired", extra={"booking_id": booking.pk, "reference": booking.masked_reference})


def expire_lapsed_holds(*, accommodation_id: int, at: datetime.datetime) -> int:
    """Mark this place's holds past their expiry EXPIRED. Runs under the accommodation's lock before
    anything is written there, so a new booking never meets a lapsed hold in the exclusion constraint."""
    lapsed = list(
        Booking.objects.select_for_update().filter(
            accommodation_id=accommodation_id, status=BookingStatus.HELD, expires_at__lte=at
        )
    )
    for booking in lapsed:
        expire(booking, at=at)
    return len(lapsed)


def lapse_if_due(booking: Booking, *, at: datetime.datetime) -> bool:
    """A hold past its expiry is marked EXPIRED now (committed even though the caller then refuses)."""
    if not booking.hold_lapsed(at):
        return False
    expire(booking, at=at)
    return True


def refuse_expired_hold() -> ValidationError:
    return ValidationError("The hold expired before it was confirmed; book again.", code=BookingErrorCode.HOLD_EXPIRED)
