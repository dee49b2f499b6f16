from __future__ import annotations

import decimal

import strawberry
import strawberry_django
from django.core.exceptions import PermissionDenied
from strawberry.types import Info
from strawberry_django.permissions import IsStaff

from booking_graph.graphql.ratelimits import RateLimit, by_argument

from .. import revisions, services
from .inputs import BookingInput, BookingPartialInput, ChangeBookingInput
from .types import BookingChangeType, BookingType, GuestBookingType, PriceChangedType, price_changed


_by_reference = by_argument("reference")


def by_reference_tried(request, arguments: dict) -> str:
    """The reference a call names: an argument of its own, or inside changeBooking's `data`."""
    data = arguments.get("data")
    reference = getattr(data, "reference", None) if data is not None else arguments.get("reference")
    return _by_reference(request, {"reference": reference or ""})


def guest_limits() -> list[RateLimit]:
    """Per client address and per reference tried: guessing references (or e-mails) is slow either way."""
    return [
        RateLimit("guest_booking_address", anonymous_only=True),
        RateLimit("guest_booking_reference", key=by_reference_tried, anonymous_only=True),
    ]


def is_staff(info: Info) -> bool:
    user = info.context.request.user
    return bool(user.is_authenticated and user.is_staff)


def actor_of(info: Info) -> str:
    """Who a revision names: staff by username; anyone else acts as the guest."""
    user = info.context.request.user
    return revisions.staff_actor(user.get_username()) if is_staff(info) else revisions.GUEST


@strawberry.type
class Mutation:
    @strawberry_django.mutation(
        extensions=[RateLimit("create_booking", anonymous_only=True)],
        description=(
            "Public: guests book for themselves (rate limited per client address). "
            "Retry safely with an idempotencyKey."
        ),
    )
    def create_booking(self, info: Info, data: BookingInput) -> BookingType | PriceChangedType:
        try:
            return services.create_booking_counted(
                accommodation_id=data.accommodation,
                start_date=data.start_date,
                end_date=data.end_date,
                guest_name=data.guest_name,
                guests=data.guests,
                idempotency_key=data.idempotency_key,
                rate_plan_id=data.rate_plan,
                guest_email=data.guest_email,
                hold=data.hold,
                expected_total_price=data.expected_total_price,
                actor=actor_of(info),
            )
        except services.PriceChanged as changed:
            return price_changed(changed)

    @strawberry_django.mutation(extensions=[IsStaff()])
    def update_booking(self, info: Info, data: BookingPartialInput) -> BookingType:
        return services.update_booking(
            booking_id=data.id,
            start_date=data.start_date,
            end_date=data.end_date,
            guest_name=data.guest_name,
            guests=data.guests,
            rate_plan_id=data.rate_plan,
            actor=actor_of(info),
        )

    @strawberry_django.mutation(
        extensions=[IsStaff()], description="Cancel under the booking's own terms; the answer carries the fee that applied."
    )
    def cancel_booking(self, info: Info, id: strawberry.ID) -> BookingType:
        return services.cancel_booking(booking_id=id, actor=actor_of(info))

    @strawberry_django.mutation(
        extensions=guest_limits(),
        description=(
            "Public: confirm a live hold at the held price. A lapsed hold is refused (hold_expired); with "
            "expectedTotalPrice, a different total is refused with PriceChanged."
        ),
    )
    def confirm_booking(
        self, info: Info, reference: str, email: str, expected_total_price: decimal.Decimal | None = None
    ) -> GuestBookingType | PriceChangedType:
        try:
            return services.confirm_booking(
                reference=reference, email=email, expected_total_price=expected_total_price, actor=actor_of(info)
            )
        except services.PriceChanged as changed:
            return price_changed(changed)

    @strawberry_django.mutation(
        extensions=guest_limits(),
        description="Public: the guest cancels their booking under its terms; the answer carries the fee.",
    )
    def cancel_guest_booking(self, info: Info, reference: str, email: str) -> GuestBookingType:
        return services.cancel_guest_booking(reference=reference, email=email, actor=actor_of(info))

    @strawberry_django.mutation(
        extensions=guest_limits(),
        description=(
            "Move the dates, change the guests or the plan of a held or confirmed booking: staff by id, guests by "
            "reference and e-mail. Re-quoted under today's rates and rules (nights kept from the old stay keep their "
            "agreed price unless the plan changes); atomic; answers the new total and the difference."
        ),
    )
    def change_booking(self, info: Info, data: ChangeBookingInput) -> BookingChangeType | PriceChangedType:
        if data.id is not None and not is_staff(info):
            raise PermissionDenied("Only staff change a booking by id; guests use reference and email.")
        try:
            change = services.change_booking(
                booking_id=data.id, reference=data.reference, email=data.email, start_date=data.start_date,
                end_date=data.end_date, guests=data.guests, rate_plan_id=data.rate_plan,
                expected_total_price=data.expected_total_price, actor=actor_of(info),
            )
        except services.PriceChanged as changed:
            return price_changed(changed)
        return BookingChangeType(
            booking=change.booking, previous_total_price=change.previous_total_price,
            total_price=change.booking.total_price, difference=change.difference,
        )

