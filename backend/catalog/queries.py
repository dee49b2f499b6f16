from __future__ import annotations

import strawberry
import strawberry_django

from booking_graph.errors import find_or_none

from . import models
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
)


@strawberry.type
class Query:
    accommodations: list[AccommodationType] = strawberry_django.field(
        filters=AccommodationFilter,
        ordering=AccommodationOrder,
        pagination=True,
        description="Hotels and apartments together; each row is its concrete type.",
    )
    hotels: list[HotelType] = strawberry_django.field(filters=HotelFilter, ordering=HotelOrder, pagination=True)
    apartments: list[ApartmentType] = strawberry_django.field(
        filters=ApartmentFilter, ordering=ApartmentOrder, pagination=True
    )

    @strawberry_django.field
    def accommodation(self, id: strawberry.ID) -> AccommodationType | None:
        return find_or_none(models.Accommodation.objects.select_subclasses(), id)

    @strawberry_django.field
    def hotel(self, id: strawberry.ID) -> HotelType | None:
        return find_or_none(models.Hotel.objects.all(), id)

    @strawberry_django.field
    def apartment(self, id: strawberry.ID) -> ApartmentType | None:
        return find_or_none(models.Apartment.objects.all(), id)
