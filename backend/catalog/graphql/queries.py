from __future__ import annotations

import strawberry
import strawberry_django
from strawberry.types import Info

from booking_graph.domain import find_or_none
from booking_graph.graphql.pagination import paginated_list
from booking_graph.graphql.ratelimits import public_read_limit

from .. import models
from .types import (
    AccommodationFilter,
    AccommodationOrder,
    AccommodationType,
    ApartmentFilter,
    ApartmentOrder,
    ApartmentType,
    HotelFilter,
    HotelOrder,
    HotelType,
    RatePlanType,
)


@strawberry.type
class Query:
    accommodations: list[AccommodationType] = paginated_list(
        filters=AccommodationFilter,
        ordering=AccommodationOrder,
        description="Hotels and apartments together; each row is its concrete type.",
        extensions=[public_read_limit()],
    )
    hotels: list[HotelType] = paginated_list(filters=HotelFilter, ordering=HotelOrder, extensions=[public_read_limit()])
    apartments: list[ApartmentType] = paginated_list(
        filters=ApartmentFilter, ordering=ApartmentOrder, extensions=[public_read_limit()]
    )

    @strawberry_django.field(extensions=[public_read_limit()])
    def accommodation(self, id: strawberry.ID) -> AccommodationType | None:
        return find_or_none(models.Accommodation.objects.select_subclasses(), id)

    @strawberry_django.field(extensions=[public_read_limit()], description="A plan on sale (staff: any plan).")
    def rate_plan(self, info: Info, id: strawberry.ID) -> RatePlanType | None:
        return find_or_none(RatePlanType.get_queryset(models.RatePlan.objects.all(), info), id)

    @strawberry_django.field(extensions=[public_read_limit()])
    def hotel(self, id: strawberry.ID) -> HotelType | None:
        return find_or_none(models.Hotel.objects.all(), id)

    @strawberry_django.field(extensions=[public_read_limit()])
    def apartment(self, id: strawberry.ID) -> ApartmentType | None:
        return find_or_none(models.Apartment.objects.all(), id)
