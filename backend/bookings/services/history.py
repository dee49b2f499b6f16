"""What other apps write into a booking's history: a voice note added, the guest's data erased."""
from __future__ import annotations

from django.db import transaction

from booking_graph.domain import get_or_not_found

from .. import revisions
from ..models import Booking


@transaction.atomic
def record_voice_note_added(*, booking_id: int, voice_note_id: int, actor: str) -> None:
    """A note attached to the booking is part of its history (voice calls this on upload)."""
    booking = Booking.objects.select_for_update().get(pk=booking_id)
    revisions.record(
        booking, actor=actor, action=revisions.Action.VOICE_NOTE_ADDED, before=revisions.snapshot(booking),
        extra={"voice_note": [None, voice_note_id]},
    )


# What an erased booking shows instead of the guest's name (the row keeps blocking its nights).
ERASED_GUEST_NAME = "[erased]"


@transaction.atomic
def anonymise_guest(*, booking_id: object, actor: str = revisions.SYSTEM) -> Booking:
    """The booking half of an erasure (voice.erasure deletes the notes): the guest's name and e-mail
    go (revisions never held them); idempotent."""
    booking = get_or_not_found(Booking.objects.select_for_update(), booking_id)
    if booking.guest_name == ERASED_GUEST_NAME and not booking.guest_email:
        return booking
    before = revisions.snapshot(booking)
    booking.guest_name = ERASED_GUEST_NAME
    booking.guest_email = ""
    booking.save(update_fields=["guest_name", "guest_email", "updated_at"])
    revisions.record(booking, actor=actor, action=revisions.Action.GUEST_DATA_ERASED, before=before)
    return booking
