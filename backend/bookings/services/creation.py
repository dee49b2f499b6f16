"""Making a booking: a confirmed stay, or a hold for lifecycle.confirm_booking."""
from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction

from catalog.models import Accommodation

from .. import metrics, revisions, selectors
from ..models import Booking, BookingStatus
from ._expiry import expire_lapsed_holds
from ._idempotency import IDEMPOTENCY_CONSTRAINT, clean_idempotency_key, replay, request_fingerprint
from ._locking import lock_accommodation, save_booking
from ._quoting import apply_snapshot, check_expected_price, quote_bookable, sellable_plan
from ._validation import clean_email, clean_guest_name, ensure_guests_fit, refuse_past_start, validate_guests, validate_stay

logger = logging.getLogger(__package__)  # one logger for the package, as before the split


def booking_is_exclusive(accommodation: Accommodation) -> bool:
    """An apartment is let as a whole: its bookings exclude each other (the database's exclusion constraint)."""
    return accommodation.is_apartment


@transaction.atomic
def create_booking(
    *,
    accommodation_id: object,
    start_date: datetime.date,
    end_date: datetime.date,
    guest_name: str,
    guests: int = 1,
    idempotency_key: str | None = None,
    rate_plan_id: object | None = None,
    guest_email: str | None = None,
    hold: bool = False,
    expected_total_price: Decimal | None = None,
    actor: str = revisions.SYSTEM,
) -> Booking:
    """Book a stay, or hold it (HELD until BOOKING_HOLD_MINUTES from now, taking capacity like a
    confirmed booking) for confirm_booking. With an idempotency key, repeating the same request
    returns the first booking (even one made in parallel); the key with other fields is refused.
    With expected_total_price, a different current quote is refused (PriceChanged)."""
    key = clean_idempotency_key(idempotency_key)
    fingerprint = ""
    if key is not None:
        fingerprint = request_fingerprint(
            accommodation=accommodation_id, start_date=start_date, end_date=end_date,
            guest_name=guest_name.strip(), guests=guests,
            # Only when given: keys made before these fields existed keep their fingerprint.
            **({"rate_plan": rate_plan_id} if rate_plan_id is not None else {}),
            **({"guest_email": (guest_email or "").strip()} if guest_email else {}),
            **({"hold": True} if hold else {}),
        )
        # Before the rules: a retry after midnight must still get its booking, not date_in_past.
        if (earlier := replay(key, fingerprint)) is not None:
            return earlier
    guest_name = clean_guest_name(guest_name)
    guest_email = clean_email(guest_email, required=hold)
    validate_stay(start=start_date, end=end_date)
    validate_guests(guests)
    at = selectors.now()
    accommodation = lock_accommodation(accommodation_id)
    # A twin request for the same place held the lock before us and may have committed the key.
    if key is not None and (earlier := replay(key, fingerprint)) is not None:
        return earlier
    refuse_past_start(accommodation, start_date, at=at)
    ensure_guests_fit(accommodation, guests)
    plan = sellable_plan(accommodation=accommodation, rate_plan_id=rate_plan_id)
    expire_lapsed_holds(accommodation_id=accommodation.pk, at=at)
    quote = quote_bookable(accommodation, plan, start=start_date, end=end_date)
    check_expected_price(expected_total_price, total=quote.total_price, nightly_prices=quote.nightly_prices)
    booking = Booking(
        accommodation=accommodation,
        start_date=start_date,
        end_date=end_date,
        guest_name=guest_name,
        guest_email=guest_email,
        guests=guests,
        exclusive=booking_is_exclusive(accommodation),
        idempotency_key=key,
        idempotency_fingerprint=fingerprint,
    )
    if hold:
        booking.status = BookingStatus.HELD
        booking.expires_at = at + datetime.timedelta(minutes=settings.BOOKING_HOLD_MINUTES)
    else:
        booking.confirmed_at = at
    apply_snapshot(booking, plan, quote, accommodation)
    try:
        save_booking(booking)
    except IntegrityError as exc:
        # The unique key, not the lookup, is the guarantee: a twin for another place got it first.
        if key is None or IDEMPOTENCY_CONSTRAINT not in str(exc):
            raise
        earlier = replay(key, fingerprint)
        if earlier is None:  # pragma: no cover - the violation means a committed row holds the key
            raise
        return earlier
    revisions.record(booking, actor=actor, action=revisions.Action.HELD if hold else revisions.Action.CREATED, before={}, at=at)
    logger.info(
        "booking.held" if hold else "booking.created",
        extra={
            "booking_id": booking.pk,
            "reference": booking.masked_reference,
            "accommodation_id": accommodation.pk,
            "start": start_date,
            "end": end_date,
            "guests": guests,
            "total_price": str(booking.total_price),
            "rate_plan_id": plan.pk,
            "idempotent": key is not None,
            "actor": actor,
        },
    )
    return booking


# createBooking's outcomes are counted (docs/operations.md); the admin and seed_demo call
# create_booking itself and stay uncounted, as they were when the resolver did the counting.
create_booking_counted = metrics.outcome_counted(create_booking)
