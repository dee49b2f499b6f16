"""GraphQL shapes of the catalog. Thin: fields only, no rules."""
from __future__ import annotations

import datetime
import decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
import strawberry_django
from strawberry import auto
from strawberry.types import Info
from strawberry_django.permissions import IsStaff

from booking_graph.graphql.loaders import batched, track_loaded_rows
from bookings import services as booking_services  # the API may read any app's domain

from .. import models, services

# Every place a GraphQL request loads (a list, the places of its bookings, a search page) is a
# pending row of the request's loader: nextAvailableDate/availability answer them together.
PLACES = "accommodation"
track_loaded_rows(PLACES, models.Accommodation, models.Hotel, models.Apartment)

if TYPE_CHECKING:
    from bookings.graphql.types import AvailabilityDayType, BookingType

AccommodationKind = strawberry.enum(models.AccommodationKind, name="AccommodationKind")


@strawberry_django.filter_type(models.Accommodation, lookups=True)
class AccommodationFilter:
    kind: AccommodationKind | None = strawberry_django.filter_field(filter_none=False)
    name: auto
    location: auto
    price: auto


@strawberry_django.filter_type(models.Hotel, lookups=True)
class HotelFilter:
    name: auto
    location: auto
    price: auto
    rooms: auto
    stars: auto
    max_guests_per_room: auto


@strawberry_django.filter_type(models.Apartment, lookups=True)
class ApartmentFilter:
    name: auto
    location: auto
    price: auto
    bedrooms: auto
    max_guests: auto


@strawberry_django.order_type(models.Accommodation)
class AccommodationOrder:
    id: auto
    name: auto
    location: auto
    price: auto
    created_at: auto


@strawberry_django.order_type(models.Hotel)
class HotelOrder(AccommodationOrder):
    rooms: auto
    stars: auto


@strawberry_django.order_type(models.Apartment)
class ApartmentOrder(AccommodationOrder):
    bedrooms: auto
    max_guests: auto


@strawberry.type(name="CancellationPolicy", description="What cancelling a booking made under a plan costs.")
class CancellationPolicyType:
    refundable: bool
    free_cancellation_days: int | None = strawberry.field(
        description="Free cancellation until this many days before the check-in time; null when non-refundable."
    )
    fee_percent: decimal.Decimal = strawberry.field(
        description="Share of the stay's total charged after the free window (100 when non-refundable)."
    )


@strawberry.type(name="RateDay", description="A plan's effective price and stay rules on one day.")
class RateDayType:
    date: datetime.date
    price: decimal.Decimal = strawberry.field(description="Price of the night starting this day.")
    min_stay: int = strawberry.field(description="Minimum nights of a stay arriving this day.")
    max_stay: int | None = strawberry.field(description="Maximum nights of a stay arriving this day; null: no limit.")
    closed_to_arrival: bool = strawberry.field(description="No stay may start this day.")
    closed_to_departure: bool = strawberry.field(description="No stay may end (check out) this day.")
    stop_sell: bool = strawberry.field(description="The night of this day is not sold.")


@strawberry.type(name="RateCalendar", description="A plan and its effective calendar over a window.")
class RateCalendarType:
    rate_plan: RatePlanType
    days: list[RateDayType]


def visible_parent(root: models.RatePlan, info: Info):  # typed by the field it resolves (RatePlanType.parent)
    """An inactive parent stays hidden from guests, like an inactive plan everywhere else."""
    parent = root.parent
    return parent if parent is None or parent.active or is_staff(info) else None


