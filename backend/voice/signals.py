"""Stored audio follows its row: delete the object once the row's deletion commits."""
from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import VoiceNote

logger = logging.getLogger(__name__)


@receiver(post_delete, sender=VoiceNote)
def delete_stored_audio(sender, instance: VoiceNote, **kwargs) -> None:
    name = instance.audio.name
    if not name:
        return
    storage = instance.audio.storage

    def delete() -> None:
        try:
            storage.delete(name)
            logger.info("voice_note.audio_deleted", extra={"voice_note_id": instance.pk, "key": name})
        except Exception:  # the row is gone either way; leave a trace to clean up by hand
            logger.exception("voice_note.audio_delete_failed", extra={"key": name})

    transaction.on_commit(delete)
