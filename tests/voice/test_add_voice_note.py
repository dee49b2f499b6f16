"""addVoiceNote through the real GraphQL view with multipart requests."""
from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from graphql_client import GraphQLClient
from voice_helpers import FIXTURES, FORMAT_FIXTURES, make_wav, multipart_upload

from voice.models import TranscriptionStatus, VoiceNote

pytestmark = pytest.mark.django_db


def stored_files() -> list[str]:
    if not default_storage.exists("voice-notes"):
        return []
    found = []
    for booking_dir in default_storage.listdir("voice-notes")[0]:
        found += [f"voice-notes/{booking_dir}/{name}" for name in default_storage.listdir(f"voice-notes/{booking_dir}")[1]]
    return found


def answer(response) -> dict:
    assert response.status_code == 200, response.content
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["addVoiceNote"]


def refusal_codes(response) -> list[str]:
    result = answer(response)
    assert result["__typename"] == "OperationInfo", result
    return [message["code"] for message in result["messages"]]


def test_staff_upload_creates_pending_note_and_enqueues_after_commit(
    staff_gql, booking, wav_bytes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = multipart_upload(staff_gql, booking_id=booking.pk, filename="note.mp3", content=wav_bytes)
    result = answer(response)

    assert result["__typename"] == "VoiceNote"
    note = VoiceNote.objects.get(pk=result["id"])
    assert note.status == TranscriptionStatus.PENDING
    assert result["contentType"] == "audio/wav"  # from the bytes, not the misleading ".mp3" name
    assert result["originalFilename"] == "note.mp3"
    assert result["sizeBytes"] == len(wav_bytes)
    assert result["durationSeconds"] == pytest.approx(1.5, abs=0.05)
    assert note.author.username == "staff"
    assert note.audio.name.startswith(f"voice-notes/{booking.pk}/") and note.audio.name.endswith(".wav")
    assert "note" not in note.audio.name.rsplit("/", 1)[-1]  # unguessable key, not the client's name
    with default_storage.open(note.audio.name, "rb") as stored:
        assert stored.read() == wav_bytes
    assert result["audioUrl"].endswith(f"/voice-notes/{note.pk}/audio/")
    assert len(callbacks) == 2  # the live update and the job are sent on commit, not before


@pytest.mark.parametrize(
    ("filename", "content", "code"),
    [
        pytest.param("empty.wav", b"", "empty_audio", id="empty"),
        pytest.param("notes.mp3", b"this is plain text pretending to be mp3\n" * 20, "unsupported_audio_format", id="text-as-mp3"),
        pytest.param("image.wav", b"\x89PNG\r\n\x1a\n" + bytes(500), "unsupported_audio_format", id="png"),
        pytest.param("cut.wav", make_wav(1.0)[:44], "undecodable_audio", id="wav-header-only"),
    ],
)
def test_bad_audio_is_refused_and_nothing_is_stored(staff_gql, booking, filename, content, code):
    response = multipart_upload(staff_gql, booking_id=booking.pk, filename=filename, content=content)

    assert refusal_codes(response) == [code]
    assert VoiceNote.objects.count() == 0
    assert stored_files() == []


def test_too_large_is_refused(staff_gql, booking, settings):
    settings.VOICE_MAX_UPLOAD_BYTES = 10_000
    response = multipart_upload(staff_gql, booking_id=booking.pk, filename="a.wav", content=make_wav(1.0))

    assert refusal_codes(response) == ["audio_too_large"]
    assert VoiceNote.objects.count() == 0 and stored_files() == []


def test_request_above_multipart_cap_is_refused_before_reading(staff_gql, booking, settings):
    settings.MULTIPART_MAX_REQUEST_BYTES = 5_000
    response = multipart_upload(staff_gql, booking_id=booking.pk, filename="a.wav", content=make_wav(1.0))

    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "audio_too_large"
    assert VoiceNote.objects.count() == 0 and stored_files() == []


def test_too_long_is_refused(staff_gql, booking, settings):
    settings.VOICE_MAX_DURATION_SECONDS = 1.0
    response = multipart_upload(staff_gql, booking_id=booking.pk, filename="a.wav", content=make_wav(2.0))

    assert refusal_codes(response) == ["audio_too_long"]
    assert VoiceNote.objects.count() == 0 and stored_files() == []


@pytest.mark.parametrize("booking_id", ["999999", "abc", "-3"])
def test_unknown_booking_is_not_found(staff_gql, booking, wav_bytes, booking_id):
    response = multipart_upload(staff_gql, booking_id=booking_id, filename="a.wav", content=wav_bytes)

    assert refusal_codes(response) == ["not_found"]
    assert VoiceNote.objects.count() == 0 and stored_files() == []


def test_row_failure_after_storage_write_removes_the_object(staff_gql, booking, wav_bytes, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(VoiceNote.objects, "create", explode)
    response = multipart_upload(staff_gql, booking_id=booking.pk, filename="a.wav", content=wav_bytes)

    assert response.status_code == 200 and response.json()["errors"]  # an error, not a 500 page
    assert stored_files() == []


@pytest.mark.parametrize("client_fixture", ["gql", "user_gql"])
def test_anonymous_and_non_staff_cannot_upload(request, client_fixture, booking, wav_bytes):
    client = request.getfixturevalue(client_fixture)
    response = multipart_upload(client, booking_id=booking.pk, filename="a.wav", content=wav_bytes)

    assert answer(response)["messages"][0]["kind"] == "PERMISSION"
    assert VoiceNote.objects.count() == 0 and stored_files() == []


def test_session_upload_without_csrf_token_is_refused(staff_user, booking, wav_bytes):
    """Multipart is a 'simple' content type a cross-site form can send: a session needs the token."""
    client = GraphQLClient(Client(enforce_csrf_checks=True))
    client.client.force_login(staff_user)  # session cookie, but no csrftoken cookie/header

    response = multipart_upload(client, booking_id=booking.pk, filename="a.wav", content=wav_bytes)

    assert response.status_code == 403
    assert VoiceNote.objects.count() == 0 and stored_files() == []




@pytest.mark.parametrize(("filename", "expected"), FORMAT_FIXTURES.items(), ids=list(FORMAT_FIXTURES))
def test_every_accepted_format_uploads(staff_gql, booking, filename, expected):
    content = (FIXTURES / filename).read_bytes()

    result = answer(multipart_upload(staff_gql, booking_id=booking.pk, filename="recording.bin", content=content))

    assert result["__typename"] == "VoiceNote", result
    assert result["contentType"] == expected[1]
    assert VoiceNote.objects.get(pk=result["id"]).audio.name.endswith("." + expected[2])
    assert 3.0 < result["durationSeconds"] < 4.0


@pytest.mark.parametrize(
    ("filename", "code"),
    [
        ("bad_empty.wav", "empty_audio"),
        ("bad_text.mp3", "unsupported_audio_format"),
        ("bad_image.png", "unsupported_audio_format"),
        ("bad_header_only.wav", "undecodable_audio"),
        ("bad_truncated.mp3", "undecodable_audio"),
    ],
)
def test_bad_fixture_files_are_refused(staff_gql, booking, filename, code):
    content = (FIXTURES / filename).read_bytes()

    assert refusal_codes(multipart_upload(staff_gql, booking_id=booking.pk, filename=filename, content=content)) == [code]
    assert VoiceNote.objects.count() == 0 and stored_files() == []


@pytest.mark.parametrize("samples, rate", [(60640, 16000), (44100 * 3 + 7, 44100), (1, 8000)])
def test_duration_is_the_sample_count_over_the_rate(samples, rate):
    """No float drift from adding frame by frame: 60,640 samples at 16 kHz are 3.79 s, not 3.7900000000000027."""
    import io

    from voice.audio import probe

    wav = make_wav(seconds=samples / rate, rate=rate)
    assert probe(io.BytesIO(wav)).duration_seconds == samples / rate
