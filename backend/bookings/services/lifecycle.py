"""A hold's way on: HELD -> CONFIRMED at the held price, or HELD -> EXPIRED once its time is up."""
from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import revisions, selectors
from ..errors import BookingErrorCode
from ..models import Booking, BookingStatus
from ._expiry import expire, lapse_if_due, refuse_expired_hold
from ._locking import get_booking_for_update
from ._quoting import agreed_nights, check_expected_price
from .guests import guest_booking_id

logger = logging.getLogger(__package__)  # one logger for the package, as before the split


def confirm_booking(
    *, reference: str, email: str, expected_total_price: Decimal | None = None, actor: str = revisions.GUEST
) -> Booking:
    """Turn a live hold into a confirmed booking at the held price. A lapsed hold becomes EXPIRED
    and is refused (hold_expired); confirming a confirmed booking again answers it unchanged."""
    booking_id = guest_booking_id(reference, email)
    at = selectors.now()
    with transaction.atomic():
        booking, _ = get_booking_for_update(booking_id)
        lapsed = lapse_if_due(booking, at=at)
        if not lapsed:
            return _confirm_held(booking, expected_total_price=expected_total_price, actor=actor, at=at)
    raise refuse_expired_hold()  # after the commit: the EXPIRED mark stays


def _confirm_held(booking: Booking, *, expected_total_price: Decimal | None, actor: str, at: datetime.datetime) -> Booking:
    if booking.is_confirmed:
        return booking  # a retried confirmation
    if booking.status == BookingStatus.EXPIRED:
        raise refuse_expired_hold()
    if not booking.is_held:
        raise ValidationError("Only a held booking can be confirmed.", code=BookingErrorCode.NOT_CHANGEABLE)
    check_expected_price(expected_total_price, total=booking.total_price, nightly_prices=agreed_nights(booking))
    before = revisions.snapshot(booking)
    booking.status = BookingStatus.CONFIRMED
    booking.confirmed_at = at
    booking.expires_at = None
    booking.save(update_fields=["status", "confirmed_at", "expires_at", "updated_at"])
    revisions.record(booking, actor=actor, action=revisions.Action.CONFIRMED, before=before, at=at)
    logger.info("booking.confirmed", extra={"booking_id": booking.pk, "reference": booking.masked_reference, "actor": actor})
    return booking


def expire_holds(*, limit: int = 500) -> int:
    """The periodic sweep's part: holds past their expiry become EXPIRED (capacity never waited for
    this: lapsed holds block nobody). Rows another transaction holds are left for the next run."""
    at = selectors.now()
    expired = 0
    with transaction.atomic():
        for booking in Booking.objects.select_for_update(skip_locked=True).filter(
            status=BookingStatus.HELD, expires_at__lte=at
        )[:limit]:
            expire(booking, at=at)
            expired += 1
    return expired
