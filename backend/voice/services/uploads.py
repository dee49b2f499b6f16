"""Accepting a voice note: validate the bytes -> write to storage -> row PENDING -> enqueue on commit."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from booking_graph.domain import field_error, get_or_not_found, refuse_null_characters
from bookings import services as booking_services
from bookings.models import Booking
from bookings.revisions import SYSTEM, staff_actor

from .. import audio as audio_formats
from .. import languages, live
from ..errors import VoiceErrorCode
from ..models import VoiceNote
from .messages import enqueue_transcription
from .stored_audio import delete_stored_audio

logger = logging.getLogger(__package__)  # "voice.services": one logger for the whole pipeline

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
        delete_stored_audio(default_storage, stored_name, note_id=None)  # nothing orphaned in storage
        raise
    return note
