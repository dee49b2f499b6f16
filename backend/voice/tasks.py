"""Dramatiq actors: thin shells around services (django_dramatiq manages DB connections)."""
from __future__ import annotations

import dramatiq
from django.conf import settings

from .services import messages, provider_jobs, transcription
from .worker import note_heartbeat


@dramatiq.actor(
    actor_name=messages.TRANSCRIBE_ACTOR,
    queue_name=messages.TRANSCRIBE_QUEUE,
    # The service owns the retry budget (attempts in the row); retry_when overrides max_retries.
    retry_when=transcription.should_retry,
    min_backoff=settings.VOICE_RETRY_MIN_BACKOFF_MS,
    max_backoff=settings.VOICE_RETRY_MAX_BACKOFF_MS,
    time_limit=settings.VOICE_TRANSCRIPTION_TIME_LIMIT_SECONDS * 1000,
)
def transcribe_voice_note(note_id: int) -> None:
    with note_heartbeat(note_id):  # stops when the process dies: how the sweep knows it did
        transcription.run_transcription(note_id=note_id)


@dramatiq.actor(actor_name=messages.LOOKUP_ACTOR, queue_name=messages.TRANSCRIBE_QUEUE, max_retries=0)
def look_up_voice_note_transcript(note_id: int, job_id: str, lookup: int) -> None:
    # Schedules its own next lookup when the job is still running: no Dramatiq retries.
    provider_jobs.look_up_overdue(note_id=note_id, job_id=job_id, lookup=lookup)
