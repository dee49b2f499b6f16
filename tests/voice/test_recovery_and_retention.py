"""The sweep's rules one by one (the real-process runs are in test_crash_recovery.py): which notes are
re-sent or recovered and when, audio retention, and erasure of one booking's personal data."""
from __future__ import annotations

import datetime
import logging

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from voice_helpers import make_wav

from bookings import services as booking_services
from bookings.models import Booking
from voice import services
from voice.models import TranscriptionStatus, VoiceNote
from voice.recovery import recover_transcriptions
from voice.retention import purge_expired_audio

pytestmark = pytest.mark.django_db

ERASE = """mutation($id: ID!) { eraseBookingPersonalData(id: $id) {
  __typename ... on Booking { id guestName startDate voiceNotes { id } }
  ... on OperationInfo { messages { code field } } } }"""


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    """Note ids handed to the broker (the real sending is covered by the real-process tests)."""
    ids: list[int] = []
    monkeypatch.setattr("voice.recovery.enqueue_transcription", lambda note: ids.append(note.pk))
    return ids


def make_note(booking, *, status=TranscriptionStatus.PENDING, attempts=0, age_seconds=0.0, transcript="") -> VoiceNote:
    name = default_storage.save(f"voice-notes/{booking.pk}/n.wav", ContentFile(make_wav(0.2)))
    note = VoiceNote.objects.create(booking=booking, audio=name, content_type="audio/wav", size_bytes=100,
                                    duration_seconds=0.2, status=status, attempts=attempts, transcript=transcript)
    VoiceNote.objects.filter(pk=note.pk).update(updated_at=timezone.now() - datetime.timedelta(seconds=age_seconds))
    note.refresh_from_db()
    return note


def run_on_commit(django_capture_on_commit_callbacks, action):
    with django_capture_on_commit_callbacks(execute=True):
        return action()


