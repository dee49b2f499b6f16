"""Voice-note rules: accept audio, store it, and run its transcription.

Upload path (web): validate the bytes -> write to storage -> row PENDING ->
enqueue on commit. Worker path: claim (PROCESSING, attempt+1) -> transcribe ->
COMPLETED / back to PENDING for a retry / FAILED. Every change logs one line
with the note id, booking id, provider and attempt.
"""
from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass

import dramatiq
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.contrib.postgres.search import SearchVector
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Value
from django.utils import timezone

from booking_graph.domain import CommonErrorCode, field_error, get_or_not_found, refuse_null_characters
from bookings import services as booking_services
from bookings.models import Booking
from bookings.revisions import SYSTEM, staff_actor

from . import audio as audio_formats
from . import languages, live, redaction
from .errors import VoiceErrorCode
from .models import TranscriptionStatus, VoiceNote
from .transcribers import get_transcriber
from .transcribers.base import PermanentTranscriptionError, Transcriber, Transcript, TransientTranscriptionError

logger = logging.getLogger(__name__)

SNIFF_BYTES = 64


@dataclass(frozen=True)
class AcceptedAudio:
    format: audio_formats.AudioFormat
    duration_seconds: float


def _audio_error(message: str, code: str) -> ValidationError:
    return field_error("audio", message, code)


def validate_audio(upload: UploadedFile) -> AcceptedAudio:
    """Size, real format (from the bytes), decodability and duration, in that order (cheapest first)."""
    max_bytes = settings.VOICE_MAX_UPLOAD_BYTES
    if not upload.size:
        raise _audio_error("The audio file is empty.", VoiceErrorCode.EMPTY_AUDIO)
    if upload.size > max_bytes:
        raise _audio_error(
            f"The audio file is {upload.size} bytes; the limit is {max_bytes} bytes.", VoiceErrorCode.AUDIO_TOO_LARGE
        )
    upload.seek(0)
    detected = audio_formats.sniff_format(upload.read(SNIFF_BYTES))
    upload.seek(0)
    if detected is None:
        raise _audio_error(
            "Unsupported audio format: send WAV, MP3, M4A, OGG (Opus/Vorbis), WebM (Opus) or FLAC.",
            VoiceErrorCode.UNSUPPORTED_AUDIO_FORMAT,
        )
    try:
        info = audio_formats.probe(upload)
    except audio_formats.UndecodableAudio as exc:
        raise _audio_error(f"The audio cannot be decoded ({exc}).", VoiceErrorCode.UNDECODABLE_AUDIO) from exc
    finally:
        upload.seek(0)
    max_seconds = settings.VOICE_MAX_DURATION_SECONDS
    if info.duration_seconds > max_seconds:
        raise _audio_error(
            f"The audio lasts {info.duration_seconds:.0f} s; the limit is {max_seconds:.0f} s.", VoiceErrorCode.AUDIO_TOO_LONG
        )
    return AcceptedAudio(format=detected, duration_seconds=info.duration_seconds)


def storage_key(*, booking_id: int, extension: str) -> str:
    return f"voice-notes/{booking_id}/{uuid.uuid4().hex}.{extension}"


def actor_of_author(author) -> str:
    if getattr(author, "is_authenticated", False):
        return staff_actor(author.get_username())
    return SYSTEM


def add_voice_note(*, booking_id: object, upload: UploadedFile, author=None, language: str | None = None) -> VoiceNote:
    booking = get_or_not_found(Booking.objects.select_related("accommodation"), booking_id, field="booking")
    requested_language = languages.check_requested(language, booking.accommodation)
    accepted = validate_audio(upload)
    # Storage streams the upload in chunks (temp file or memory buffer), never one big bytes object.
    key = storage_key(booking_id=booking.pk, extension=accepted.format.extension)
    try:
        stored_name = default_storage.save(key, upload)
    except Exception as exc:  # S3 unreachable, bucket gone, disk full or read-only
        logger.exception("voice_note.storage_failed", extra={"booking_id": booking.pk, "key": key})
        raise _audio_error(
            "The audio could not be stored (storage unavailable); nothing was saved. Try again later.",
            VoiceErrorCode.STORAGE_UNAVAILABLE,
        ) from exc
    try:
        with transaction.atomic():
            fields = dict(
                booking=booking,
                author=author if getattr(author, "is_authenticated", False) else None,
                audio=stored_name,
                original_filename=(upload.name or "")[:255],
                content_type=accepted.format.content_type,
                size_bytes=upload.size,
                duration_seconds=accepted.duration_seconds,
                requested_language=requested_language,
            )
            refuse_null_characters(VoiceNote(**fields))  # the file name is the client's text
            note = VoiceNote.objects.create(**fields)
            # Part of the booking's history, in the same transaction as the note.
            booking_services.record_voice_note_added(
                booking_id=booking.pk, voice_note_id=note.pk, actor=actor_of_author(author)
            )
            logger.info(
                "voice_note.created",
                extra={**note.log_context, "key": stored_name, "bytes": note.size_bytes,
                       "seconds": round(note.duration_seconds, 2)},
            )
            live.publish_change(note, event="created")
            # Sent only once the row is committed: a rolled-back request leaves no job,
            # and a job never looks for a row that is not there yet.
            transaction.on_commit(lambda: enqueue_transcription(note))
    except BaseException:
        _delete_stored_audio(default_storage, stored_name, note_id=None)  # nothing orphaned in storage
        raise
    return note


