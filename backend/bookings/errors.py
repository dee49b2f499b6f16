"""Error codes the booking rules raise (its domain errors carry these as ``code``)."""
from __future__ import annotations

import enum


class BookingErrorCode(enum.StrEnum):
    INVALID_DATE_RANGE = "invalid_date_range"  # check-out not after check-in, or window end not after start
    DATE_IN_PAST = "date_in_past"
    STAY_TOO_LONG = "stay_too_long"  # more than BOOKING_MAX_NIGHTS nights
    RANGE_TOO_LONG = "range_too_long"  # availability window over AVAILABILITY_MAX_DAYS
    INVALID_NIGHTS = "invalid_nights"
    BOOKING_OVERLAP = "booking_overlap"  # apartment already booked on one of the nights
    NO_ROOMS_AVAILABLE = "no_rooms_available"  # hotel full on one of the nights
    ROOMS_BELOW_BOOKINGS = "rooms_below_bookings"  # a hotel's rooms cannot drop below its booked peak
    ALREADY_CANCELLED = "already_cancelled"
    INVALID_GUESTS = "invalid_guests"  # fewer than one guest
    TOO_MANY_GUESTS = "too_many_guests"  # over the apartment's max_guests or one hotel room's max_guests_per_room
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"  # the key was used before with other booking fields
