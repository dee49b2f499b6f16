"""Webhook mode: a job submitted to the provider (AssemblyAI), finished by its callback or, when the
callback is overdue, by looking the job up. The worker is free as soon as the job is submitted."""
from __future__ import annotations

import logging
import time

from django.conf import settings
from django.utils import timezone

from ..models import TranscriptionStatus, VoiceNote
from ..transcribers import get_transcriber
from ..transcribers.base import (
    PermanentTranscriptionError,
    SubmittingTranscriber,
    Transcriber,
    TransientTranscriptionError,
)
from .messages import LOOKUP_ACTOR, send
from .outcomes import booking_of, language_plan, mark_completed, mark_failed

logger = logging.getLogger(__package__)  # "voice.services": one logger for the whole pipeline


def webhook_mode(transcriber: Transcriber) -> bool:
    return bool(settings.ASSEMBLYAI_WEBHOOK_URL) and isinstance(transcriber, SubmittingTranscriber)


def mark_submitted(note: VoiceNote, *, provider: str, job_id: str, context: dict) -> None:
    """PROCESSING with the provider's job id: the worker is free; the webhook finishes the note."""
    saved = VoiceNote.objects.filter(pk=note.pk, status=TranscriptionStatus.PROCESSING).update(
        provider=provider, provider_job_id=job_id, updated_at=timezone.now()
    )
    note.provider, note.provider_job_id = provider, job_id
    logger.info("voice_note.submitted" if saved else "voice_note.submitted_but_gone",
                extra={**context, "provider_job_id": job_id})
    if saved:
        _schedule_lookup(note, lookup=1)


def _schedule_lookup(note: VoiceNote, *, lookup: int) -> None:
    """In case the webhook never comes (lost, our endpoint down): look the job up after a timeout."""
    delay_ms = int(settings.ASSEMBLYAI_WEBHOOK_TIMEOUT_SECONDS * 1000)
    try:
        send(LOOKUP_ACTOR, (note.pk, note.provider_job_id, lookup), delay_ms=delay_ms)
    except Exception:
        logger.exception("voice_note.lookup_schedule_failed", extra={**note.log_context, "lookup": lookup})


def collect_submitted(*, note: VoiceNote, transcriber: SubmittingTranscriber | None = None) -> str:
    """Fetch a submitted job's result once and record it, idempotently: a note that is no longer
    waiting is left alone. Answers completed, failed, processing or already_finished; transient
    provider errors propagate (the caller decides when to try again)."""
    if note.status != TranscriptionStatus.PROCESSING or not note.provider_job_id:
        return "already_finished"
    transcriber = transcriber or get_transcriber(note.provider)
    context = {**note.log_context, "provider": transcriber.name, "provider_job_id": note.provider_job_id}
    started = time.monotonic()
    try:
        transcript = transcriber.fetch(note.provider_job_id)
    except PermanentTranscriptionError as exc:
        mark_failed(note, provider=transcriber.name, error=str(exc), context=context)
        return "failed"
    if transcript is None:
        return "processing"
    plan = language_plan(note, booking_of(note))
    mark_completed(note, provider=transcriber.name, transcript=transcript, context=context, started=started, plan=plan)
    return "completed"


def handle_provider_callback(*, provider: str, job_id: str) -> str:
    """A provider says a job is done: fetch its result by id and finish the note (once).
    Raises VoiceNote.DoesNotExist for a job no note is waiting on or was finished by."""
    note = VoiceNote.objects.filter(provider=provider, provider_job_id=job_id).exclude(provider_job_id="").first()
    if note is None:
        raise VoiceNote.DoesNotExist(f"No voice note has {provider} job {job_id!r}.")
    outcome = collect_submitted(note=note)
    logger.info("voice_note.callback", extra={**note.log_context, "provider": provider,
                                               "provider_job_id": job_id, "outcome": outcome})
    return outcome


def look_up_overdue(*, note_id: int, job_id: str, lookup: int) -> str:
    """The webhook has not come in time: ask the provider directly, and again later if needed."""
    note = VoiceNote.objects.filter(pk=note_id, provider_job_id=job_id).first()
    if note is None or note.status != TranscriptionStatus.PROCESSING:
        return "already_finished"  # the webhook (or an earlier lookup) did it
    context = {**note.log_context, "provider": note.provider, "provider_job_id": job_id, "lookup": lookup}
    logger.warning("voice_note.callback_overdue", extra=context)
    try:
        outcome = collect_submitted(note=note)
    except TransientTranscriptionError as exc:
        logger.warning("voice_note.lookup_failed", extra={**context, "error": str(exc)})
        outcome = "processing"
    if outcome != "processing":
        return outcome
    if lookup >= settings.ASSEMBLYAI_WEBHOOK_MAX_LOOKUPS:
        mark_failed(note, provider=note.provider, context=context, error=(
            f"{note.provider} had not finished job {job_id} after {lookup} lookups and no webhook came; "
            "retry the transcription."))
        return "failed"
    _schedule_lookup(note, lookup=lookup + 1)
    return "processing"
