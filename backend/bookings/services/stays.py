"""Whether, when and where a stay can be had, without writing: next available date, the calendar,
search, the admin's dry run of a booking, and the guard that keeps a hotel's rooms above its bookings.
The limits on what a client may ask are checked here; the reads are selectors."""
from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from booking_graph.domain import CommonErrorCode, field_error, get_or_not_found, refuse_null_in
from catalog.models import Accommodation, Hotel

from .. import selectors
from ..errors import BookingErrorCode
from ..models import Booking
from ._quoting import quote_bookable, rate_plan_for, sellable_plan
from ._validation import (
    ensure_guests_fit,
    refuse_past_start,
    validate_guests,
    validate_nights,
    validate_stay,
    validate_window,
)


def next_available_date(
    *, accommodation: Accommodation, date: datetime.date, nights: int = 1, rate_plan_id: object | None = None
) -> datetime.date:
    """The limits on what a client may ask, then the read."""
    validate_nights(nights=nights)
    plan = None if rate_plan_id is None else sellable_plan(accommodation=accommodation, rate_plan_id=rate_plan_id)
    return selectors.next_available_date(accommodation=accommodation, date=date, nights=nights, rate_plan=plan)


def availability(
    *, accommodation: Accommodation, start: datetime.date, end: datetime.date, rate_plan_id: object | None = None,
    include_inactive: bool = False,
) -> list[selectors.AvailabilityDay]:
    """Under a named plan: one on sale, or any plan of the place with `include_inactive` (staff)."""
    validate_window(start=start, end=end)
    if rate_plan_id is None:
        plan = None
    elif include_inactive:
        plan = rate_plan_for(accommodation=accommodation, rate_plan_id=rate_plan_id)
    else:
        plan = sellable_plan(accommodation=accommodation, rate_plan_id=rate_plan_id)
    return selectors.availability(accommodation=accommodation, start=start, end=end, rate_plan=plan)


def next_available_dates(
    *, accommodations: Sequence[Accommodation], date: datetime.date, nights: int = 1
) -> dict[int, datetime.date]:
    """next_available_date for a list of places (default plans), by id, in a constant number of statements."""
    validate_nights(nights=nights)
    return selectors.next_available_dates(accommodations=accommodations, date=date, nights=nights)


def availabilities(
    *, accommodations: Sequence[Accommodation], start: datetime.date, end: datetime.date
) -> dict[int, list[selectors.AvailabilityDay]]:
    """availability for a list of places (default plans), by id, in one statement."""
    validate_window(start=start, end=end)
    return selectors.availabilities(accommodations=accommodations, start=start, end=end)


def search_stays(
    *,
    check_in: datetime.date,
    check_out: datetime.date,
    guests: int = 1,
    location: str | None = None,
    kind: str | None = None,
    max_nightly_price: Decimal | None = None,
    offset: int = 0,
    limit: int,
) -> list[selectors.StayOffer]:
    """The places where create_booking(check_in, check_out, guests) would succeed now, priced.
    Bad arguments are errors; a check-in in the past is bookable nowhere, so it finds nothing."""
    # A past check-in is not an error here: it finds nothing (below), as create_booking would refuse it.
    validate_stay(start=check_in, end=check_out, end_field="check_out")
    validate_guests(guests)
    if max_nightly_price is not None and not max_nightly_price.is_finite():
        raise field_error("max_nightly_price", "maxNightlyPrice must be a finite number.", CommonErrorCode.INVALID)
    refuse_null_in(field="location", value=location)
    if check_in < selectors.earliest_local_today():  # the past everywhere (per place, the SQL decides)
        return []
    return selectors.search_stays(
        check_in=check_in, check_out=check_out, guests=guests, location=location, kind=kind,
        max_nightly_price=max_nightly_price, offset=offset, limit=limit,
    )


def check_bookable(
    *,
    accommodation_id: object,
    start_date: datetime.date,
    end_date: datetime.date,
    guests: int = 1,
    booking: Booking | None = None,
    rate_plan_id: object | None = None,
) -> None:
    """The create/update checks without writing (the admin form shows them as field errors)."""
    keeps_start = booking is not None and booking.start_date == start_date
    validate_stay(start=start_date, end=end_date)
    accommodation = get_or_not_found(
        Accommodation.objects.select_subclasses(), accommodation_id, field="accommodation"
    )
    if not keeps_start:
        refuse_past_start(accommodation, start_date, at=selectors.now())
    ensure_guests_fit(accommodation, guests)
    plan = booking.rate_plan if booking is not None and rate_plan_id is None else sellable_plan(
        accommodation=accommodation, rate_plan_id=rate_plan_id
    )
    quote_bookable(
        accommodation, plan, start=start_date, end=end_date, exclude_booking_id=booking.pk if booking else None
    )


def ensure_rooms_cover_bookings(*, hotel: Hotel, rooms: int) -> None:
    """A hotel cannot have fewer rooms than confirmed bookings on any upcoming night.
    Runs under the hotel's row lock (catalog's update_hotel sends `hotel_rooms_changing`)."""
    peak = selectors.peak_future_occupancy(accommodation_id=hotel.pk)
    if rooms < peak:
        raise field_error(
            "rooms",
            f"{hotel.name} already has {peak} confirmed bookings on one upcoming night; rooms cannot go below that.",
            BookingErrorCode.ROOMS_BELOW_BOOKINGS,
        )
