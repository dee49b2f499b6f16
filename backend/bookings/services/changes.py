"""Changing a held or confirmed booking: the guest's or staff's changeBooking (re-priced, keeping
agreed nights) and staff's updateBooking (the admin's edit). Both are atomic under the
accommodation's lock, so the old nights stay taken until the new ones are."""
from __future__ import annotations

import dataclasses
import datetime
import logging
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.models import Accommodation, RatePlan

from .. import revisions, selectors
from ..errors import BookingErrorCode
from ..models import Booking, BookingStatus
from ._expiry import expire_lapsed_holds, lapse_if_due, refuse_expired_hold
from ._locking import get_booking_for_update, save_booking
from ._quoting import agreed_nights, apply_snapshot, check_expected_price, quote_bookable, sellable_plan
from ._validation import clean_guest_name, ensure_guests_fit, refuse_past_start, validate_stay
from .guests import guest_booking_id

logger = logging.getLogger(__package__)  # one logger for the package, as before the split


class BookingChange(NamedTuple):
    booking: Booking
    previous_total_price: Decimal

    @property
    def difference(self) -> Decimal:
        return self.booking.total_price - self.previous_total_price


def _kept_night_prices(booking: Booking, quote: selectors.StayQuote) -> list[selectors.NightPrice]:
    """The new stay's nights: those the old stay had keep their agreed price (the guest already
    agreed to them); new nights take today's rate."""
    agreed = {night.date: night.price for night in agreed_nights(booking)}
    return [selectors.NightPrice(night.date, agreed.get(night.date, night.price)) for night in quote.nightly_prices]


def change_booking(
    *,
    booking_id: object | None = None,
    reference: str | None = None,
    email: str | None = None,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    guests: int | None = None,
    rate_plan_id: object | None = None,
    expected_total_price: Decimal | None = None,
    actor: str = revisions.GUEST,
) -> BookingChange:
    """Move the dates, change the guests or the plan of a held or confirmed booking, re-quoted for
    the new stay under today's rules; atomic under the accommodation's lock, so the old nights stay
    taken until the new ones are. Pricing: nights kept from the old stay keep their agreed price
    unless the plan changes (then every night takes the new plan's current price); new nights take
    today's price. A change of guests only keeps the agreed price."""
    if booking_id is None:
        booking_id = guest_booking_id(reference or "", email or "")
    at = selectors.now()
    with transaction.atomic():
        booking, accommodation = get_booking_for_update(booking_id)
        if not lapse_if_due(booking, at=at):
            return _change(
                booking, accommodation, at=at, start_date=start_date, end_date=end_date, guests=guests,
                rate_plan_id=rate_plan_id, expected_total_price=expected_total_price, actor=actor,
            )
    raise refuse_expired_hold()  # after the commit: the EXPIRED mark stays


def _refuse_unchangeable(booking: Booking) -> None:
    """Only a held or confirmed booking changes (a lapsed hold was marked EXPIRED by the caller)."""
    if booking.status == BookingStatus.EXPIRED:
        raise refuse_expired_hold()
    if booking.status not in (BookingStatus.HELD, BookingStatus.CONFIRMED):
        raise ValidationError("A cancelled booking cannot be changed.", code=BookingErrorCode.ALREADY_CANCELLED)


def _quote_new_stay(
    booking: Booking, accommodation: Accommodation, *, at: datetime.datetime, start: datetime.date,
    end: datetime.date, rate_plan_id: object | None,
) -> tuple[RatePlan, selectors.StayQuote]:
    """The moved (or re-planned) stay judged and priced under today's rules, its own nights excluded;
    the booking's plan unless another one is named."""
    validate_stay(start=start, end=end)
    if start != booking.start_date:  # a stay already under way keeps its past check-in day
        refuse_past_start(accommodation, start, at=at)
    plan = booking.rate_plan if rate_plan_id is None else sellable_plan(accommodation=accommodation, rate_plan_id=rate_plan_id)
    expire_lapsed_holds(accommodation_id=accommodation.pk, at=at)
    return plan, quote_bookable(accommodation, plan, start=start, end=end, exclude_booking_id=booking.pk)


