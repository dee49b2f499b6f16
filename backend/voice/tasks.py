"""Dramatiq actors: thin shells around services (django_dramatiq manages DB connections)."""
from __future__ import annotations

import dramatiq
from django.conf import settings

from . import services
from .transcribers.base import TransientTranscriptionError


def _should_retry(retries_so_far: int, exc: Exception) -> bool:
    # The service decides when to give up (it counts attempts in the row); Dramatiq only
    # re-delivers what the service asked to retry.
    return isinstance(exc, TransientTranscriptionError) and retries_so_far < settings.VOICE_MAX_ATTEMPTS


@dramatiq.actor(
    queue_name="voice",
    max_retries=settings.VOICE_MAX_ATTEMPTS,
    min_backoff=settings.VOICE_RETRY_MIN_BACKOFF_MS,
    max_backoff=settings.VOICE_RETRY_MAX_BACKOFF_MS,
    retry_when=_should_retry,
    time_limit=15 * 60 * 1000,
)
def transcribe_voice_note(note_id: int) -> None:
    services.run_transcription(note_id=note_id)
