"""Upload through GraphQL -> Redis -> a real Dramatiq worker -> AssemblyAI (loopback) -> COMPLETED."""
from __future__ import annotations

import pytest
from fake_assemblyai import fake_assemblyai  # noqa: F401  (fixture)
from test_transcription_worker import wait_for_status
from voice_helpers import FIXTURES, multipart_upload

from voice.models import TranscriptionStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def assemblyai_settings(settings, fake_assemblyai):
    settings.VOICE_TRANSCRIBER = "assemblyai"
    settings.ASSEMBLYAI_API_KEY = fake_assemblyai.api_key
    settings.ASSEMBLYAI_BASE_URL = fake_assemblyai.base_url
    settings.ASSEMBLYAI_POLLING_INTERVAL = 0.01
    return fake_assemblyai


def test_uploaded_note_is_transcribed_by_the_worker(assemblyai_settings, staff_gql, booking, worker):
    audio = (FIXTURES / "late_checkout.webm").read_bytes()

    response = multipart_upload(staff_gql, booking_id=booking.pk, filename="memo.webm", content=audio)
    note_id = response.json()["data"]["addVoiceNote"]["id"]

    note = wait_for_status(int(note_id), {TranscriptionStatus.COMPLETED, TranscriptionStatus.FAILED})
    assert note.status == TranscriptionStatus.COMPLETED
    assert (note.transcript, note.provider, note.language) == (assemblyai_settings.text, "assemblyai", "en")
    assert note.provider_job_id in assemblyai_settings.transcripts
    uploaded = next(r for r in assemblyai_settings.received if r.path == "/v2/upload")
    assert uploaded.body_size == len(audio)

    read_back = staff_gql(
        "query($id: ID!) { booking(id: $id) { voiceNotes { status transcript provider } } }", {"id": booking.pk}
    ).data
    assert read_back["booking"]["voiceNotes"] == [
        {"status": "COMPLETED", "transcript": assemblyai_settings.text, "provider": "assemblyai"}
    ]


def test_provider_outage_is_retried_until_it_recovers(assemblyai_settings, staff_gql, booking, worker):
    assemblyai_settings.fail("/v2/upload", 503, times=2)
    audio = (FIXTURES / "late_checkout.mp3").read_bytes()

    response = multipart_upload(staff_gql, booking_id=booking.pk, filename="memo.mp3", content=audio)
    note_id = int(response.json()["data"]["addVoiceNote"]["id"])

    note = wait_for_status(note_id, {TranscriptionStatus.COMPLETED, TranscriptionStatus.FAILED})
    assert (note.status, note.attempts) == (TranscriptionStatus.COMPLETED, 3)