class TestRecovery:
    def test_pending_never_sent_is_resent_after_the_threshold_only(self, settings, booking, sent,
                                                                  django_capture_on_commit_callbacks):
        settings.VOICE_PENDING_RESEND_SECONDS = 60
        fresh = make_note(booking, age_seconds=59)
        overdue = make_note(booking, age_seconds=61)

        result = run_on_commit(django_capture_on_commit_callbacks, recover_transcriptions)

        assert sent == [overdue.pk]
        assert result.resent_pending == 1
        fresh.refresh_from_db()
        assert fresh.status == TranscriptionStatus.PENDING

    def test_a_resent_note_waits_a_full_threshold_before_the_next_resend(self, settings, booking, sent,
                                                                        django_capture_on_commit_callbacks):
        settings.VOICE_PENDING_RESEND_SECONDS = 60
        note = make_note(booking, age_seconds=61)

        run_on_commit(django_capture_on_commit_callbacks, recover_transcriptions)
        run_on_commit(django_capture_on_commit_callbacks, recover_transcriptions)

        assert sent == [note.pk]

    def test_pending_after_a_failed_attempt_waits_for_the_retry_backoff(self, settings, booking, sent,
                                                                       django_capture_on_commit_callbacks):
        settings.VOICE_PENDING_RESEND_SECONDS = 60
        settings.VOICE_RETRY_MAX_BACKOFF_MS = 300_000
        waiting_for_retry = make_note(booking, attempts=1, age_seconds=300)
        retry_lost = make_note(booking, attempts=1, age_seconds=361)

        run_on_commit(django_capture_on_commit_callbacks, recover_transcriptions)

        assert sent == [retry_lost.pk]
        assert waiting_for_retry.pk not in sent

    def test_processing_beyond_the_stale_threshold_goes_back_to_pending_and_is_resent(
        self, settings, booking, sent, django_capture_on_commit_callbacks
    ):
        settings.VOICE_STALE_PROCESSING_SECONDS = 960
        running = make_note(booking, status=TranscriptionStatus.PROCESSING, attempts=1, age_seconds=959)
        lost = make_note(booking, status=TranscriptionStatus.PROCESSING, attempts=1, age_seconds=961)

        result = run_on_commit(django_capture_on_commit_callbacks, recover_transcriptions)

        assert (result.requeued_stalled, sent) == (1, [lost.pk])
        lost.refresh_from_db()
        running.refresh_from_db()
        assert lost.status == TranscriptionStatus.PENDING and "worker stopped during attempt 1" in lost.error
        assert running.status == TranscriptionStatus.PROCESSING

    def test_a_note_that_keeps_killing_its_worker_ends_failed(self, settings, booking, sent,
                                                             django_capture_on_commit_callbacks):
        settings.VOICE_MAX_ATTEMPTS = 3
        settings.VOICE_STALE_PROCESSING_SECONDS = 960
        poison = make_note(booking, status=TranscriptionStatus.PROCESSING, attempts=3, age_seconds=1000)

        result = run_on_commit(django_capture_on_commit_callbacks, recover_transcriptions)

        poison.refresh_from_db()
        assert (result.failed_stalled, sent) == (1, [])
        assert poison.status == TranscriptionStatus.FAILED and poison.error.startswith("Gave up after 3 attempts.")

    def test_finished_notes_are_left_alone(self, booking, sent, django_capture_on_commit_callbacks):
        for status in (TranscriptionStatus.COMPLETED, TranscriptionStatus.FAILED):
            make_note(booking, status=status, attempts=1, age_seconds=10**6)

        assert run_on_commit(django_capture_on_commit_callbacks, recover_transcriptions).resent_pending == 0
        assert sent == []

    def test_a_duplicate_message_for_a_note_being_transcribed_is_skipped(self, settings, booking):
        settings.VOICE_STALE_PROCESSING_SECONDS = 960
        note = make_note(booking, status=TranscriptionStatus.PROCESSING, attempts=1, age_seconds=5)

        services.run_transcription(note_id=note.pk)  # would transcribe a second time in parallel

        note.refresh_from_db()
        assert (note.status, note.attempts) == (TranscriptionStatus.PROCESSING, 1)

    def test_processing_whose_heartbeat_stopped_goes_back_to_pending_long_before_the_time_limit(
        self, settings, booking, sent, django_capture_on_commit_callbacks
    ):
        settings.VOICE_HEARTBEAT_STALE_SECONDS = 30
        settings.VOICE_STALE_PROCESSING_SECONDS = 960
        beating = make_note(booking, status=TranscriptionStatus.PROCESSING, attempts=1, age_seconds=600)
        dead = make_note(booking, status=TranscriptionStatus.PROCESSING, attempts=1, age_seconds=40)
        now = timezone.now()
        VoiceNote.objects.filter(pk=beating.pk).update(heartbeat_at=now - datetime.timedelta(seconds=29))
        VoiceNote.objects.filter(pk=dead.pk).update(heartbeat_at=now - datetime.timedelta(seconds=31))

        result = run_on_commit(django_capture_on_commit_callbacks, recover_transcriptions)

        assert (result.requeued_stalled, sent) == (1, [dead.pk])
        dead.refresh_from_db()
        beating.refresh_from_db()
        assert dead.status == TranscriptionStatus.PENDING and "no heartbeat for 30 s" in dead.error
        assert beating.status == TranscriptionStatus.PROCESSING

    def test_a_note_waiting_for_a_webhook_has_no_heartbeat_to_miss(self, settings, booking, sent,
                                                                  django_capture_on_commit_callbacks):
        settings.VOICE_HEARTBEAT_STALE_SECONDS = 30
        note = make_note(booking, status=TranscriptionStatus.PROCESSING, attempts=1, age_seconds=120)
        VoiceNote.objects.filter(pk=note.pk).update(
            provider_job_id="job-1", heartbeat_at=timezone.now() - datetime.timedelta(seconds=120))

        assert run_on_commit(django_capture_on_commit_callbacks, recover_transcriptions).requeued_stalled == 0
        assert sent == []

    def test_a_redelivered_message_takes_over_a_note_whose_heartbeat_stopped(self, settings, booking):
        settings.VOICE_HEARTBEAT_STALE_SECONDS = 30
        settings.VOICE_TRANSCRIBER = "slow_transcriber.SlowTranscriber"
        alive = make_note(booking, status=TranscriptionStatus.PROCESSING, attempts=1, age_seconds=100)
        dead = make_note(booking, status=TranscriptionStatus.PROCESSING, attempts=1, age_seconds=100)
        now = timezone.now()
        VoiceNote.objects.filter(pk=alive.pk).update(heartbeat_at=now - datetime.timedelta(seconds=5))
        VoiceNote.objects.filter(pk=dead.pk).update(heartbeat_at=now - datetime.timedelta(seconds=31))

        services.run_transcription(note_id=alive.pk)  # its worker is alive: skipped
        services.run_transcription(note_id=dead.pk)  # its worker is gone: transcribed now

        alive.refresh_from_db()
        dead.refresh_from_db()
        assert (alive.status, alive.attempts) == (TranscriptionStatus.PROCESSING, 1)
        assert (dead.status, dead.attempts, dead.provider) == (TranscriptionStatus.COMPLETED, 2, "slow")

    def test_a_redelivered_message_of_a_note_out_of_attempts_ends_it_failed(self, settings, booking):
        settings.VOICE_HEARTBEAT_STALE_SECONDS = 30
        settings.VOICE_MAX_ATTEMPTS = 2
        note = make_note(booking, status=TranscriptionStatus.PROCESSING, attempts=2, age_seconds=100)
        VoiceNote.objects.filter(pk=note.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(seconds=31))

        services.run_transcription(note_id=note.pk)

        note.refresh_from_db()
        assert (note.status, note.attempts) == (TranscriptionStatus.FAILED, 2)
        assert note.error.startswith("Gave up after 2 attempts. The worker stopped during attempt 2")

    @pytest.mark.django_db(transaction=True)  # the heartbeat thread has a connection of its own
    def test_the_claim_stamps_the_heartbeat_and_the_actor_keeps_stamping(self, settings, booking, monkeypatch):
        import time

        from voice import tasks
        from voice.services import transcription

        settings.VOICE_HEARTBEAT_SECONDS = 0.2
        note = make_note(booking)
        stamps = []

        def transcribe_slowly(*, note_id):
            transcription._claim(note_id)
            for _ in range(4):
                time.sleep(0.3)
                stamps.append(VoiceNote.objects.values_list("heartbeat_at", flat=True).get(pk=note_id))

        monkeypatch.setattr(transcription, "run_transcription", transcribe_slowly)  # what the actor calls
        tasks.transcribe_voice_note.fn(note.pk)

        assert all(stamps) and stamps[-1] > stamps[0]  # stamped at the claim, then by the heartbeat thread

    def test_the_command_runs_one_sweep(self, settings, booking, sent, django_capture_on_commit_callbacks, capsys):
        settings.VOICE_PENDING_RESEND_SECONDS = 60
        make_note(booking, age_seconds=61)

        run_on_commit(django_capture_on_commit_callbacks, lambda: call_command("recover_transcriptions"))

        assert "re-sent 1 pending" in capsys.readouterr().out


