"""Deleting a note's stored audio: after the deletion commits, never failing the caller."""
from __future__ import annotations

import logging

from django.db import transaction

from ..models import VoiceNote

logger = logging.getLogger(__package__)  # "voice.services": one logger for the whole pipeline


def delete_stored_audio_on_commit(note: VoiceNote, name: str) -> None:
    if name:
        storage, pk = note.audio.storage, note.pk
        transaction.on_commit(lambda: delete_stored_audio(storage, name, note_id=pk))


def delete_stored_audio(storage, name: str, *, note_id: int | None) -> None:
    try:
        storage.delete(name)
        logger.info("voice_note.audio_deleted", extra={"voice_note_id": note_id, "key": name})
    except Exception:  # the row is gone either way; leave a trace to clean up by hand
        logger.exception("voice_note.audio_delete_failed", extra={"voice_note_id": note_id, "key": name})