# The actor is sent by name: voice/tasks.py declares it around `run_transcription`, so tasks import
# services and never the reverse.
TRANSCRIBE_ACTOR = "transcribe_voice_note"
LOOKUP_ACTOR = "look_up_voice_note_transcript"  # webhook mode: the callback is overdue
TRANSCRIBE_QUEUE = "voice"


def _send(actor_name: str, args: tuple, *, delay_ms: int | None = None) -> None:
    message = dramatiq.Message(queue_name=TRANSCRIBE_QUEUE, actor_name=actor_name, args=args, kwargs={}, options={})
    dramatiq.get_broker().enqueue(message, delay=delay_ms)


def enqueue_transcription(note: VoiceNote) -> None:
    try:
        _send(TRANSCRIBE_ACTOR, (note.pk,))
    except Exception:
        # Broker down: the note stays PENDING and the recovery sweep (voice.recovery) sends it again.
        logger.exception("voice_note.enqueue_failed", extra=note.log_context)
        return
    logger.info("voice_note.enqueued", extra=note.log_context)


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


def _finish(note: VoiceNote, *, search_vector=None, **fields) -> bool:
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


def run_transcription(*, note_id: int, transcriber: Transcriber | None = None) -> None:
    """One attempt with the configured provider (or the one given).
    Raises TransientTranscriptionError when the worker should retry later."""
    note = _claim(note_id)
    if note is None:
        return
    transcriber = transcriber or get_transcriber()
    context = {**note.log_context, "provider": transcriber.name}
    started = time.monotonic()
    webhook = _webhook_mode(transcriber)
    booking = _booking(note)
    plan = _language_plan(note, booking)
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
        _mark_failed(note, provider=transcriber.name, error=str(exc), context=context)
        return
    except FileNotFoundError as exc:
        _mark_failed(note, provider=transcriber.name, error=f"Stored audio is missing: {exc}", context=context)
        return
    except Exception as exc:  # network, 5xx, 429, timeouts, and anything unexpected: worth another try
        _retry_or_give_up(note, provider=transcriber.name, error=exc, context=context)
        return
    if webhook:
        _mark_submitted(note, provider=transcriber.name, job_id=job_id, context=context)
        return
    _mark_completed(note, provider=transcriber.name, transcript=transcript, context=context, started=started, plan=plan)


# --- Webhook mode (AssemblyAI calls back instead of being polled) -------------------------------


def _webhook_mode(transcriber: Transcriber) -> bool:
    return bool(settings.ASSEMBLYAI_WEBHOOK_URL) and callable(getattr(transcriber, "submit", None))


def _mark_submitted(note: VoiceNote, *, provider: str, job_id: str, context: dict) -> None:
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
        _send(LOOKUP_ACTOR, (note.pk, note.provider_job_id, lookup), delay_ms=delay_ms)
    except Exception:
        logger.exception("voice_note.lookup_schedule_failed", extra={**note.log_context, "lookup": lookup})


def collect_submitted(*, note: VoiceNote, transcriber: Transcriber | None = None) -> str:
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
        _mark_failed(note, provider=transcriber.name, error=str(exc), context=context)
        return "failed"
    if transcript is None:
        return "processing"
    plan = _language_plan(note, _booking(note))
    _mark_completed(note, provider=transcriber.name, transcript=transcript, context=context, started=started, plan=plan)
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
        _mark_failed(note, provider=note.provider, context=context, error=(
            f"{note.provider} had not finished job {job_id} after {lookup} lookups and no webhook came; "
            "retry the transcription."))
        return "failed"
    _schedule_lookup(note, lookup=lookup + 1)
    return "processing"


def _booking(note: VoiceNote) -> Booking:
    return Booking.objects.select_related("accommodation").get(pk=note.booking_id)


def _key_terms(booking: Booking) -> list[str]:
    """The hotel vocabulary plus this booking's names: what the note is likely to mention."""
    return [*settings.VOICE_KEY_TERMS, booking.accommodation.name, booking.guest_name]


def _language_plan(note: VoiceNote, booking: Booking) -> languages.LanguagePlan:
    return languages.plan(accommodation=booking.accommodation, requested=note.requested_language)


@dataclass(frozen=True)
class CleanText:
    """A transcript as it may be stored: redacted (unless VOICE_REDACT is off)."""

    text: str
    segments: list
    redactions: dict


def clean_transcript(text: str, segments: list, *, language: str) -> CleanText:
    if not settings.VOICE_REDACT:
        return CleanText(text=text, segments=segments, redactions={})
    full = redaction.redact(text, language)
    return CleanText(text=full.text, segments=redaction.redact_segments(segments, full, language), redactions=full.counts)