@strawberry_django.type(models.RatePlan, name="RatePlan")
class RatePlanType:
    id: strawberry.ID
    code: str
    name: str
    active: bool
    is_default: bool = strawberry_django.field(description="The plan used when a client names none.")
    parent: RatePlanType | None = strawberry_django.field(
        resolver=visible_parent, select_related=["parent"],
        description="The plan this one derives its prices from.",
    )
    adjustment_percent: decimal.Decimal | None = strawberry_django.field(
        description="Derived plans: price = parent's price x (1 + adjustmentPercent / 100), rounded per night."
    )

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        # Guests see the plans on sale; staff also the inactive ones.
        return queryset if is_staff(info) else queryset.filter(active=True)

    @strawberry_django.field(only=["refundable", "free_cancellation_days", "fee_percent"])
    def cancellation_policy(self, root: models.RatePlan) -> CancellationPolicyType:
        return CancellationPolicyType(
            refundable=root.refundable, free_cancellation_days=root.free_cancellation_days, fee_percent=root.fee_percent
        )

    @strawberry_django.field(description="The plan's effective values, one entry per day of [start, end).")
    def calendar(self, root: models.RatePlan, start: datetime.date, end: datetime.date) -> list[RateDayType]:
        return services.rate_calendar(rate_plan_id=root.pk, start=start, end=end)


def is_staff(info: Info) -> bool:
    user = info.context.request.user
    return bool(user.is_authenticated and user.is_staff)


@strawberry_django.interface(models.Accommodation, name="Accommodation")
class AccommodationType:
    id: strawberry.ID
    kind: AccommodationKind
    name: str
    description: str
    price: decimal.Decimal = strawberry_django.field(description="Price per night.")
    location: str
    time_zone: str
    check_in_time: datetime.time
    created_at: datetime.datetime
    updated_at: datetime.datetime

    bookings: list[Annotated[BookingType, strawberry.lazy("bookings.graphql.types")]] = strawberry_django.field(
        extensions=[IsStaff(fail_silently=False)], description="Staff only."
    )
    rate_plans: list[RatePlanType] = strawberry_django.field(
        description="The plans this place sells through (the default first); staff also see inactive ones."
    )

    @strawberry_django.field(
        only=["kind", "name"],
        description=(
            "Earliest day >= date (and >= today) on which a stay of `nights` nights can be booked: capacity and "
            "every rule of the plan (the default plan unless `ratePlan` is given)."
        ),
    )
    def next_available_date(
        self, root: models.Accommodation, info: Info, date: datetime.date, nights: int = 1, rate_plan: strawberry.ID | None = None
    ) -> datetime.date:
        if rate_plan is not None:
            return booking_services.next_available_date(accommodation=root, date=date, nights=nights, rate_plan_id=rate_plan)
        # On a list, the first row asked answers for every place the request loaded (loaders.py):
        # a constant number of statements whatever the length of the list.
        return batched(
            info, PLACES, root, ("next_available_date", date, nights),
            lambda places: booking_services.next_available_dates(accommodations=places, date=date, nights=nights),
        )

    @strawberry_django.field(
        only=["kind", "name"],
        description="One entry per day of [start, end): free units, and the plan's price and arrival rules that day.",
    )
    def availability(
        self, root: models.Accommodation, info: Info, start: datetime.date, end: datetime.date,
        rate_plan: strawberry.ID | None = None,
    ) -> list[Annotated[AvailabilityDayType, strawberry.lazy("bookings.graphql.types")]]:
        if rate_plan is not None:
            return booking_services.availability(
                accommodation=root, start=start, end=end, rate_plan_id=rate_plan, include_inactive=is_staff(info)
            )
        return batched(
            info, PLACES, root, ("availability", start, end),
            lambda places: booking_services.availabilities(accommodations=places, start=start, end=end),
        )


@strawberry_django.type(models.Hotel, name="Hotel")
class HotelType(AccommodationType):
    rooms: int = strawberry_django.field(description="Number of bookable rooms.")
    stars: int | None
    max_guests_per_room: int = strawberry_django.field(
        description="Guests one room takes; a booking is one room, so this caps a booking's guests."
    )


@strawberry_django.type(models.Apartment, name="Apartment")
class ApartmentType(AccommodationType):
    bedrooms: int
    max_guests: int
