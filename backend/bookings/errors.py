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
    RATE_PLAN_NOT_FOUND = "rate_plan_not_found"  # no such plan at this accommodation
    RATE_PLAN_NOT_AVAILABLE = "rate_plan_not_available"  # the plan exists but is not on sale (inactive)
    MIN_STAY_NOT_MET = "min_stay_not_met"  # fewer nights than the arrival day's minimum stay
    MAX_STAY_EXCEEDED = "max_stay_exceeded"  # more nights than the arrival day's maximum stay
    CLOSED_TO_ARRIVAL = "closed_to_arrival"  # no stay may start on the check-in day
    CLOSED_TO_DEPARTURE = "closed_to_departure"  # no stay may end on the check-out day
    STOP_SELL = "stop_sell"  # a night of the stay is not sold
    HOLD_EXPIRED = "hold_expired"  # the hold lapsed before it was confirmed (the booking is EXPIRED)
    PRICE_CHANGED = "price_changed"  # expectedTotalPrice differs from the current quote (sent with the refusal)
    EMAIL_REQUIRED = "email_required"  # a hold needs the guest's e-mail (confirming it asks for it)
    NOT_CHANGEABLE = "not_changeable"  # only held or confirmed bookings can be changed or confirmed
