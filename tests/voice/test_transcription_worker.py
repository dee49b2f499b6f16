"""The transcription state machine (services.run_transcription) and the Dramatiq actor."""
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
from voice.transcribers.base import PermanentTranscriptionError, Transcript, TransientTranscriptionError

SCRIPTED = "scripted_transcriber.ScriptedTranscriber"


@pytest.fixture
def scripted(settings):
    settings.VOICE_TRANSCRIBER = SCRIPTED
    ScriptedTranscriber.script()
    return ScriptedTranscriber


@pytest.fixture
def note(booking, staff_user):
    audio = make_wav(1.0)
    name = default_storage.save(f"voice-notes/{booking.pk}/test.wav", ContentFile(audio))
    return VoiceNote.objects.create(
        booking=booking, author=staff_user, audio=name, content_type="audio/wav", size_bytes=len(audio),
        duration_seconds=1.0,
    )


def reload(note: VoiceNote) -> VoiceNote:
    note.refresh_from_db()
    return note


@pytest.mark.django_db
class TestRunTranscription:
    def test_success_stores_transcript_and_provider_details(self, scripted, note):
        scripted.script(Transcript(text="Late check-out please", confidence=0.87, language="en", provider_job_id="j-1"))

        services.run_transcription(note_id=note.pk)

        note = reload(note)
        assert note.status == TranscriptionStatus.COMPLETED
        assert (note.transcript, note.confidence, note.language) == ("Late check-out please", 0.87, "en")
        assert (note.provider, note.provider_job_id, note.attempts, note.error) == ("scripted", "j-1", 1, "")
        assert note.transcribed_at is not None
        assert scripted.calls == [note.size_bytes]  # the stored bytes reached the provider

    def test_provider_gets_hotel_vocabulary_and_the_bookings_names(self, scripted, note, settings):
        settings.VOICE_KEY_TERMS = ["late checkout", "cot"]

        services.run_transcription(note_id=note.pk)

        booking = note.booking
        assert scripted.key_terms == [("late checkout", "cot", booking.accommodation.name, booking.guest_name)]

    def test_transient_failure_goes_back_to_pending_and_asks_for_retry(self, scripted, note):
        scripted.script(TransientTranscriptionError("HTTP 503"))

        with pytest.raises(TransientTranscriptionError):
            services.run_transcription(note_id=note.pk)

        note = reload(note)
        assert note.status == TranscriptionStatus.PENDING
        assert note.attempts == 1 and "HTTP 503" in note.error

    def test_transient_then_success(self, scripted, note):
        scripted.script(TransientTranscriptionError("timeout"), Transcript(text="ok"))

        with pytest.raises(TransientTranscriptionError):
            services.run_transcription(note_id=note.pk)
        services.run_transcription(note_id=note.pk)

        note = reload(note)
        assert (note.status, note.transcript, note.attempts, note.error) == (TranscriptionStatus.COMPLETED, "ok", 2, "")

    def test_permanent_failure_ends_failed_without_retry(self, scripted, note):
        scripted.script(PermanentTranscriptionError("Transcoding failed: audio has no speech"))

        services.run_transcription(note_id=note.pk)  # no exception: nothing to retry

        note = reload(note)
        assert note.status == TranscriptionStatus.FAILED
        assert note.error == "Transcoding failed: audio has no speech"

    def test_exhausted_retries_end_failed_with_readable_error(self, scripted, note, settings):
        settings.VOICE_MAX_ATTEMPTS = 3
        scripted.script(*[TransientTranscriptionError(f"HTTP 500 #{n}") for n in range(1, 4)])

        for _ in range(2):
            with pytest.raises(TransientTranscriptionError):
                services.run_transcription(note_id=note.pk)
        services.run_transcription(note_id=note.pk)

        note = reload(note)
        assert note.status == TranscriptionStatus.FAILED and note.attempts == 3
        assert note.error.startswith("Gave up after 3 attempts") and "HTTP 500 #3" in note.error

    def test_unexpected_error_is_retried_not_lost(self, scripted, note):
        scripted.script(ValueError("provider returned garbage"))

        with pytest.raises(TransientTranscriptionError):
            services.run_transcription(note_id=note.pk)

        assert reload(note).status == TranscriptionStatus.PENDING

    def test_redelivery_after_completion_does_nothing(self, scripted, note):
        scripted.script(Transcript(text="first"), Transcript(text="second"))
        services.run_transcription(note_id=note.pk)

        services.run_transcription(note_id=note.pk)

        note = reload(note)
        assert (note.transcript, note.attempts) == ("first", 1)
        assert len(scripted.calls) == 1

    def test_note_deleted_before_job_runs(self, scripted, note):
        note_id = note.pk
        note.delete()

        services.run_transcription(note_id=note_id)  # logs and returns

        assert scripted.calls == []

    def test_missing_audio_ends_failed(self, scripted, note):
        default_storage.delete(note.audio.name)

        services.run_transcription(note_id=note.pk)

        note = reload(note)
        assert note.status == TranscriptionStatus.FAILED and "missing" in note.error


