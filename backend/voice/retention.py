"""Audio retention: the recording is deleted VOICE_AUDIO_RETENTION_DAYS after the stay's check-out
day; the transcript (and the row) stay. Run by the periodic sweep (voice.sweeper) and by
``manage.py purge_voice_audio``.
"""
from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bookings.selectors import today

from . import live
from .models import TranscriptionStatus, VoiceNote
from .services.stored_audio import delete_stored_audio_on_commit

logger = logging.getLogger(__name__)

BATCH = 500


def audio_expiry_cutoff(*, on: datetime.date | None = None) -> datetime.date:
    """Audio of stays that checked out before this day is past its retention."""
    return (on or today()) - datetime.timedelta(days=settings.VOICE_AUDIO_RETENTION_DAYS)


def purge_expired_audio(*, on: datetime.date | None = None) -> int:
    cutoff = audio_expiry_cutoff(on=on)
    purged = 0
    with transaction.atomic():
        notes = list(
            VoiceNote.objects.select_for_update(skip_locked=True)
            .filter(booking__end_date__lt=cutoff, audio_deleted_at__isnull=True)
            # A transcription still running needs its audio: it is purged on a later sweep.
            .exclude(status__in=[TranscriptionStatus.PENDING, TranscriptionStatus.PROCESSING])
            .select_related("booking")
            .order_by("pk")[:BATCH]
        )
        for note in notes:
            name = note.audio.name
            delete_stored_audio_on_commit(note, name)
            note.audio, note.audio_deleted_at = "", timezone.now()
            note.save(update_fields=["audio", "audio_deleted_at", "updated_at"])
            live.publish_change(note, event="audio_deleted")
            logger.info("voice_note.audio_expired", extra={**note.log_context, "key": name,
                                                           "check_out": note.booking.end_date.isoformat()})
            purged += 1
    return purged
