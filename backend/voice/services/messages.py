"""Messages to the transcription worker, sent by actor name.

voice/tasks.py declares the actors around `transcription.run_transcription` and
`provider_jobs.look_up_overdue`, so tasks import services and never the reverse.
"""
from __future__ import annotations

import logging

import dramatiq

from ..models import VoiceNote

logger = logging.getLogger(__package__)  # "voice.services": one logger for the whole pipeline

TRANSCRIBE_ACTOR = "transcribe_voice_note"
LOOKUP_ACTOR = "look_up_voice_note_transcript"  # webhook mode: the callback is overdue
TRANSCRIBE_QUEUE = "voice"


def send(actor_name: str, args: tuple, *, delay_ms: int | None = None) -> None:
    message = dramatiq.Message(queue_name=TRANSCRIBE_QUEUE, actor_name=actor_name, args=args, kwargs={}, options={})
    dramatiq.get_broker().enqueue(message, delay=delay_ms)


def enqueue_transcription(note: VoiceNote) -> None:
    try:
        send(TRANSCRIBE_ACTOR, (note.pk,))
    except Exception:
        # Broker down: the note stays PENDING and the recovery sweep (voice.recovery) sends it again.
        logger.exception("voice_note.enqueue_failed", extra=note.log_context)
        return
    logger.info("voice_note.enqueued", extra=note.log_context)