def search_vector_of(*texts: str, language: str):
    """to_tsvector in the note's language's configuration, over already-redacted text."""
    return SearchVector(Value(" ".join(filter(None, texts))), config=Value(languages.search_config(language)))


def _mark_completed(
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
    saved = _finish(
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


def _mark_failed(note: VoiceNote, *, provider: str, error: str, context: dict) -> None:
    _finish(note, status=TranscriptionStatus.FAILED, provider=provider, error=error[:2000])
    logger.warning("voice_note.failed", extra={**context, "status": note.status, "error": error})


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
        _mark_failed(note, provider=provider, error=gave_up, context=context)
        return
    _finish(note, status=TranscriptionStatus.PENDING, provider=provider, error=message[:2000])
    log = logger.warning if isinstance(error, TransientTranscriptionError) else logger.exception
    log("voice_note.retry_scheduled", extra={**context, "status": note.status, "error": message})
    raise TransientTranscriptionError(message) from error


@transaction.atomic
def retry_transcription(*, note_id: object) -> VoiceNote:
    note = get_or_not_found(VoiceNote.objects.select_for_update(), note_id)
    if note.status != TranscriptionStatus.FAILED:
        raise ValidationError(
            f"Only a FAILED transcription can be retried; this one is {note.status}.", code=VoiceErrorCode.NOT_RETRYABLE
        )
    note.status = TranscriptionStatus.PENDING
    note.attempts = 0  # a fresh budget of attempts
    note.error = ""
    note.save(update_fields=["status", "attempts", "error", "updated_at"])
    live.publish_change(note, event="retry_requested")
    transaction.on_commit(lambda: enqueue_transcription(note))
    logger.info("voice_note.retry_requested", extra=note.log_context)
    return note


@transaction.atomic
def edit_transcript(*, note_id: object, transcript: str, editor) -> VoiceNote:
    """A staff correction, kept beside the provider's text (which never changes), with who and when."""
    note = get_or_not_found(VoiceNote.objects.select_for_update(), note_id)
    text = transcript.strip()
    if note.status != TranscriptionStatus.COMPLETED:
        raise ValidationError(
            f"Only a COMPLETED transcript can be corrected; this one is {note.status}.",
            code=VoiceErrorCode.NOT_EDITABLE,
        )
    if not text:
        raise field_error("transcript", "The corrected transcript is empty.", CommonErrorCode.BLANK)
    limit = settings.VOICE_MAX_TRANSCRIPT_CHARS
    if len(text) > limit:
        raise field_error(
            "transcript", f"The corrected transcript has {len(text)} characters; the limit is {limit}.",
            CommonErrorCode.MAX_LENGTH,
        )
    clean = clean_transcript(text, [], language=note.language)  # a correction is staff's words: redacted too
    note.edited_transcript = clean.text
    note.edited_by = editor
    note.edited_at = timezone.now()
    for kind, count in clean.redactions.items():
        note.redactions[kind] = max(note.redactions.get(kind, 0), count)
    refuse_null_characters(note)
    note.save(update_fields=["edited_transcript", "edited_by", "edited_at", "redactions", "updated_at"])
    VoiceNote.objects.filter(pk=note.pk).update(
        search_vector=search_vector_of(note.transcript, note.edited_transcript, language=note.language)
    )
    live.publish_change(note, event="edited")
    logger.info("voice_note.transcript_edited", extra={**note.log_context, "user_id": editor.pk, "chars": len(text)})
    return note


@transaction.atomic
def delete_voice_note(*, note_id: object) -> VoiceNote:
    note = get_or_not_found(VoiceNote.objects.select_for_update(), note_id)
    _delete(note)
    return note


def _delete(note: VoiceNote) -> None:
    """The row now, the stored audio once the deletion commits (a rollback keeps both)."""
    pk, name = note.pk, note.audio.name
    delete_stored_audio_on_commit(note, name)
    note.delete()
    note.pk = pk  # the answer still names what was deleted
    logger.info("voice_note.deleted", extra={"voice_note_id": pk, "booking_id": note.booking_id})


def delete_stored_audio_on_commit(note: VoiceNote, name: str) -> None:
    if name:
        storage, pk = note.audio.storage, note.pk
        transaction.on_commit(lambda: _delete_stored_audio(storage, name, note_id=pk))


def _delete_stored_audio(storage, name: str, *, note_id: int | None) -> None:
    try:
        storage.delete(name)
        logger.info("voice_note.audio_deleted", extra={"voice_note_id": note_id, "key": name})
    except Exception:  # the row is gone either way; leave a trace to clean up by hand
        logger.exception("voice_note.audio_delete_failed", extra={"voice_note_id": note_id, "key": name})


@transaction.atomic
def delete_voice_notes(*, notes) -> int:
    """Several at once (the admin's bulk delete), each with its audio."""
    deleted = 0
    for note in notes.select_for_update():
        _delete(note)
        deleted += 1
    return deleted