def test_stale_threshold_must_exceed_the_time_limit():
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root / "backend"), "VOICE_TRANSCRIPTION_TIME_LIMIT_SECONDS": "900",
           "VOICE_STALE_PROCESSING_SECONDS": "900"}
    result = subprocess.run([sys.executable, "-c", "import booking_graph.settings"], env=env, capture_output=True,
                            text=True, cwd="/")

    assert result.returncode != 0 and "VOICE_STALE_PROCESSING_SECONDS must exceed" in result.stderr


class TestRetention:
    @pytest.fixture
    def past_stay(self, make_apartment, day):
        def make(check_out_days_ago: int) -> Booking:
            booking = booking_services.create_booking(
                accommodation_id=make_apartment().pk, start_date=day(1), end_date=day(2), guest_name="Ada")
            nights = booking.end_date - booking.start_date
            end = day(-check_out_days_ago)
            Booking.objects.filter(pk=booking.pk).update(start_date=end - nights, end_date=end)
            booking.refresh_from_db()
            return booking

        return make

    def test_audio_is_deleted_retention_days_after_check_out_and_the_transcript_kept(
        self, settings, past_stay, django_capture_on_commit_callbacks, staff_gql
    ):
        settings.VOICE_AUDIO_RETENTION_DAYS = 30
        expired = make_note(past_stay(31), status=TranscriptionStatus.COMPLETED, transcript="Late checkout")
        kept = make_note(past_stay(30), status=TranscriptionStatus.COMPLETED, transcript="Cot please")
        expired_key = expired.audio.name

        purged = run_on_commit(django_capture_on_commit_callbacks, purge_expired_audio)

        assert purged == 1
        expired.refresh_from_db()
        kept.refresh_from_db()
        assert (expired.audio.name, expired.transcript) == ("", "Late checkout")
        assert expired.audio_deleted_at is not None
        assert not default_storage.exists(expired_key)
        assert kept.audio.name and default_storage.exists(kept.audio.name) and kept.audio_deleted_at is None
        read = staff_gql("query($id: ID!) { voiceNote(id: $id) { audioUrl audioDeletedAt transcript } }",
                         {"id": expired.pk}).data["voiceNote"]
        assert read["audioUrl"] is None and read["audioDeletedAt"] and read["transcript"] == "Late checkout"
        staff_gql.fetch_csrf_cookie()
        assert staff_gql.client.get(f"/voice-notes/{expired.pk}/audio/").status_code == 404

    def test_audio_of_a_running_transcription_waits(self, settings, past_stay, django_capture_on_commit_callbacks):
        settings.VOICE_AUDIO_RETENTION_DAYS = 0
        running = make_note(past_stay(5), status=TranscriptionStatus.PROCESSING)

        assert run_on_commit(django_capture_on_commit_callbacks, purge_expired_audio) == 0
        running.refresh_from_db()
        assert running.audio.name

    def test_the_database_holds_audio_stored_or_deleted(self, booking):
        from django.db import IntegrityError, transaction

        note = make_note(booking)
        with pytest.raises(IntegrityError), transaction.atomic():
            VoiceNote.objects.filter(pk=note.pk).update(audio="")  # gone without saying when
        with pytest.raises(IntegrityError), transaction.atomic():
            VoiceNote.objects.filter(pk=note.pk).update(audio_deleted_at=timezone.now())  # "deleted" but still there

    def test_the_command_purges_every_batch(self, settings, past_stay, django_capture_on_commit_callbacks, capsys):
        settings.VOICE_AUDIO_RETENTION_DAYS = 1
        for _ in range(3):
            make_note(past_stay(10), status=TranscriptionStatus.FAILED)

        run_on_commit(django_capture_on_commit_callbacks, lambda: call_command("purge_voice_audio"))

        assert "deleted the audio of 3 voice note(s)" in capsys.readouterr().out
        assert VoiceNote.objects.filter(audio_deleted_at__isnull=True).count() == 0


