from __future__ import annotations

import datetime
import decimal

import strawberry


@strawberry.input
class BookingInput:
    accommodation: strawberry.ID
    start_date: datetime.date = strawberry.field(description="Check-in day.")
    end_date: datetime.date = strawberry.field(description="Check-out day (the stay is [startDate, endDate)).")
    guest_name: str
    guests: int = strawberry.field(
        default=1, description="Guests (at least 1): up to the apartment's maxGuests or one hotel room's maxGuestsPerRoom."
    )
    rate_plan: strawberry.ID | None = strawberry.field(
        default=None, description="The plan to book under (one of the accommodation's); its default plan when omitted."
    )
    guest_email: str | None = strawberry.field(
        default=None, description="With the booking's reference, lets the guest find, confirm, change and cancel it. Required for a hold."
    )
    hold: bool = strawberry.field(
        default=False,
        description="Hold the stay (status HELD, expiresAt) instead of confirming it; confirmBooking confirms it at the held price.",
    )
    expected_total_price: decimal.Decimal | None = strawberry.field(
        default=None, description="The total the guest was shown: a different current quote is refused with PriceChanged."
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description=(
            "Optional, at most 255 characters (e.g. a UUID per booking attempt). Sending the same key with the same "
            "fields again returns the booking the first request made instead of booking twice; the same key with "
            "other fields is refused with idempotency_key_reused. Keys are kept as long as the booking (at least 24 hours)."
        ),
    )


@strawberry.input
class BookingPartialInput:
    id: strawberry.ID
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    guest_name: str | None = None
    guests: int | None = None
    rate_plan: strawberry.ID | None = strawberry.field(
        default=None, description="Move the booking to another plan of its accommodation (re-quoted)."
    )


@strawberry.input(description="Staff name the booking by id; guests by reference and e-mail. Every change is optional.")
class ChangeBookingInput:
    id: strawberry.ID | None = strawberry.field(default=None, description="Staff only.")
    reference: str | None = None
    email: str | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    guests: int | None = None
    rate_plan: strawberry.ID | None = None
    expected_total_price: decimal.Decimal | None = strawberry.field(
        default=None, description="The new total the guest was shown: a different one is refused with PriceChanged."
    )
