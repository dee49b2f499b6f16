"""GraphQL shapes of bookings and availability."""
from __future__ import annotations

import datetime
import decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
import strawberry_django
from strawberry.scalars import JSON
from django.core.exceptions import ValidationError
from django.db.models import Q
from strawberry import auto
from strawberry_django.permissions import IsStaff

from booking_graph.domain import parse_pk
from catalog.models import Accommodation, Apartment, Hotel

from .. import models
from ..errors import BookingErrorCode

if TYPE_CHECKING:
    from catalog.graphql.types import AccommodationType, RatePlanType
    from voice.graphql.types import VoiceNoteType

BookingStatus = strawberry.enum(models.BookingStatus, name="BookingStatus")

# The concrete Hotel/Apartment comes from one join; every column is loaded so no field of
# either type (nor `kind`, used to pick the type) is deferred into a query per row.
CONCRETE_ACCOMMODATION_COLUMNS = [
    f"accommodation__{path}{field.attname}"
    for path, model in (("", Accommodation), ("hotel__", Hotel), ("apartment__", Apartment))
    for field in model._meta.local_concrete_fields
]


@strawberry.type(name="AvailabilityDay")
class AvailabilityDayType:
    date: datetime.date
    available: bool = strawberry.field(description="The night can be sold: a unit is free and it is not stop-sell.")
    free_units: int = strawberry.field(description="Rooms left (hotel) or 0/1 (apartment) for this night.")
    price: decimal.Decimal | None = strawberry.field(description="The plan's price for this night.")
    min_stay: int | None = strawberry.field(description="Minimum nights of a stay arriving this day.")
    max_stay: int | None = strawberry.field(description="Maximum nights of a stay arriving this day; null: no limit.")
    closed_to_arrival: bool | None = strawberry.field(description="No stay may start this day.")
    closed_to_departure: bool | None = strawberry.field(description="No stay may end this day.")
    stop_sell: bool | None = strawberry.field(description="The night is not sold.")


@strawberry.type(name="NightPrice", description="The price of one night of a stay.")
class NightPriceType:
    date: datetime.date
    price: decimal.Decimal


def night_prices(rows: list[dict]) -> list[NightPriceType]:
    """A booking's stored breakdown ([{"date", "price"}]) as typed values."""
    return [NightPriceType(date=datetime.date.fromisoformat(row["date"]), price=decimal.Decimal(row["price"])) for row in rows]


@strawberry_django.filter_type(models.Booking, lookups=True)
class BookingFilter:
    status: BookingStatus | None = strawberry_django.filter_field(filter_none=False)
    start_date: auto
    end_date: auto
    guest_name: auto

    @strawberry_django.filter_field
    def accommodation_id(self, value: strawberry.ID, prefix: str) -> Q:
        # An id that cannot name a row ("abc", "1.5", 2**64) matches nothing, as an unknown one does.
        try:
            pk = parse_pk(value)
        except ValidationError:
            return Q(pk__in=[])
        return Q(**{f"{prefix}accommodation_id": pk})


@strawberry_django.order_type(models.Booking)
class BookingOrder:
    id: auto
    start_date: auto
    end_date: auto
    created_at: auto


def in_property_zone(moment: datetime.datetime | None, booking: models.Booking) -> datetime.datetime | None:
    """A deadline as the guest reads it: the property's local time, with its offset."""
    return None if moment is None else moment.astimezone(booking.accommodation.zone)


@strawberry_django.type(
    models.Booking, name="GuestBooking",
    description="A booking as its guest sees it (found by reference and e-mail): no other guest's data.",
)
class GuestBookingType:
    reference: str = strawberry_django.field(description="The guest's booking reference.")
    status: BookingStatus
    start_date: datetime.date
    end_date: datetime.date = strawberry_django.field(description="Check-out day: the stay is [startDate, endDate).")
    guests: int
    total_price: decimal.Decimal = strawberry_django.field(
        description="The sum of nightlyPrices as agreed when booked (or re-quoted by a change); later rate changes leave it."
    )
    rate_plan: Annotated[RatePlanType, strawberry.lazy("catalog.graphql.types")] = strawberry_django.field(
        description="The plan the stay was sold under."
    )
    cancellation_fee_percent: decimal.Decimal = strawberry_django.field(
        description="Share of the total a cancellation after the free window costs, as agreed."
    )
    cancellation_fee: decimal.Decimal | None = strawberry_django.field(
        description="What the cancellation cost (set when the booking is cancelled)."
    )

    @strawberry_django.field(only=["nightly_prices"], description="Each night's agreed price.")
    def nightly_prices(self, root: models.Booking) -> list[NightPriceType]:
        return night_prices(root.nightly_prices)

    # The model's property; the hint loads the columns it reads.
    nights: int = strawberry_django.field(only=["start_date", "end_date"], description="Nights of the stay.")

    @strawberry_django.field(
        select_related=["accommodation"], only=["free_cancellation_until", "accommodation__time_zone"],
        description="Last moment cancelling is free, in the property's time zone (null: a non-refundable plan).",
    )
    def free_cancellation_until(self, root: models.Booking) -> datetime.datetime | None:
        return in_property_zone(root.free_cancellation_until, root)

    @strawberry_django.field(
        select_related=["accommodation"], only=["expires_at", "accommodation__time_zone"],
        description="When a hold lapses, in the property's time zone (null unless HELD).",
    )
    def expires_at(self, root: models.Booking) -> datetime.datetime | None:
        return in_property_zone(root.expires_at, root)

    @strawberry_django.field(
        select_related=["accommodation__hotel", "accommodation__apartment"], only=CONCRETE_ACCOMMODATION_COLUMNS
    )
    def accommodation(
        self, root: models.Booking
    ) -> Annotated[AccommodationType, strawberry.lazy("catalog.graphql.types")]:
        place = root.accommodation
        # The children came with select_related: no extra query to get the concrete type.
        return place.hotel if place.is_hotel else place.apartment


