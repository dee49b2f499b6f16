from __future__ import annotations

import strawberry
import strawberry_django
from strawberry_django.permissions import IsStaff

from booking_graph.graphql.ratelimits import RateLimit
from booking_graph.metrics import counted_booking

from .. import services
from .inputs import BookingInput, BookingPartialInput
from .types import BookingType


@strawberry.type
class Mutation:
    @strawberry_django.mutation(
        extensions=[RateLimit("create_booking", anonymous_only=True)],
        description=(
            "Public: guests book for themselves (rate limited per client address). "
            "Retry safely with an idempotencyKey."
        ),
    )
    def create_booking(self, data: BookingInput) -> BookingType:
        return counted_booking(lambda: services.create_booking(
            accommodation_id=data.accommodation,
            start_date=data.start_date,
            end_date=data.end_date,
            guest_name=data.guest_name,
            guests=data.guests,
            idempotency_key=data.idempotency_key,
            rate_plan_id=data.rate_plan,
        ))

    @strawberry_django.mutation(extensions=[IsStaff()])
    def update_booking(self, data: BookingPartialInput) -> BookingType:
        return services.update_booking(
            booking_id=data.id,
            start_date=data.start_date,
            end_date=data.end_date,
            guest_name=data.guest_name,
            guests=data.guests,
            rate_plan_id=data.rate_plan,
        )

    @strawberry_django.mutation(
        extensions=[IsStaff()], description="Cancel under the booking's own terms; the answer carries the fee that applied."
    )
    def cancel_booking(self, id: strawberry.ID) -> BookingType:
        return services.cancel_booking(booking_id=id)