def _requested_stay(
    booking: Booking, start_date: datetime.date | None, end_date: datetime.date | None, rate_plan_id: object | None
) -> tuple[datetime.date, datetime.date, bool, bool]:
    """The stay asked for (a date left out keeps the booked one), and whether it moves or changes plan."""
    start, end = start_date or booking.start_date, end_date or booking.end_date
    moved = (start, end) != (booking.start_date, booking.end_date)
    replanned = rate_plan_id is not None and str(rate_plan_id) != str(booking.rate_plan_id)
    return start, end, moved, replanned


def _set_guests(booking: Booking, accommodation: Accommodation, guests: int | None) -> None:
    if guests is not None:
        ensure_guests_fit(accommodation, guests)
        booking.guests = guests


def _store_change(booking: Booking, *, before: dict, at: datetime.datetime, actor: str, event: str) -> None:
    """Save a changed booking, its revision and one log line, the same for guests' and staff's changes."""
    save_booking(booking)
    revisions.record(booking, actor=actor, action=revisions.Action.CHANGED, before=before, at=at)
    logger.info(
        event,
        extra={"booking_id": booking.pk, "reference": booking.masked_reference, "start": booking.start_date,
               "end": booking.end_date, "guests": booking.guests, "total_price": str(booking.total_price),
               "actor": actor},
    )


def _change(
    booking: Booking,
    accommodation: Accommodation,
    *,
    at: datetime.datetime,
    start_date: datetime.date | None,
    end_date: datetime.date | None,
    guests: int | None,
    rate_plan_id: object | None,
    expected_total_price: Decimal | None,
    actor: str,
) -> BookingChange:
    _refuse_unchangeable(booking)
    before = revisions.snapshot(booking)
    previous_total = booking.total_price
    new_start, new_end, moved, replanned = _requested_stay(booking, start_date, end_date, rate_plan_id)
    _set_guests(booking, accommodation, guests)
    if moved or replanned:
        plan, quote = _quote_new_stay(
            booking, accommodation, at=at, start=new_start, end=new_end, rate_plan_id=rate_plan_id if replanned else None
        )
        nights = quote.nightly_prices if replanned else _kept_night_prices(booking, quote)
        total = sum((night.price for night in nights), Decimal("0.00"))
        check_expected_price(expected_total_price, total=total, nightly_prices=nights)
        booking.start_date, booking.end_date = new_start, new_end
        apply_snapshot(booking, plan, dataclasses.replace(quote, nightly_prices=nights), accommodation)
    else:
        check_expected_price(expected_total_price, total=booking.total_price, nightly_prices=agreed_nights(booking))
    _store_change(booking, before=before, at=at, actor=actor, event="booking.changed")
    return BookingChange(booking, previous_total)


def update_booking(
    *,
    booking_id: object,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    guest_name: str | None = None,
    guests: int | None = None,
    rate_plan_id: object | None = None,
    actor: str = revisions.SYSTEM,
) -> Booking:
    """Staff's edit of a held or confirmed booking. Moving its dates or changing its plan re-quotes
    the whole stay under today's rates, rules and the plan's current terms; a change of name or
    guests keeps what was agreed."""
    at = selectors.now()
    with transaction.atomic():
        booking, accommodation = get_booking_for_update(booking_id)
        if not lapse_if_due(booking, at=at):
            return _update(
                booking, accommodation, at=at, start_date=start_date, end_date=end_date, guest_name=guest_name,
                guests=guests, rate_plan_id=rate_plan_id, actor=actor,
            )
    raise refuse_expired_hold()  # after the commit: the EXPIRED mark stays


def _update(
    booking: Booking,
    accommodation: Accommodation,
    *,
    at: datetime.datetime,
    start_date: datetime.date | None,
    end_date: datetime.date | None,
    guest_name: str | None,
    guests: int | None,
    rate_plan_id: object | None,
    actor: str,
) -> Booking:
    _refuse_unchangeable(booking)
    before = revisions.snapshot(booking)
    if guest_name is not None:
        booking.guest_name = clean_guest_name(guest_name)
    new_start, new_end, moved, replanned = _requested_stay(booking, start_date, end_date, rate_plan_id)
    _set_guests(booking, accommodation, guests)
    if moved or replanned:
        plan, quote = _quote_new_stay(
            booking, accommodation, at=at, start=new_start, end=new_end, rate_plan_id=rate_plan_id if replanned else None
        )
        booking.start_date, booking.end_date = new_start, new_end
        apply_snapshot(booking, plan, quote, accommodation)
    _store_change(booking, before=before, at=at, actor=actor, event="booking.updated")
    return booking
