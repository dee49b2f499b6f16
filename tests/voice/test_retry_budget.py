"""The retry budget has one owner: the attempts counted in the note's row (VOICE_MAX_ATTEMPTS)."""
from __future__ import annotations

import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from scripted_transcriber import ScriptedTranscriber
from voice_helpers import make_wav

from voice import services
from voice.models import TranscriptionStatus, VoiceNote
from voice.tasks import transcribe_voice_note
from voice.transcribers.base import TransientTranscriptionError


def test_the_actor_retries_exactly_what_the_service_scheduled():
    assert transcribe_voice_note.options["retry_when"] is services.should_retry
    assert "max_retries" not in transcribe_voice_note.options  # no second count in Dramatiq
    assert services.should_retry(1000, TransientTranscriptionError("scheduled")) is True
    assert services.should_retry(0, RuntimeError("database down")) is False


@pytest.mark.django_db(transaction=True)
def test_the_worker_stops_when_the_rows_budget_is_spent(settings, booking, worker):
    settings.VOICE_TRANSCRIBER = "scripted_transcriber.ScriptedTranscriber"
    settings.VOICE_MAX_ATTEMPTS = 4
    ScriptedTranscriber.script(*[TransientTranscriptionError(f"HTTP 503 #{n}") for n in range(1, 8)])
    audio = make_wav(0.5)
    note = VoiceNote.objects.create(
        booking=booking, audio=default_storage.save(f"voice-notes/{booking.pk}/b.wav", ContentFile(audio)),
        content_type="audio/wav", size_bytes=len(audio), duration_seconds=0.5,
    )

    services.enqueue_transcription(note)  # by actor name, as the web process sends it

    deadline = time.monotonic() + 30
    while VoiceNote.objects.get(pk=note.pk).status != TranscriptionStatus.FAILED:
        assert time.monotonic() < deadline, VoiceNote.objects.get(pk=note.pk).status
        time.sleep(0.05)
    time.sleep(0.5)  # a retry past the budget would land in this window
    note.refresh_from_db()
    assert (note.attempts, len(ScriptedTranscriber.calls)) == (4, 4)
    assert note.error.startswith("Gave up after 4 attempts") and "HTTP 503 #4" in note.error
