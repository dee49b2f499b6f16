"""What staff do to a voice note: retry a FAILED transcription, correct a transcript, delete notes."""
from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from booking_graph.domain import CommonErrorCode, field_error, get_or_not_found, refuse_null_characters

from .. import live
from ..errors import VoiceErrorCode
from ..models import TranscriptionStatus, VoiceNote
from .messages import enqueue_transcription
from .stored_audio import delete_stored_audio_on_commit
from .transcript_text import clean_transcript, search_vector_of

logger = logging.getLogger(__package__)  # "voice.services": one logger for the whole pipeline


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


@transaction.atomic
def delete_voice_notes(*, notes) -> int:
    """Several at once (the admin's bulk delete), each with its audio."""
    deleted = 0
    for note in notes.select_for_update():
        _delete(note)
        deleted += 1
    return deleted


def _delete(note: VoiceNote) -> None:
    """The row now, the stored audio once the deletion commits (a rollback keeps both)."""
    pk, name = note.pk, note.audio.name
    delete_stored_audio_on_commit(note, name)
    note.delete()
    note.pk = pk  # the answer still names what was deleted
    logger.info("voice_note.deleted", extra={"voice_note_id": pk, "booking_id": note.booking_id})