class TestErasure:
    def test_staff_erase_a_bookings_personal_data(self, staff_gql, booking, django_capture_on_commit_callbacks,
                                                  caplog):
        notes = [make_note(booking, status=TranscriptionStatus.COMPLETED, transcript="Ada wants a cot")
                 for _ in range(2)]
        other = make_note(booking_services.create_booking(
            accommodation_id=booking.accommodation_id, start_date=booking.end_date,
            end_date=booking.end_date + datetime.timedelta(days=1), guest_name="Grace Hopper"))
        keys = [note.audio.name for note in notes]

        with caplog.at_level(logging.WARNING, logger="voice.erasure"), django_capture_on_commit_callbacks(execute=True):
            answer = staff_gql(ERASE, {"id": booking.pk}).data["eraseBookingPersonalData"]

        assert answer == {"__typename": "Booking", "id": str(booking.pk), "guestName": "[erased]",
                          "startDate": str(booking.start_date), "voiceNotes": []}
        booking.refresh_from_db()
        assert (booking.guest_name, booking.status) == ("[erased]", "CONFIRMED")  # still blocks its nights
        assert not VoiceNote.objects.filter(pk__in=[n.pk for n in notes]).exists()
        assert not any(default_storage.exists(key) for key in keys)
        assert VoiceNote.objects.filter(pk=other.pk).exists()
        assert Booking.objects.get(pk=other.booking_id).guest_name == "Grace Hopper"
        [line] = [r for r in caplog.records if r.msg == "booking.personal_data_erased"]
        assert (line.booking_id, line.voice_notes_deleted) == (booking.pk, 2)

    @pytest.mark.parametrize("client_fixture", ["gql", "user_gql"])
    def test_only_staff_may_erase(self, request, client_fixture, booking):
        client = request.getfixturevalue(client_fixture)

        response = client(ERASE, {"id": booking.pk})

        booking.refresh_from_db()
        assert booking.guest_name == "Ada Lovelace"
        assert response.body["data"] is None or response.body["data"]["eraseBookingPersonalData"][
            "__typename"] == "OperationInfo"

    @pytest.mark.parametrize("bad_id", ["999999", "abc", "-1"])
    def test_an_unknown_booking_is_not_found(self, staff_gql, bad_id):
        answer = staff_gql(ERASE, {"id": bad_id}).data["eraseBookingPersonalData"]

        assert answer["__typename"] == "OperationInfo" and answer["messages"][0]["code"] == "not_found"

    def test_the_command_erases_and_says_so(self, booking, capsys):
        call_command("erase_booking", str(booking.pk))

        booking.refresh_from_db()
        assert booking.guest_name == "[erased]"
        assert f"booking {booking.pk}: personal data erased" in capsys.readouterr().out

    def test_the_command_refuses_an_unknown_booking(self, db):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError, match="booking 424242"):
            call_command("erase_booking", "424242")
