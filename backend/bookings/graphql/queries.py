from __future__ import annotations

import datetime
import decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
import strawberry_django
from strawberry.types import Info
from strawberry_django.permissions import IsStaff

from booking_graph.domain import find_or_none
from booking_graph.graphql.pagination import page_bounds, paginated_list
from booking_graph.graphql.ratelimits import public_read_limit
from catalog.graphql.types import is_staff

from .. import selectors, services
from ..models import Booking
from .mutations import guest_limits
from .types import AvailabilityDayType, BookingFilter, BookingOrder, BookingType, GuestBookingType, StayOfferType

if TYPE_CHECKING:
    from strawberry_django.pagination import OffsetPaginationInput

    from catalog.graphql.types import AccommodationKind


@strawberry.type
class Query:
    bookings: list[BookingType] = paginated_list(
        filters=BookingFilter,
        ordering=BookingOrder,
        extensions=[IsStaff(fail_silently=False)],
        description="Staff only: guest names are personal data.",
    )

    @strawberry_django.field(extensions=[IsStaff(fail_silently=False)])
    def booking(self, id: strawberry.ID) -> BookingType | None:
        return find_or_none(Booking.objects.all(), id)

    @strawberry_django.field(
        extensions=guest_limits(),
        description="Public: the booking with this reference and guest e-mail; null when either does not match.",
    )
    def guest_booking(self, reference: str, email: str) -> GuestBookingType | None:
        return selectors.guest_booking(reference=reference, email=email)

    @strawberry_django.field(
        extensions=[public_read_limit()],
        description=(
            "Earliest day >= date (and >= today) on which a stay of `nights` nights can be booked: capacity and every "
            "rule of the plan (the default plan unless `ratePlan` is given)."
        ),
    )
    def next_available_date(
        self, id: strawberry.ID, date: datetime.date, nights: int = 1, rate_plan: strawberry.ID | None = None
    ) -> datetime.date:
        return services.next_available_date(
            accommodation=selectors.get_accommodation(id), date=date, nights=nights, rate_plan_id=rate_plan
        )

    @strawberry_django.field(
        extensions=[public_read_limit()],
        description=(
            "One entry per day of [start, end): free units, and the plan's price and arrival rules that day "
            "(the default plan unless `ratePlan` is given)."
        ),
    )
    def availability(
        self, info: Info, id: strawberry.ID, start: datetime.date, end: datetime.date, rate_plan: strawberry.ID | None = None
    ) -> list[AvailabilityDayType]:
        return services.availability(
            accommodation=selectors.get_accommodation(id), start=start, end=end, rate_plan_id=rate_plan,
            include_inactive=is_staff(info),  # staff may preview a plan not on sale
        )

    @strawberry_django.field(
        extensions=[public_read_limit()],
        description=(
            "Public stay search: one offer per accommodation and rate plan on sale where a booking for "
            "[checkIn, checkOut) and `guests` would be accepted now (capacity and every stay rule), with the "
            "nightly prices and cancellation terms. Cheapest total first (then by place and plan); paginated like "
            "the other lists. `location` matches case-insensitively as a substring; `maxNightlyPrice` bounds the "
            "average price per night."
        ),
    )
    def search_stays(
        self,
        check_in: datetime.date,
        check_out: datetime.date,
        guests: int = 1,
        location: str | None = None,
        kind: Annotated[AccommodationKind, strawberry.lazy("catalog.graphql.types")] | None = None,
        max_nightly_price: decimal.Decimal | None = None,
        pagination: Annotated[OffsetPaginationInput, strawberry.lazy("strawberry_django.pagination")] | None = None,
    ) -> list[StayOfferType]:
        offset, limit = page_bounds(pagination)
        return services.search_stays(
            check_in=check_in,
            check_out=check_out,
            guests=guests,
            location=location,
            kind=kind,
            max_nightly_price=max_nightly_price,
            offset=offset,
            limit=limit,
        )
