"""One transcription attempt in the worker: claim (PROCESSING, attempt+1) -> transcribe ->
COMPLETED / back to PENDING for a retry / FAILED; and the retry budget every attempt counts against."""
from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from bookings.models import Booking

from .. import live
from ..models import TranscriptionStatus, VoiceNote
from ..transcribers import get_transcriber
from ..transcribers.base import PermanentTranscriptionError, Transcriber, TransientTranscriptionError
from .outcomes import booking_of, finish, language_plan, mark_completed, mark_failed
from .provider_jobs import mark_submitted, webhook_mode

logger = logging.getLogger(__package__)  # "voice.services": one logger for the whole pipeline


def _claim(note_id: int) -> VoiceNote | None:
    """Mark PROCESSING and count the attempt; None when there is nothing to do."""
    with transaction.atomic():
        note = VoiceNote.objects.select_for_update().filter(pk=note_id).first()
        if note is None:
            logger.info("voice_note.skipped_missing", extra={"voice_note_id": note_id})
            return None
        if note.status in (TranscriptionStatus.COMPLETED, TranscriptionStatus.FAILED):
            # Redelivered or stale message: the outcome is already recorded.
            logger.info("voice_note.skipped_finished", extra=note.log_context)
            return None
        if note.status == TranscriptionStatus.PROCESSING and note.provider_job_id:
            # Submitted in webhook mode: the callback (or the overdue lookup) finishes it.
            logger.info("voice_note.skipped_awaiting_callback", extra=note.log_context)
            return None
        now = timezone.now()
        if note.status == TranscriptionStatus.PROCESSING and not note.worker_lost(now):
            # A duplicate message (a resend racing the original): another worker is on it. If that
            # worker died, its heartbeat stops and the note is taken over once it is stale (by the
            # sweep, or here by the dead worker's message when the broker redelivers it).
            logger.info("voice_note.skipped_in_progress", extra=note.log_context)
            return None
        if note.status == TranscriptionStatus.PROCESSING:  # its worker died (no heartbeat)
            lost = lost_worker_error(note)
            logger.warning("voice_note.taken_over", extra={**note.log_context, "error": lost})
            if gave_up := gave_up_error(note, lost):  # a note that kills its worker every time
                note.status, note.error = TranscriptionStatus.FAILED, gave_up
                note.save(update_fields=["status", "error", "updated_at"])
                live.publish_change(note, event="failed")
                return None
        note.status = TranscriptionStatus.PROCESSING
        note.attempts += 1
        note.provider_job_id = ""
        note.heartbeat_at = now
        note.save(update_fields=["status", "attempts", "provider_job_id", "heartbeat_at", "updated_at"])
        live.publish_change(note, event="processing")
    logger.info("voice_note.processing", extra=note.log_context)
    return note


def run_transcription(*, note_id: int, transcriber: Transcriber | None = None) -> None:
    """One attempt with the configured provider (or the one given).
    Raises TransientTranscriptionError when the worker should retry later."""
    note = _claim(note_id)
    if note is None:
        return
    transcriber = transcriber or get_transcriber()
    context = {**note.log_context, "provider": transcriber.name}
    started = time.monotonic()
    webhook = webhook_mode(transcriber)
    booking = booking_of(note)
    plan = language_plan(note, booking)
    try:
        with default_storage.open(note.audio.name, "rb") as audio:
            if webhook:
                job_id = transcriber.submit(
                    audio, key_terms=_key_terms(booking), languages=plan.candidates,
                    webhook_url=settings.ASSEMBLYAI_WEBHOOK_URL, webhook_secret=settings.ASSEMBLYAI_WEBHOOK_SECRET,
                )
            else:
                transcript = transcriber.transcribe(audio, key_terms=_key_terms(booking), languages=plan.candidates)
    except PermanentTranscriptionError as exc:
        mark_failed(note, provider=transcriber.name, error=str(exc), context=context)
        return
    except FileNotFoundError as exc:
        mark_failed(note, provider=transcriber.name, error=f"Stored audio is missing: {exc}", context=context)
        return
    except Exception as exc:  # network, 5xx, 429, timeouts, and anything unexpected: worth another try
        _retry_or_give_up(note, provider=transcriber.name, error=exc, context=context)
        return
    if webhook:
        mark_submitted(note, provider=transcriber.name, job_id=job_id, context=context)
        return
    mark_completed(note, provider=transcriber.name, transcript=transcript, context=context, started=started, plan=plan)


def _key_terms(booking: Booking) -> list[str]:
    """The hotel vocabulary plus this booking's names: what the note is likely to mention."""
    return [*settings.VOICE_KEY_TERMS, booking.accommodation.name, booking.guest_name]


def should_retry(retries_so_far: int, exc: BaseException) -> bool:
    """The actor's retry_when: Dramatiq re-delivers exactly what `_retry_or_give_up` scheduled.
    The budget is counted once, in the row (`attempts`), so it survives redeliveries and restarts."""
    return isinstance(exc, TransientTranscriptionError)


def gave_up_error(note: VoiceNote, reason: str) -> str | None:
    """The retry budget, its one owner (a failed attempt here, a dead worker in voice.recovery):
    the FAILED error once the note's attempts are spent, None while another attempt is allowed."""
    if note.attempts >= settings.VOICE_MAX_ATTEMPTS:
        return f"Gave up after {note.attempts} attempts. {reason}"
    return None


def lost_worker_error(note: VoiceNote) -> str:
    """Why a PROCESSING note is taken from its worker (voice.recovery, or a redelivered message)."""
    return (f"The worker stopped during attempt {note.attempts} (no heartbeat for "
            f"{settings.VOICE_HEARTBEAT_STALE_SECONDS:.0f} s, or no result within "
            f"{settings.VOICE_STALE_PROCESSING_SECONDS:.0f} s).")


def _retry_or_give_up(note: VoiceNote, *, provider: str, error: Exception, context: dict) -> None:
    message = f"{type(error).__name__}: {error}"
    if gave_up := gave_up_error(note, f"Last error: {message}"):
        mark_failed(note, provider=provider, error=gave_up, context=context)
        return
    finish(note, status=TranscriptionStatus.PENDING, provider=provider, error=message[:2000])
    log = logger.warning if isinstance(error, TransientTranscriptionError) else logger.exception
    log("voice_note.retry_scheduled", extra={**context, "status": note.status, "error": message})
    raise TransientTranscriptionError(message) from error
