"""Bookings for tests, made the ways the suites need them (importable as `factories`: pytest.ini puts
tests/ on the path).

- make_booking: through bookings.services.create_booking (the rules, the price, the revision), on
  days counted from the `day` fixture's today.
- booking_input: the BookingInput variables of a createBooking mutation; each suite sends its own
  document (its own selection set), so only the input is shared.
"""
from __future__ import annotations

import datetime
from typing import Callable

from bookings import services
from bookings.models import Booking


def make_booking(place, day: Callable[[int], datetime.date], start: int = 10, end: int = 12, *,
                 guest_name: str = "Guest", **fields) -> Booking:
    """A stay from day(start) to day(end) (the check-out day) booked through the service; `fields` go
    to create_booking as they are (guests, idempotency_key, hold, rate_plan_id, guest_email, ...)."""
    return services.create_booking(
        accommodation_id=place.pk, start_date=day(start), end_date=day(end), guest_name=guest_name, **fields
    )


def booking_input(place, start: datetime.date, end: datetime.date, *, guest_name: str = "Guest", **extra) -> dict:
    """The `data` of createBooking: `extra` are further BookingInput fields by their GraphQL names
    (guests, ratePlan, idempotencyKey, hold, guestEmail, ...)."""
    return {"accommodation": str(place.pk), "startDate": start.isoformat(), "endDate": end.isoformat(),
            "guestName": guest_name, **extra}
