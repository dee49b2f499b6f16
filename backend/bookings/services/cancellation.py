"""Cancelling a held or confirmed booking under the terms it was made with."""
from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import revisions, selectors
from ..errors import BookingErrorCode
from ..models import Booking, BookingStatus
from ._expiry import lapse_if_due, refuse_expired_hold
from ._locking import get_booking_for_update
from ._quoting import booking_terms

logger = logging.getLogger(__package__)  # one logger for the package, as before the split


def _cancel(booking: Booking, *, actor: str, at: datetime.datetime) -> Booking:
    """Cancel under the booking's own terms; a hold was never paid for and costs nothing."""
    if booking.status == BookingStatus.EXPIRED:
        raise refuse_expired_hold()
    if booking.status not in (BookingStatus.HELD, BookingStatus.CONFIRMED):
        raise ValidationError("This booking is already cancelled.", code=BookingErrorCode.ALREADY_CANCELLED)
    before = revisions.snapshot(booking)
    fee = Decimal("0.00") if booking.is_held else selectors.cancellation_fee_at(
        total=booking.total_price, terms=booking_terms(booking), moment=at
    )
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = at
    booking.cancellation_fee = fee
    booking.expires_at = None
    booking.save(update_fields=["status", "cancelled_at", "cancellation_fee", "expires_at", "updated_at"])
    revisions.record(booking, actor=actor, action=revisions.Action.CANCELLED, before=before, at=at)
    logger.info(
        "booking.cancelled",
        extra={"booking_id": booking.pk, "accommodation_id": booking.accommodation_id, "fee": str(fee), "actor": actor,
               "reference": booking.masked_reference},
    )
    return booking


def cancel_booking(*, booking_id: object, actor: str = revisions.SYSTEM) -> Booking:
    at = selectors.now()
    with transaction.atomic():
        booking, _ = get_booking_for_update(booking_id)
        if not lapse_if_due(booking, at=at):
            return _cancel(booking, actor=actor, at=at)
    raise refuse_expired_hold()