@strawberry_django.type(models.BookingRevision, name="BookingRevision", description="One change to a booking.")
class BookingRevisionType:
    sequence: int = strawberry_django.field(description="1, 2, 3... per booking, in order.")
    at: datetime.datetime
    actor: str = strawberry_django.field(description='"staff:<username>", "guest" or "system".')
    action: str = strawberry_django.field(
        description="created, held, confirmed, expired, changed, cancelled, guest_data_erased or voice_note_added."
    )
    changes: JSON = strawberry_django.field(
        description='{"field": [before, after]}; the guest\'s name and e-mail appear only as "[personal data]".'
    )


@strawberry_django.type(models.Booking, name="Booking")
class BookingType(GuestBookingType):
    id: strawberry.ID
    guest_name: str
    guest_email: str = strawberry_django.field(description="The guest's e-mail (empty when none was given).")
    confirmed_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    voice_notes: list[Annotated[VoiceNoteType, strawberry.lazy("voice.graphql.types")]] = strawberry_django.field(
        extensions=[IsStaff(fail_silently=False)], description="Staff only. Newest first."
    )
    history: list[BookingRevisionType] = strawberry_django.field(
        field_name="revisions", extensions=[IsStaff(fail_silently=False)],
        description="Staff only. Every change, oldest first.",
    )


@strawberry.type(
    name="PriceChanged",
    description="Refused: the price is not the one the client expected. Show the new quote and ask again.",
)
class PriceChangedType:
    message: str
    code: str = strawberry.field(description="price_changed")
    expected_total_price: decimal.Decimal
    total_price: decimal.Decimal = strawberry.field(description="The current quote.")
    nightly_prices: list[NightPriceType]


def price_changed(error) -> PriceChangedType:
    return PriceChangedType(
        message=error.messages[0], code=BookingErrorCode.PRICE_CHANGED.value, expected_total_price=error.expected, total_price=error.total,
        nightly_prices=[NightPriceType(date=night.date, price=night.price) for night in error.nightly_prices],
    )


@strawberry.type(name="BookingChange", description="A booking after a change, and what the change did to its price.")
class BookingChangeType:
    booking: GuestBookingType
    previous_total_price: decimal.Decimal
    total_price: decimal.Decimal
    difference: decimal.Decimal = strawberry.field(description="totalPrice - previousTotalPrice (negative: a refund).")


@strawberry.type(
    name="StayOffer",
    description="A place where a booking for these dates and guests would be accepted now, and what it costs.",
)
class StayOfferType:
    accommodation: Annotated[AccommodationType, strawberry.lazy("catalog.graphql.types")]
    rate_plan: Annotated[RatePlanType, strawberry.lazy("catalog.graphql.types")]
    check_in: datetime.date
    check_out: datetime.date
    nights: int
    guests: int
    nightly_price: decimal.Decimal = strawberry.field(description="The average price per night (totalPrice / nights).")
    nightly_prices: list[NightPriceType] = strawberry.field(description="Each night's price under the plan.")
    total_price: decimal.Decimal = strawberry.field(description="The sum of nightlyPrices: what a booking now would cost.")
    free_units: int = strawberry.field(
        description="Rooms (hotel) or 1 (apartment) free on every night of the stay."
    )
    free_cancellation_until: datetime.datetime | None = strawberry.field(
        description="Last moment a booking made now could be cancelled free of charge; null when non-refundable."
    )
    cancellation_fee: decimal.Decimal = strawberry.field(
        description="What cancelling costs once the free window is over (the whole total when non-refundable)."
    )
