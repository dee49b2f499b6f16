"""The S3 path end to end against a real S3-compatible server on loopback."""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.test import Client
from s3_server import start_s3_server
from scripted_transcriber import ScriptedTranscriber
from voice_helpers import multipart_upload

from voice import services
from voice.models import TranscriptionStatus, VoiceNote
from voice.transcribers.base import Transcript


@pytest.fixture(scope="session")
def s3_server():
    server, stop = start_s3_server()
    yield server
    stop()


@pytest.fixture
def s3_storage(settings, s3_server):
    settings.USE_S3 = True
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_server.storage_options()},
    }
    return s3_server


def object_keys(server) -> list[str]:
    listing = server.client().list_objects_v2(Bucket=server.bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.django_db
def test_upload_writes_to_s3_and_worker_reads_it_back(s3_storage, staff_gql, booking, wav_bytes, settings):
    before = set(object_keys(s3_storage))
    response = multipart_upload(staff_gql, booking_id=booking.pk, filename="memo.wav", content=wav_bytes)
    note = VoiceNote.objects.get(pk=response.json()["data"]["addVoiceNote"]["id"])

    new_keys = set(object_keys(s3_storage)) - before
    assert new_keys == {note.audio.name}
    body = s3_storage.client().get_object(Bucket=s3_storage.bucket, Key=note.audio.name)["Body"].read()
    assert body == wav_bytes

    settings.VOICE_TRANSCRIBER = "scripted_transcriber.ScriptedTranscriber"
    ScriptedTranscriber.script(Transcript(text="from s3"))
    services.run_transcription(note_id=note.pk)
    assert ScriptedTranscriber.calls == [len(wav_bytes)]
    assert VoiceNote.objects.get(pk=note.pk).status == TranscriptionStatus.COMPLETED


@pytest.mark.django_db
def test_download_redirects_to_a_presigned_url_that_expires_and_checks_its_signature(
    s3_storage, staff_gql, staff_user, booking, wav_bytes
):
    response = multipart_upload(staff_gql, booking_id=booking.pk, filename="memo.wav", content=wav_bytes)
    note_id = response.json()["data"]["addVoiceNote"]["id"]
    client = Client()
    client.force_login(staff_user)

    redirect = client.get(f"/voice-notes/{note_id}/audio/")

    assert redirect.status_code == 302
    url = redirect["Location"]
    query = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)
    assert query["X-Amz-Expires"] == ["300"]  # minutes, not forever
    assert fetch(url) == (200, wav_bytes)
    tampered = url.replace("X-Amz-Signature=", "X-Amz-Signature=0")
    assert fetch(tampered)[0] == 403


@pytest.mark.django_db
def test_delete_removes_the_s3_object(s3_storage, staff_gql, booking, wav_bytes, django_capture_on_commit_callbacks):
    response = multipart_upload(staff_gql, booking_id=booking.pk, filename="memo.wav", content=wav_bytes)
    note = VoiceNote.objects.get(pk=response.json()["data"]["addVoiceNote"]["id"])
    assert note.audio.name in object_keys(s3_storage)

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_voice_note(note_id=note.pk)

    assert note.audio.name not in object_keys(s3_storage)


@pytest.mark.django_db
def test_refused_upload_leaves_nothing_in_the_bucket(s3_storage, staff_gql, booking):
    before = object_keys(s3_storage)

    response = multipart_upload(staff_gql, booking_id=booking.pk, filename="x.mp3", content=b"not audio at all" * 10)

    assert response.json()["data"]["addVoiceNote"]["messages"][0]["code"] == "unsupported_audio_format"
    assert object_keys(s3_storage) == before
