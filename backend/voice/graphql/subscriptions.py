from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from asgiref.sync import sync_to_async
from django.core.exceptions import ValidationError
from strawberry.types import Info
from strawberry_django.permissions import IsStaff

from booking_graph.domain import get_or_not_found
from booking_graph.graphql.errors import to_graphql_error
from bookings.models import Booking

from .. import live
from .types import VoiceNoteType


@sync_to_async
def _booking_id(booking: strawberry.ID) -> int:
    try:
        return get_or_not_found(Booking.objects.only("pk"), booking, field="booking").pk
    except ValidationError as exc:
        # Raised before the first event, outside the execution context that translates domain errors.
        raise to_graphql_error(exc) from exc


@strawberry.type
class Subscription:
    @strawberry.subscription(
        extensions=[IsStaff(fail_silently=False)],
        description="The booking's voice notes as they are created and change status or transcript (staff only).",
    )
    async def voice_note_updates(self, info: Info, booking: strawberry.ID) -> AsyncGenerator[VoiceNoteType, None]:
        booking_id = await _booking_id(booking)
        consumer = info.context.ws
        async with consumer.listen_to_channel(live.EVENT_TYPE, groups=[live.booking_group(booking_id)]) as messages:
            async for message in messages:
                yield live.from_snapshot(message["note"])
