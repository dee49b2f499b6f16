from __future__ import annotations

import datetime

import strawberry


@strawberry.input
class BookingInput:
    accommodation: strawberry.ID
    start_date: datetime.date = strawberry.field(description="Check-in day.")
    end_date: datetime.date = strawberry.field(description="Check-out day (the stay is [startDate, endDate)).")
    guest_name: str


@strawberry.input
class BookingPartialInput:
    id: strawberry.ID
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    guest_name: str | None = None
