"""Erasure of one booking's personal data (a guest's request under data-protection law).

The guest's name and e-mail are anonymised in place (the booking keeps blocking its nights and its price, so
availability and accounting stay right); every voice note of the booking is deleted with its
audio (the transcripts may name the guest). Lives in voice because it spans both apps and voice
builds on bookings, never the reverse.
"""
from __future__ import annotations

import logging

from django.db import transaction

from bookings import services as booking_services
from bookings.models import Booking

from .services.staff_actions import delete_voice_notes
from .services.uploads import actor_of_author

logger = logging.getLogger(__name__)


@transaction.atomic
def erase_booking_personal_data(*, booking_id: object, erased_by=None) -> Booking:
    booking = booking_services.anonymise_guest(booking_id=booking_id, actor=actor_of_author(erased_by))
    deleted = delete_voice_notes(notes=booking.voice_notes.all())
    logger.warning(
        "booking.personal_data_erased",
        extra={"booking_id": booking.pk, "voice_notes_deleted": deleted,
               "erased_by": getattr(erased_by, "pk", None)},
    )
    return booking
