"""Webhook mode (ASSEMBLYAI_WEBHOOK_URL set): the worker submits and returns, AssemblyAI (the
loopback fake) calls /webhooks/assemblyai/ on the app served by uvicorn, the note completes
without polling; repeated, forged, unknown and missing webhooks."""
from __future__ import annotations

import json
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from fake_assemblyai import fake_assemblyai  # noqa: F401  (fixture)
from test_transcription_worker import wait_for_status
from voice_helpers import FIXTURES, make_wav, multipart_upload

from voice.models import TranscriptionStatus, VoiceNote
from voice.transcribers.assemblyai import WEBHOOK_SECRET_HEADER

SECRET = "webhook-secret-for-tests-0123456789"
URL = "/webhooks/assemblyai/"
DONE = {TranscriptionStatus.COMPLETED, TranscriptionStatus.FAILED}


@pytest.fixture
def webhook_mode(settings, fake_assemblyai, server):
    settings.VOICE_TRANSCRIBER = "assemblyai"
    settings.ASSEMBLYAI_API_KEY = fake_assemblyai.api_key
    settings.ASSEMBLYAI_BASE_URL = fake_assemblyai.base_url
    settings.ASSEMBLYAI_POLLING_INTERVAL = 0.01
    settings.ASSEMBLYAI_WEBHOOK_URL = server.url + URL
    settings.ASSEMBLYAI_WEBHOOK_SECRET = SECRET
    settings.ASSEMBLYAI_WEBHOOK_TIMEOUT_SECONDS = 600  # tests that want the lookup shorten it
    return fake_assemblyai


def wait_for(read, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while (value := read()) is None:
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
    return value


def transcript_gets(fake) -> list[str]:
    return [path for path in fake.paths("GET") if path.startswith("/v2/transcript/")]


def upload(staff_gql, booking) -> int:
    response = multipart_upload(staff_gql, booking_id=booking.pk, filename="memo.mp3",
                                content=(FIXTURES / "late_checkout.mp3").read_bytes())
    return int(response.json()["data"]["addVoiceNote"]["id"])


@pytest.mark.django_db(transaction=True)
class TestThroughTheWorker:
    def test_webhook_completes_the_note_without_polling_and_a_repeat_changes_nothing(
        self, webhook_mode, staff_gql, booking, worker
    ):
        note = wait_for_status(upload(staff_gql, booking), DONE)

        assert (note.status, note.transcript, note.provider) == (
            TranscriptionStatus.COMPLETED, webhook_mode.text, "assemblyai")
        job_id = note.provider_job_id
        created = webhook_mode.transcripts[job_id]["request"]
        assert created["webhook_url"].startswith("http://127.0.0.1:") and created["webhook_url"].endswith(URL)
        assert (created["webhook_auth_header_name"], created["webhook_auth_header_value"]) == (
            WEBHOOK_SECRET_HEADER, SECRET)
        # The fake records a delivery once our answer is back, just after the note was written; a
        # delivery racing the worker's write of the job id was refused (404) and delivered again.
        deliveries = wait_for(lambda: [code for job, code in webhook_mode.webhook_deliveries if job == job_id]
                              if (job_id, 200) in webhook_mode.webhook_deliveries else None)
        assert deliveries[-1] == 200 and set(deliveries[:-1]) <= {404}
        assert transcript_gets(webhook_mode) == [f"/v2/transcript/{job_id}"]  # fetched once, never polled

        assert webhook_mode.deliver_webhook(job_id) == 200  # late or repeated delivery
        again = VoiceNote.objects.get(pk=note.pk)
        assert (again.status, again.transcribed_at, again.updated_at) == (
            note.status, note.transcribed_at, note.updated_at)
        assert len(transcript_gets(webhook_mode)) == 1

    def test_webhook_for_a_failed_transcript_fails_the_note(self, webhook_mode, staff_gql, booking, worker):
        webhook_mode.final_error = "Transcoding failed. File does not appear to contain audio."

        note = wait_for_status(upload(staff_gql, booking), DONE)

        assert note.status == TranscriptionStatus.FAILED and "does not appear to contain audio" in note.error

    def test_webhook_never_arriving_the_note_is_looked_up(self, webhook_mode, settings, staff_gql, booking, worker):
        webhook_mode.send_webhooks = False
        webhook_mode.polls_before_done = 1  # still processing at the first lookup, done at the second
        settings.ASSEMBLYAI_WEBHOOK_TIMEOUT_SECONDS = 0.2

        note = wait_for_status(upload(staff_gql, booking), DONE)

        assert (note.status, note.transcript) == (TranscriptionStatus.COMPLETED, webhook_mode.text)
        assert webhook_mode.webhook_deliveries == []
        assert transcript_gets(webhook_mode) == [f"/v2/transcript/{note.provider_job_id}"] * 2

    def test_lookups_give_up_after_the_limit(self, webhook_mode, settings, staff_gql, booking, worker):
        webhook_mode.send_webhooks = False
        webhook_mode.polls_before_done = 100
        settings.ASSEMBLYAI_WEBHOOK_TIMEOUT_SECONDS = 0.1
        settings.ASSEMBLYAI_WEBHOOK_MAX_LOOKUPS = 2

        note = wait_for_status(upload(staff_gql, booking), DONE)

        assert note.status == TranscriptionStatus.FAILED and "after 2 lookups" in note.error
        assert len(transcript_gets(webhook_mode)) == 2


@pytest.fixture
def waiting_note(booking):
    """A note submitted in webhook mode, waiting for AssemblyAI's callback."""
    audio = make_wav(0.5)
    name = default_storage.save(f"voice-notes/{booking.pk}/w.wav", ContentFile(audio))
    return VoiceNote.objects.create(
        booking=booking, audio=name, content_type="audio/wav", size_bytes=len(audio), duration_seconds=0.5,
        status=TranscriptionStatus.PROCESSING, attempts=1, provider="assemblyai", provider_job_id="job-123",
    )


def post_webhook(body, *, secret: str | None = SECRET):
    headers = {WEBHOOK_SECRET_HEADER: secret} if secret is not None else {}
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return Client().post(URL, data, content_type="application/json", headers=headers)


@pytest.fixture
def webhook_settings(settings, fake_assemblyai):
    settings.ASSEMBLYAI_API_KEY = fake_assemblyai.api_key
    settings.ASSEMBLYAI_BASE_URL = fake_assemblyai.base_url
    settings.ASSEMBLYAI_WEBHOOK_URL = "https://api.example.com/webhooks/assemblyai/"
    settings.ASSEMBLYAI_WEBHOOK_SECRET = SECRET
    return fake_assemblyai


@pytest.mark.django_db
@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET[:-1], SECRET + "x"])
def test_bad_or_missing_secret_is_refused(webhook_settings, waiting_note, secret):
    response = post_webhook({"transcript_id": "job-123", "status": "completed"}, secret=secret)

    assert response.status_code == 401
    waiting_note.refresh_from_db()
    assert waiting_note.status == TranscriptionStatus.PROCESSING
    assert webhook_settings.received == []  # nothing was fetched for a forged call


