"""Every write to bookings goes through this package: GraphQL mutations, the admin, commands and
other apps alike. One module per job; this file re-exports their public names so callers may keep
writing `services.create_booking`.

    creation      create_booking (and the counted one createBooking calls), booking_is_exclusive
    changes       change_booking (guests and staff), update_booking (staff), BookingChange
    cancellation  cancel_booking
    guests        reaching a booking by reference and e-mail; cancel_guest_booking
    lifecycle     confirm_booking, expire_holds (the sweep)
    stays         next available date, availability, search, check_bookable, the hotel rooms guard
    history       revisions other apps cause: voice notes added, guest data erased
    _validation, _quoting, _locking, _expiry, _idempotency: the shared steps the modules above
    build from (imported by them, never importing them, so the siblings stay acyclic).
"""
from __future__ import annotations

from ._expiry import expire_lapsed_holds
from ._idempotency import IDEMPOTENCY_CONSTRAINT
from ._locking import OVERLAP_CONSTRAINT
from ._quoting import PriceChanged, agreed_nights, booking_terms, rate_plan_for
from ._validation import refuse_past_start, validate_guests, validate_nights, validate_stay, validate_window
from .cancellation import cancel_booking
from .changes import BookingChange, change_booking, update_booking
from .creation import booking_is_exclusive, create_booking, create_booking_counted
from .guests import GUEST_NOT_FOUND_MESSAGE, cancel_guest_booking
from .history import ERASED_GUEST_NAME, anonymise_guest, record_voice_note_added
from .lifecycle import confirm_booking, expire_holds
from .stays import (
    availabilities,
    availability,
    check_bookable,
    ensure_rooms_cover_bookings,
    next_available_date,
    next_available_dates,
    search_stays,
)

__all__ = [
    "GUEST_NOT_FOUND_MESSAGE",
    "ERASED_GUEST_NAME",
    "IDEMPOTENCY_CONSTRAINT",
    "OVERLAP_CONSTRAINT",
    "BookingChange",
    "PriceChanged",
    "agreed_nights",
    "anonymise_guest",
    "availabilities",
    "availability",
    "booking_is_exclusive",
    "booking_terms",
    "cancel_booking",
    "cancel_guest_booking",
    "change_booking",
    "check_bookable",
    "confirm_booking",
    "create_booking",
    "create_booking_counted",
    "ensure_rooms_cover_bookings",
    "expire_holds",
    "expire_lapsed_holds",
    "next_available_date",
    "next_available_dates",
    "rate_plan_for",
    "record_voice_note_added",
    "refuse_past_start",
    "search_stays",
    "update_booking",
    "validate_guests",
    "validate_nights",
    "validate_stay",
    "validate_window",
]
