"""GraphQL shapes of the catalog. Thin: fields only, no rules."""
from __future__ import annotations

import datetime
import decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
import strawberry_django
from strawberry import auto
from strawberry_django.permissions import IsStaff

from bookings import services as booking_services  # the API may read any app's domain

from .. import models
from ..batches import batch_of

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


@strawberry_django.interface(models.Accommodation, name="Accommodation")
class AccommodationType:
    id: strawberry.ID
    kind: AccommodationKind
    name: str
    description: str
    price: decimal.Decimal = strawberry_django.field(description="Price per night.")
    location: str
    created_at: datetime.datetime
    updated_at: datetime.datetime

    bookings: list[Annotated[BookingType, strawberry.lazy("bookings.graphql.types")]] = strawberry_django.field(
        extensions=[IsStaff(fail_silently=False)], description="Staff only."
    )

    @strawberry_django.field(
        only=["kind"], description="Earliest day >= date (and >= today) from which `nights` nights can be booked."
    )
    def next_available_date(self, root: models.Accommodation, date: datetime.date, nights: int = 1) -> datetime.date:
        # On a list, the first row asked answers for every row fetched with it (catalog.batches):
        # a constant number of statements whatever the length of the list.
        answers = batch_of(root).answer(
            ("next_available_date", date, nights),
            lambda places: booking_services.next_available_dates(accommodations=places, date=date, nights=nights),
        )
        return answers[root.pk]

    @strawberry_django.field(only=["kind"], description="One entry per day of [start, end).")
    def availability(
        self, root: models.Accommodation, start: datetime.date, end: datetime.date
    ) -> list[Annotated[AvailabilityDayType, strawberry.lazy("bookings.graphql.types")]]:
        calendars = batch_of(root).answer(
            ("availability", start, end),
            lambda places: booking_services.availabilities(accommodations=places, start=start, end=end),
        )
        return calendars[root.pk]


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
