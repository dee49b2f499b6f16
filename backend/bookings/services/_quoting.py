"""A stay judged and priced under a rate plan: the plan, the first rule it breaks, the snapshot a
booking keeps, and the price check a client may ask for."""
from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError

from booking_graph.domain import CommonErrorCode, field_error
from catalog import selectors as catalog_selectors
from catalog.models import Accommodation, RatePlan

from .. import selectors
from ..errors import BookingErrorCode
from ..models import Booking


def rate_plan_for(*, accommodation: Accommodation, rate_plan_id: object | None, field: str = "rate_plan") -> RatePlan:
    """The plan a stay is judged under: the named one of this accommodation, else its default."""
    plan = catalog_selectors.find_rate_plan(accommodation_id=accommodation.pk, rate_plan_id=rate_plan_id)
    if plan is None:
        raise field_error(
            field, f"{accommodation.name} has no rate plan with id {rate_plan_id!r}.", BookingErrorCode.RATE_PLAN_NOT_FOUND
        )
    return plan


def sellable_plan(*, accommodation: Accommodation, rate_plan_id: object | None) -> RatePlan:
    plan = rate_plan_for(accommodation=accommodation, rate_plan_id=rate_plan_id)
    if not plan.active:
        raise field_error("rate_plan", f"The rate plan {plan.name!r} is not on sale.", BookingErrorCode.RATE_PLAN_NOT_AVAILABLE)
    return plan


def refuse_unbookable(accommodation: Accommodation, quote: selectors.StayQuote, *, start: datetime.date, end: datetime.date) -> None:
    """Name the first rule a stay breaks: the plan's rules (fixed by the property) before capacity."""
    nights = (end - start).days
    if quote.closed_to_arrival:
        raise field_error("start_date", f"{accommodation.name} takes no arrivals on {start}.", BookingErrorCode.CLOSED_TO_ARRIVAL)
    if nights < quote.min_stay:
        raise field_error(
            "end_date", f"Stays arriving on {start} last at least {quote.min_stay} nights; {nights} asked.",
            BookingErrorCode.MIN_STAY_NOT_MET,
        )
    if quote.max_stay is not None and nights > quote.max_stay:
        raise field_error(
            "end_date", f"Stays arriving on {start} last at most {quote.max_stay} nights; {nights} asked.",
            BookingErrorCode.MAX_STAY_EXCEEDED,
        )
    if quote.closed_to_departure:
        raise field_error("end_date", f"{accommodation.name} takes no departures on {end}.", BookingErrorCode.CLOSED_TO_DEPARTURE)
    if quote.stop_sell:
        raise field_error(
            "start_date", f"{accommodation.name} is not sold for some of the nights from {start} to {end}.", BookingErrorCode.STOP_SELL
        )
    if quote.free_units <= 0:
        if accommodation.is_apartment:
            raise field_error(
                "start_date",
                f"{accommodation.name} is already booked for some of the nights from {start} to {end}.",
                BookingErrorCode.BOOKING_OVERLAP,
            )
        raise field_error(
            "start_date",
            f"{accommodation.name} has no room left for some of the nights from {start} to {end}.",
            BookingErrorCode.NO_ROOMS_AVAILABLE,
        )


def quote_bookable(
    accommodation: Accommodation, plan: RatePlan, *, start: datetime.date, end: datetime.date,
    exclude_booking_id: int | None = None,
) -> selectors.StayQuote:
    """The stay's verdict and price under the plan, refused with the rule it breaks."""
    quote = selectors.quote_stay(rate_plan=plan, start=start, end=end, exclude_booking_id=exclude_booking_id)
    refuse_unbookable(accommodation, quote, start=start, end=end)
    return quote


def apply_snapshot(booking: Booking, plan: RatePlan, quote: selectors.StayQuote, accommodation: Accommodation) -> None:
    """What the guest agrees to, kept on the booking: later rate and policy changes never touch it."""
    terms = selectors.cancellation_terms(rate_plan=plan, accommodation=accommodation, check_in=booking.start_date)
    booking.rate_plan = plan
    booking.nightly_prices = [{"date": night.date.isoformat(), "price": str(night.price)} for night in quote.nightly_prices]
    booking.total_price = quote.total_price
    booking.refundable = terms.refundable
    booking.free_cancellation_until = terms.free_until
    booking.cancellation_fee_percent = terms.fee_percent


def agreed_nights(booking: Booking) -> list[selectors.NightPrice]:
    return [
        selectors.NightPrice(datetime.date.fromisoformat(night["date"]), Decimal(night["price"]))
        for night in booking.nightly_prices
    ]


def booking_terms(booking: Booking) -> selectors.CancellationTerms:
    """The cancellation terms kept on the booking when it was made (or re-quoted)."""
    return selectors.CancellationTerms(booking.refundable, booking.free_cancellation_until, booking.cancellation_fee_percent)


class PriceChanged(ValidationError):
    """The total the client expected is not the price now: the refusal carries the current quote,
    so a checkout page can show it and ask again (Expedia Rapid's price check)."""

    def __init__(self, *, expected: Decimal, total: Decimal, nightly_prices: list[selectors.NightPrice]) -> None:
        super().__init__({
            "expected_total_price": ValidationError(
                f"The price changed: the stay now costs {total} (expected {expected}).", code=BookingErrorCode.PRICE_CHANGED
            )
        })
        self.expected, self.total, self.nightly_prices = expected, total, nightly_prices


def check_expected_price(expected: Decimal | None, *, total: Decimal, nightly_prices: list[selectors.NightPrice]) -> None:
    if expected is None:
        return
    if not expected.is_finite():
        raise field_error("expected_total_price", "expectedTotalPrice must be a finite number.", CommonErrorCode.INVALID)
    if expected != total:
        raise PriceChanged(expected=expected, total=total, nightly_prices=nightly_prices)
