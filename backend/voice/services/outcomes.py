"""Recording a provider's answer on a PROCESSING note: COMPLETED (redacted, searchable) or FAILED.

Shared by the worker (`transcription`) and submitted jobs (`provider_jobs`): both finish a note the
same way, and only the attempt or job the outcome belongs to.
"""
from __future__ import annotations

import logging
import time

from django.utils import timezone

from bookings.models import Booking

from .. import languages, live
from ..models import TranscriptionStatus, VoiceNote
from ..transcribers.base import Transcript
from .transcript_text import clean_transcript, search_vector_of

logger = logging.getLogger(__package__)  # "voice.services": one logger for the whole pipeline


def booking_of(note: VoiceNote) -> Booking:
    return Booking.objects.select_related("accommodation").get(pk=note.booking_id)


def language_plan(note: VoiceNote, booking: Booking) -> languages.LanguagePlan:
    return languages.plan(accommodation=booking.accommodation, requested=note.requested_language)


def finish(note: VoiceNote, *, search_vector=None, **fields) -> bool:
    """Write the outcome unless the note was deleted, finished or re-submitted meanwhile.
    ``search_vector`` (an SQL expression) is written with it but not copied onto ``note``."""
    fields["updated_at"] = timezone.now()
    current = VoiceNote.objects.filter(pk=note.pk, status=TranscriptionStatus.PROCESSING)
    if note.provider_job_id:  # webhook mode: only the job this outcome belongs to
        current = current.filter(provider_job_id=note.provider_job_id)
    updated = current.update(**fields, **({"search_vector": search_vector} if search_vector is not None else {}))
    for name, value in fields.items():
        setattr(note, name, value)
    if updated:
        live.publish_change(note, event=str(note.status).lower())
    return bool(updated)


def mark_completed(
    note: VoiceNote, *, provider: str, transcript: Transcript, context: dict, started: float,
    plan: languages.LanguagePlan,
) -> None:
    language = languages.base_code(transcript.language) or (plan.candidates[0] if len(plan.candidates) == 1 else "")
    extra = {**note.extra, **transcript.extra}
    # Redacted here, between the provider and the database: nothing below sees the original text.
    clean = clean_transcript(transcript.text, list(extra.get("segments") or []), language=language)
    if "segments" in extra:
        extra["segments"] = clean.segments
    source = plan.source if plan.candidates else languages.Source.PROVIDER
    saved = finish(
        note,
        search_vector=search_vector_of(clean.text, language=language),
        status=TranscriptionStatus.COMPLETED,
        transcript=clean.text,
        confidence=transcript.confidence,
        language=language,
        language_source=source,
        redactions=clean.redactions,
        provider=provider,
        provider_job_id=transcript.provider_job_id,
        extra=extra,
        error="",
        transcribed_at=timezone.now(),
    )
    seconds = round(time.monotonic() - started, 3)
    event = "voice_note.completed" if saved else "voice_note.completed_but_gone"
    logger.info(event, extra={**context, "status": note.status, "duration": seconds, "chars": len(clean.text),
                              "language": language, "language_source": source, "redacted": clean.redactions})


def mark_failed(note: VoiceNote, *, provider: str, error: str, context: dict) -> None:
    finish(note, status=TranscriptionStatus.FAILED, provider=provider, error=error[:2000])
    logger.warning("voice_note.failed", extra={**context, "status": note.status, "error": error})