@pytest.mark.django_db
def test_unknown_transcript_id_is_refused(webhook_settings, waiting_note):
    response = post_webhook({"transcript_id": "job-999", "status": "completed"})

    assert response.status_code == 404 and "job-999" in response.json()["error"]
    waiting_note.refresh_from_db()
    assert waiting_note.status == TranscriptionStatus.PROCESSING


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["not json", "[]", "{}", {"transcript_id": 12}, {"transcript_id": ""},
                                  {"transcript_id": "x" * 129}, b"\xff\xfe"])
def test_malformed_webhook_body_is_a_400(webhook_settings, waiting_note, body):
    assert post_webhook(body).status_code == 400


@pytest.mark.django_db
def test_only_post_and_only_in_webhook_mode(webhook_settings, settings):
    assert Client().get(URL).status_code == 405
    settings.ASSEMBLYAI_WEBHOOK_URL = ""
    assert post_webhook({"transcript_id": "job-123"}).status_code == 404


@pytest.mark.django_db
def test_provider_unreachable_answers_503_so_the_webhook_is_delivered_again(webhook_settings, waiting_note):
    webhook_settings.fail("/v2/transcript/", 503)

    response = post_webhook({"transcript_id": "job-123", "status": "completed"})

    assert response.status_code == 503
    waiting_note.refresh_from_db()
    assert waiting_note.status == TranscriptionStatus.PROCESSING


def test_webhook_mode_needs_a_real_secret():
    import subprocess
    import sys
    from pathlib import Path

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "booking_graph.settings",
             "ASSEMBLYAI_WEBHOOK_URL": "https://api.example.com/webhooks/assemblyai/", "ASSEMBLYAI_WEBHOOK_SECRET": "short",
             "PYTHONPATH": "backend"},
        capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode != 0 and "ASSEMBLYAI_WEBHOOK_SECRET" in result.stderr


@pytest.mark.django_db
def test_recovery_sweep_leaves_a_note_awaiting_its_webhook_until_the_lookups_are_over(webhook_settings, waiting_note,
                                                                                      settings):
    """A submitted note has no worker on it: it is not 'stalled' while its webhook/lookups may still come."""
    import datetime

    from django.utils import timezone

    from voice.recovery import recover_transcriptions

    settings.ASSEMBLYAI_WEBHOOK_TIMEOUT_SECONDS = 600
    settings.ASSEMBLYAI_WEBHOOK_MAX_LOOKUPS = 6  # lookups over by 4,200 s after submission
    settings.VOICE_STALE_PROCESSING_SECONDS = 960
    submitted = timezone.now() - datetime.timedelta(seconds=2000)  # stale for a worker, not for a webhook
    VoiceNote.objects.filter(pk=waiting_note.pk).update(updated_at=submitted)

    assert recover_transcriptions().requeued_stalled == 0
    waiting_note.refresh_from_db()
    assert waiting_note.status == TranscriptionStatus.PROCESSING

    VoiceNote.objects.filter(pk=waiting_note.pk).update(updated_at=timezone.now() - datetime.timedelta(seconds=4300))
    assert recover_transcriptions().requeued_stalled == 1
    waiting_note.refresh_from_db()
    assert waiting_note.status == TranscriptionStatus.PENDING


@pytest.mark.django_db
def test_webhook_calls_are_rate_limited_per_address_before_the_secret_check(webhook_settings, waiting_note,
                                                                            settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "webhook": "2/m"}
    guesses = [post_webhook({"transcript_id": "job-123", "status": "completed"}, secret=f"guess-{n}")
               for n in range(2)]

    refused = post_webhook({"transcript_id": "job-123", "status": "completed"})  # even with the right secret

    assert [g.status_code for g in guesses] == [401, 401]
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    waiting_note.refresh_from_db()
    assert waiting_note.status == TranscriptionStatus.PROCESSING
    other = Client(REMOTE_ADDR="198.51.100.4").post(
        URL, json.dumps({"transcript_id": "job-999"}), content_type="application/json", headers={"X-Test": "1"})
    assert other.status_code == 401  # another address still reaches the secret check