def wait_for_status(note_id: int, statuses: set[str], timeout: float = 30.0) -> VoiceNote:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        note = VoiceNote.objects.get(pk=note_id)
        if note.status in statuses:
            return note
        time.sleep(0.05)
    raise AssertionError(f"note {note_id} stayed {VoiceNote.objects.get(pk=note_id).status}")


@pytest.mark.django_db(transaction=True)
class TestThroughRedisAndARealWorker:
    def test_message_sent_to_redis_is_processed_by_the_worker(self, scripted, note, worker):
        scripted.script(Transcript(text="Guest asked for a baby cot"))

        transcribe_voice_note.send(note.pk)

        done = wait_for_status(note.pk, {TranscriptionStatus.COMPLETED, TranscriptionStatus.FAILED})
        assert (done.status, done.transcript) == (TranscriptionStatus.COMPLETED, "Guest asked for a baby cot")

    def test_worker_retries_transient_failures_with_backoff(self, scripted, note, worker):
        scripted.script(TransientTranscriptionError("HTTP 429"), TransientTranscriptionError("HTTP 502"), Transcript(text="third time"))

        transcribe_voice_note.send(note.pk)

        done = wait_for_status(note.pk, {TranscriptionStatus.COMPLETED, TranscriptionStatus.FAILED})
        assert (done.status, done.transcript, done.attempts) == (TranscriptionStatus.COMPLETED, "third time", 3)

    def test_permanent_failure_is_not_retried_by_the_worker(self, scripted, note, worker):
        scripted.script(PermanentTranscriptionError("unsupported"), Transcript(text="must not be used"))

        transcribe_voice_note.send(note.pk)

        done = wait_for_status(note.pk, {TranscriptionStatus.COMPLETED, TranscriptionStatus.FAILED})
        time.sleep(0.5)  # give a wrongful retry the chance to happen
        assert reload(done).status == TranscriptionStatus.FAILED
        assert len(scripted.calls) == 1

    def test_resend_pending_command_enqueues_stuck_notes(self, scripted, note, worker):
        from django.core.management import call_command

        scripted.script(Transcript(text="recovered"))
        VoiceNote.objects.filter(pk=note.pk).update(updated_at=note.updated_at.replace(year=2020))

        call_command("resend_pending_transcriptions", "--older-than", "60")

        assert wait_for_status(note.pk, {TranscriptionStatus.COMPLETED}).transcript == "recovered"


@pytest.mark.django_db
def test_every_state_change_logs_note_booking_provider_and_attempt(scripted, note, caplog):
    scripted.script(TransientTranscriptionError("HTTP 502"), Transcript(text="ok"))
    caplog.set_level("INFO", logger="voice")

    with pytest.raises(TransientTranscriptionError):
        services.run_transcription(note_id=note.pk)
    services.run_transcription(note_id=note.pk)

    events = {record.msg: record for record in caplog.records if record.name == "voice.services"}
    assert {"voice_note.processing", "voice_note.retry_scheduled", "voice_note.completed"} <= set(events)
    retry, done = events["voice_note.retry_scheduled"], events["voice_note.completed"]
    assert (retry.voice_note_id, retry.booking_id, retry.provider, retry.attempt) == (note.pk, note.booking_id, "scripted", 1)
    assert "HTTP 502" in retry.error
    assert (done.attempt, done.provider) == (2, "scripted") and done.duration >= 0
