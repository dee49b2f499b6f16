"""Voice-note rules, one module per job:

- ``uploads``: accept audio (validate the bytes -> write to storage -> row PENDING -> enqueue on commit).
- ``transcription``: the worker's attempt (claim: PROCESSING, attempt+1 -> transcribe -> COMPLETED /
  back to PENDING for a retry / FAILED) and the retry budget.
- ``provider_jobs``: webhook mode, a job submitted to the provider and finished by its callback or
  an overdue lookup.
- ``staff_actions``: retry, correct a transcript, delete notes.
- Shared by those: ``messages`` (to the worker, by actor name), ``outcomes`` (recording a provider's
  answer), ``transcript_text`` (redaction and search vector), ``stored_audio`` (deleting the file).

Every change logs one line on the ``voice.services`` logger with the note id, booking id, provider
and attempt. The public names stay importable from ``voice.services``.
"""
from __future__ import annotations

from .messages import LOOKUP_ACTOR, TRANSCRIBE_ACTOR, TRANSCRIBE_QUEUE, enqueue_transcription
from .provider_jobs import collect_submitted, handle_provider_callback, look_up_overdue
from .staff_actions import delete_voice_note, delete_voice_notes, edit_transcript, retry_transcription
from .stored_audio import delete_stored_audio_on_commit
from .transcript_text import CleanText, clean_transcript, search_vector_of
from .transcription import gave_up_error, lost_worker_error, run_transcription, should_retry
from .uploads import SNIFF_BYTES, AcceptedAudio, actor_of_author, add_voice_note, storage_key, validate_audio

__all__ = [
    # uploads
    "SNIFF_BYTES",
    "AcceptedAudio",
    "actor_of_author",
    "add_voice_note",
    "storage_key",
    "validate_audio",
    # messages to the worker
    "LOOKUP_ACTOR",
    "TRANSCRIBE_ACTOR",
    "TRANSCRIBE_QUEUE",
    "enqueue_transcription",
    # transcription and its retry budget
    "gave_up_error",
    "lost_worker_error",
    "run_transcription",
    "should_retry",
    # submitted provider jobs (webhook mode)
    "collect_submitted",
    "handle_provider_callback",
    "look_up_overdue",
    # transcript text
    "CleanText",
    "clean_transcript",
    "search_vector_of",
    # staff actions
    "delete_voice_note",
    "delete_voice_notes",
    "edit_transcript",
    "retry_transcription",
    # stored audio
    "delete_stored_audio_on_commit",
]
