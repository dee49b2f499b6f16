"""Guest self-service: a guest reaches their own booking by reference and e-mail (no account).
The lookup is shared by confirming (lifecycle) and changing (changes); cancelling is here."""
from __future__ import annotations

from booking_graph.domain import CommonErrorCode, field_error

from .. import revisions, selectors
from ..models import Booking
from .cancellation import cancel_booking

GUEST_NOT_FOUND_MESSAGE = "No booking matches this reference and e-mail."


def guest_booking_id(reference: str, email: str) -> int:
    """The booking a reference and e-mail name together; a wrong reference and a wrong e-mail give
    the same error (code, field, message) after the same work."""
    booking = selectors.guest_booking(reference=reference, email=email)
    if booking is None:
        raise field_error("reference", GUEST_NOT_FOUND_MESSAGE, CommonErrorCode.NOT_FOUND)
    return booking.pk


def cancel_guest_booking(*, reference: str, email: str, actor: str = revisions.GUEST) -> Booking:
    """The guest cancels their own booking under its terms (the answer carries the fee)."""
    return cancel_booking(booking_id=guest_booking_id(reference, email), actor=actor)
