"""Upload through GraphQL -> Redis -> a real Dramatiq worker -> provider -> COMPLETED.

Providers: the offline default (the real Whisper model, no stub) and AssemblyAI on loopback."""
from __future__ import annotations

import pytest
from django.conf import settings
from fake_assemblyai import fake_assemblyai  # noqa: F401  (fixture)
from test_transcription_worker import wait_for_status
from voice_helpers import FIXTURES, multipart_upload
from wer import wer

from voice.models import TranscriptionStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def assemblyai_settings(settings, fake_assemblyai):
    settings.VOICE_TRANSCRIBER = "assemblyai"
    settings.ASSEMBLYAI_API_KEY = fake_assemblyai.api_key
    settings.ASSEMBLYAI_BASE_URL = fake_assemblyai.base_url
    settings.ASSEMBLYAI_POLLING_INTERVAL = 0.01
    return fake_assemblyai


def test_real_speech_from_a_phone_is_transcribed_offline_by_default(staff_gql, booking, worker):
    # LibriVox read speech as WebM/Opus at 12 kbit/s, like a phone's MediaRecorder upload.
    audio = (FIXTURES / "librivox" / "sense_and_sensibility_01_austen_64kb-0870.opus12k.webm").read_bytes()
    reference = "and mister john dashwood had then leisure to consider how much there might be prudently in his power to do for them"

    response = multipart_upload(staff_gql, booking_id=booking.pk, filename="memo.webm", content=audio)
    note_id = int(response.json()["data"]["addVoiceNote"]["id"])

    note = wait_for_status(note_id, {TranscriptionStatus.COMPLETED, TranscriptionStatus.FAILED}, timeout=120)
    assert (note.status, note.provider, note.language, note.error) == (TranscriptionStatus.COMPLETED, "whisper", "en", "")
    assert wer(reference, note.transcript) <= 0.1
    assert 0 < note.confidence <= 1
    assert note.extra["segments"][0]["start"] >= 0 and note.extra["segments"][-1]["end"] <= 7.6
    read_back = staff_gql("query($id: ID!) { voiceNote(id: $id) { status transcript provider } }", {"id": note_id}).data
    assert read_back["voiceNote"] == {"status": "COMPLETED", "transcript": note.transcript, "provider": "whisper"}


def test_a_spanish_note_at_a_barcelona_place_comes_back_in_spanish(staff_gql, make_apartment, day, worker):
    # The place takes notes in Spanish and English: the language is detected between those two only.
    from bookings import services as booking_services

    place = make_apartment(name="Gràcia Studio", location="Barcelona")
    place.voice_languages = ["es", "en"]
    place.save(update_fields=["voice_languages"])
    booking = booking_services.create_booking(
        accommodation_id=place.pk, start_date=day(2), end_date=day(4), guest_name="Lola Flores"
    )
    audio = (FIXTURES / "multilingual" / "es_ss-noservice.wav").read_bytes()
    reference = "El numero que usted ha marcado esta fuera de servicio. Por favor verifique el numero y vuelva a intentar."

    response = multipart_upload(staff_gql, booking_id=booking.pk, filename="nota.wav", content=audio)
    note_id = int(response.json()["data"]["addVoiceNote"]["id"])

    note = wait_for_status(note_id, {TranscriptionStatus.COMPLETED, TranscriptionStatus.FAILED}, timeout=120)
    assert (note.status, note.language, note.language_source) == (TranscriptionStatus.COMPLETED, "es", "detected")
    assert wer(reference, note.transcript, "es") <= 0.15
    assert set(note.extra["language_probabilities"]) == {"es", "en"}


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
    # The hotel vocabulary and this booking's names go with the request as key terms.
    request = assemblyai_settings.transcripts[note.provider_job_id]["request"]
    assert request["keyterms_prompt"] == [*settings.VOICE_KEY_TERMS, booking.accommodation.name, "Ada Lovelace"]

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
