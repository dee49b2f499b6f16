"""The shape of what a writer asks for (dates, nights, guests, name, e-mail), checked before any lock."""
from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from booking_graph.domain import CommonErrorCode, field_error, refuse_null_in
from catalog.models import Accommodation

from .. import selectors
from ..errors import BookingErrorCode
from ..models import Booking


def validate_stay(*, start: datetime.date, end: datetime.date, end_field: str = "end_date") -> None:
    """The stay's shape. Whether it starts in the past depends on the property's today
    (refuse_past_start, once the accommodation is known)."""
    if end <= start:
        raise field_error(
            end_field, "The check-out day must be after the check-in day (at least one night).",
            BookingErrorCode.INVALID_DATE_RANGE,
        )
    max_nights = settings.BOOKING_MAX_NIGHTS
    if (end - start).days > max_nights:
        raise field_error(end_field, f"A stay can last at most {max_nights} nights.", BookingErrorCode.STAY_TOO_LONG)


def refuse_past_start(accommodation: Accommodation, start: datetime.date, *, at: datetime.datetime) -> None:
    if start < accommodation.local_today(at):
        raise field_error(
            "start_date", f"The check-in day cannot be in the past ({accommodation.time_zone}).", BookingErrorCode.DATE_IN_PAST
        )


def validate_guests(guests: int) -> None:
    if guests < 1:
        raise field_error("guests", "A stay is for at least one guest.", BookingErrorCode.INVALID_GUESTS)


def ensure_guests_fit(accommodation: Accommodation, guests: int) -> None:
    validate_guests(guests)
    limit = selectors.max_guests_of(accommodation)
    if guests > limit:
        per = " per room (one room per booking)" if accommodation.is_hotel else ""
        raise field_error(
            "guests", f"{accommodation.name} takes at most {limit} guests{per}; {guests} asked.", BookingErrorCode.TOO_MANY_GUESTS
        )


def validate_nights(*, nights: int) -> None:
    if not 1 <= nights <= settings.BOOKING_MAX_NIGHTS:
        raise field_error(
            "nights", f"nights must be between 1 and {settings.BOOKING_MAX_NIGHTS}.", BookingErrorCode.INVALID_NIGHTS
        )


def validate_window(*, start: datetime.date, end: datetime.date) -> None:
    if end <= start:
        raise field_error("end", "end must be after start.", BookingErrorCode.INVALID_DATE_RANGE)
    if (end - start).days > settings.AVAILABILITY_MAX_DAYS:
        raise field_error(
            "end", f"At most {settings.AVAILABILITY_MAX_DAYS} days per request.", BookingErrorCode.RANGE_TOO_LONG
        )


def clean_guest_name(guest_name: str) -> str:
    name = guest_name.strip()
    if not name:
        raise field_error("guest_name", "The guest name cannot be empty.", CommonErrorCode.BLANK)
    if len(name) > Booking._meta.get_field("guest_name").max_length:
        raise field_error("guest_name", "The guest name is too long (200 characters at most).", CommonErrorCode.MAX_LENGTH)
    return name


_email_validator = EmailValidator()


def clean_email(email: str | None, *, required: bool = False) -> str:
    email = (email or "").strip()
    if not email:
        if required:
            raise field_error(
                "guest_email", "A hold needs the guest's e-mail: confirming it asks for it.", BookingErrorCode.EMAIL_REQUIRED
            )
        return ""
    refuse_null_in(field="guest_email", value=email)
    if len(email) > Booking._meta.get_field("guest_email").max_length:
        raise field_error("guest_email", "The e-mail address is too long.", CommonErrorCode.MAX_LENGTH)
    try:
        _email_validator(email)
    except ValidationError:
        raise field_error("guest_email", "Enter a valid e-mail address.", CommonErrorCode.INVALID) from None
    return email
