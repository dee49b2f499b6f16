"""Mutation inputs. Validation happens in the services, not here."""
from __future__ import annotations

import datetime
import decimal

import strawberry

TIME_ZONE_HELP = "IANA time zone of the property (default: the server's TIME_ZONE); its 'today' and deadlines use it."
CHECK_IN_HELP = "Local check-in time (default 15:00); free-cancellation deadlines count back from it."


@strawberry.input
class HotelInput:
    name: str
    location: str
    price: decimal.Decimal
    rooms: int
    description: str = ""
    stars: int | None = None
    max_guests_per_room: int = strawberry.field(
        default=2, description="Guests one room takes (1 to 20); a booking is one room."
    )
    time_zone: str | None = strawberry.field(default=None, description=TIME_ZONE_HELP)
    check_in_time: datetime.time | None = strawberry.field(default=None, description=CHECK_IN_HELP)


@strawberry.input
class HotelPartialInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    location: str | None = strawberry.UNSET
    price: decimal.Decimal | None = strawberry.UNSET
    rooms: int | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    stars: int | None = strawberry.UNSET
    max_guests_per_room: int | None = strawberry.UNSET
    time_zone: str | None = strawberry.UNSET
    check_in_time: datetime.time | None = strawberry.UNSET


@strawberry.input
class ApartmentInput:
    name: str
    location: str
    price: decimal.Decimal
    bedrooms: int
    max_guests: int
    description: str = ""
    time_zone: str | None = strawberry.field(default=None, description=TIME_ZONE_HELP)
    check_in_time: datetime.time | None = strawberry.field(default=None, description=CHECK_IN_HELP)


@strawberry.input
class ApartmentPartialInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    location: str | None = strawberry.UNSET
    price: decimal.Decimal | None = strawberry.UNSET
    bedrooms: int | None = strawberry.UNSET
    max_guests: int | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    time_zone: str | None = strawberry.UNSET
    check_in_time: datetime.time | None = strawberry.UNSET


@strawberry.input(description="A new rate plan; refundable until check-in (freeCancellationDays 0) unless told otherwise.")
class RatePlanInput:
    accommodation: strawberry.ID
    code: str = strawberry.field(description="Stable code, unique per accommodation (letters, digits, - and _).")
    name: str
    active: bool = True
    parent: strawberry.ID | None = strawberry.field(default=None, description="Derive prices from this plan.")
    adjustment_percent: decimal.Decimal | None = strawberry.field(
        default=None, description="With parent: e.g. -10 sells at the parent's price minus 10 %."
    )
    refundable: bool = True
    free_cancellation_days: int | None = strawberry.field(
        default=None, description="Refundable plans: free until this many days before check-in (default 0)."
    )
    fee_percent: decimal.Decimal | None = strawberry.field(
        default=None, description="Share of the total charged after the free window (default and non-refundable: 100)."
    )


@strawberry.input
class RatePlanPartialInput:
    id: strawberry.ID
    code: str | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    active: bool | None = strawberry.UNSET
    parent: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="null makes the plan price itself.")
    adjustment_percent: decimal.Decimal | None = strawberry.UNSET
    refundable: bool | None = strawberry.UNSET
    free_cancellation_days: int | None = strawberry.UNSET
    fee_percent: decimal.Decimal | None = strawberry.UNSET


@strawberry.input(description="Names one object by its id.")
class NodeInput:
    id: strawberry.ID


def provided_fields(data: object, *, exclude: tuple[str, ...] = ("id",)) -> dict:
    """The fields a partial input actually carried (UNSET ones are left out)."""
    return {
        key: value
        for key, value in vars(data).items()
        if key not in exclude and value is not strawberry.UNSET
    }
