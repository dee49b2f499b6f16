"""Reading, downloading, retrying and deleting voice notes; who may do it."""
from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from voice_helpers import make_wav

from voice.models import TranscriptionStatus, VoiceNote

pytestmark = pytest.mark.django_db

NOTE_FIELDS = """
  id status transcript confidence language durationSeconds contentType sizeBytes originalFilename
  audioUrl provider error attempts createdAt transcribedAt booking { id guestName }
"""


def make_note(booking, *, status=TranscriptionStatus.COMPLETED, transcript="Room 12 wants a late check-out", **extra):
    audio = make_wav(0.5)
    name = default_storage.save(f"voice-notes/{booking.pk}/n.wav", ContentFile(audio))
    return VoiceNote.objects.create(
        booking=booking, audio=name, content_type="audio/wav", size_bytes=len(audio), duration_seconds=0.5,
        status=status, transcript=transcript, **extra,
    )


def test_staff_reads_notes_on_booking_newest_first(staff_gql, booking):
    older = make_note(booking, transcript="first")
    newer = make_note(booking, transcript="second")

    data = staff_gql(
        "query($id: ID!) { booking(id: $id) { voiceNotes { id transcript } } }", {"id": booking.pk}
    ).data

    assert [n["id"] for n in data["booking"]["voiceNotes"]] == [str(newer.pk), str(older.pk)]


def test_staff_reads_one_note_with_every_field(staff_gql, booking):
    note = make_note(booking, confidence=0.9, language="en", provider="whisper", attempts=1)

    result = staff_gql(f"query($id: ID!) {{ voiceNote(id: $id) {{ {NOTE_FIELDS} }} }}", {"id": note.pk}).data

    fetched = result["voiceNote"]
    assert fetched["status"] == "COMPLETED" and fetched["transcript"] == "Room 12 wants a late check-out"
    assert (fetched["confidence"], fetched["language"], fetched["provider"]) == (0.9, "en", "whisper")
    assert fetched["booking"] == {"id": str(booking.pk), "guestName": "Ada Lovelace"}
    assert fetched["audioUrl"] == f"http://testserver/voice-notes/{note.pk}/audio/"


def test_segments_give_each_stretch_of_text_its_time(staff_gql, booking):
    segments = [{"start": 0.0, "end": 1.4, "text": "Room 12"}, {"start": 1.4, "end": 2.9, "text": "wants a late checkout"}]
    timed = make_note(booking, extra={"segments": segments, "language_probability": 1.0})
    untimed = make_note(booking, extra={})  # e.g. AssemblyAI: no segments
    odd = make_note(booking, extra={"segments": [{"start": 0.0}, "junk", {"start": 1, "end": 2, "text": "ok"}]})

    def read(note):
        query = "query($id: ID!) { voiceNote(id: $id) { segments { start end text } } }"
        return staff_gql(query, {"id": note.pk}).data["voiceNote"]["segments"]

    assert read(timed) == segments
    assert read(untimed) == []
    assert read(odd) == [{"start": 1.0, "end": 2.0, "text": "ok"}]  # malformed entries are skipped, not a 500


def test_unknown_or_malformed_note_id_is_null(staff_gql):
    for note_id in ("424242", "nope"):
        assert staff_gql("query($id: ID!) { voiceNote(id: $id) { id } }", {"id": note_id}).data == {"voiceNote": None}


def test_staff_downloads_the_audio(staff_user, booking):
    """Through Django's ASGI handler, as served: the body streams in chunks (an async iterator)."""
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    note = make_note(booking)
    client = AsyncClient()

    async def download():
        await client.aforce_login(staff_user)
        response = await client.get(f"/voice-notes/{note.pk}/audio/")
        return response, [chunk async for chunk in response.streaming_content]

    response, chunks = async_to_sync(download)()

    assert response.status_code == 200 and response.is_async
    assert response["Content-Type"] == "audio/wav"
    with default_storage.open(note.audio.name, "rb") as stored:
        content = stored.read()
    assert b"".join(chunks) == content and int(response["Content-Length"]) == len(content)


@pytest.mark.parametrize("who", ["anonymous", "non-staff"])
def test_download_refused_to_anonymous_and_non_staff(who, plain_user, booking):
    note = make_note(booking)
    client = Client()
    if who == "non-staff":
        client.force_login(plain_user)

    response = client.get(f"/voice-notes/{note.pk}/audio/")

    assert response.status_code == 302 and "/admin/login/" in response["Location"]  # to the staff login


@pytest.mark.parametrize("client_fixture", ["gql", "user_gql"])
def test_reading_notes_refused_to_anonymous_and_non_staff(request, client_fixture, booking):
    note = make_note(booking)
    client = request.getfixturevalue(client_fixture)

    response = client("query($id: ID!) { voiceNote(id: $id) { transcript } }", {"id": note.pk})

    assert response.body["data"] is None or response.body["data"]["voiceNote"] is None
    assert response.errors and "staff" in response.errors[0]["message"]


def test_voice_notes_hidden_from_public_create_booking_answer(gql, make_hotel, day):
    hotel = make_hotel()
    response = gql(
        """mutation($a: ID!, $s: Date!, $e: Date!) {
             createBooking(data: {accommodation: $a, startDate: $s, endDate: $e, guestName: "Eve"}) {
               ... on Booking { id voiceNotes { transcript } } } }""",
        {"a": hotel.pk, "s": str(day(2)), "e": str(day(3))},
    )

    assert response.errors and "staff" in response.errors[0]["message"]


def test_retry_failed_note_resets_it_and_enqueues(staff_gql, booking, django_capture_on_commit_callbacks):
    note = make_note(booking, status=TranscriptionStatus.FAILED, transcript="", error="HTTP 500", attempts=5)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = staff_gql(
            "mutation($id: ID!) { retryVoiceNoteTranscription(id: $id) { ... on VoiceNote { status attempts error } } }",
            {"id": note.pk},
        ).data["retryVoiceNoteTranscription"]

    assert result == {"status": "PENDING", "attempts": 0, "error": ""}
    assert len(callbacks) == 2  # the live update and the job, both on commit


@pytest.mark.parametrize("status", [TranscriptionStatus.PENDING, TranscriptionStatus.PROCESSING, TranscriptionStatus.COMPLETED])
def test_retry_of_a_note_that_did_not_fail_is_not_retryable(staff_gql, booking, status):
    note = make_note(booking, status=status)

    result = staff_gql(
        "mutation($id: ID!) { retryVoiceNoteTranscription(id: $id) { ... on OperationInfo { messages { code } } } }",
        {"id": note.pk},
    ).data["retryVoiceNoteTranscription"]

    assert result["messages"][0]["code"] == "not_retryable"
    assert VoiceNote.objects.get(pk=note.pk).status == status


def test_delete_removes_row_and_stored_audio(staff_gql, booking, django_capture_on_commit_callbacks):
    note = make_note(booking)
    key = note.audio.name

    with django_capture_on_commit_callbacks(execute=True):
        result = staff_gql(
            "mutation($id: ID!) { deleteVoiceNote(id: $id) { ... on VoiceNote { id } } }", {"id": note.pk}
        ).data["deleteVoiceNote"]

    assert result == {"id": str(note.pk)}
    assert not VoiceNote.objects.filter(pk=note.pk).exists()
    assert not default_storage.exists(key)


@pytest.mark.parametrize("client_fixture", ["gql", "user_gql"])
@pytest.mark.parametrize("mutation", ["retryVoiceNoteTranscription", "deleteVoiceNote"])
def test_retry_and_delete_refused_to_anonymous_and_non_staff(request, client_fixture, mutation, booking):
    note = make_note(booking, status=TranscriptionStatus.FAILED)
    client = request.getfixturevalue(client_fixture)

    result = client(
        f"mutation($id: ID!) {{ {mutation}(id: $id) {{ ... on OperationInfo {{ messages {{ kind }} }} }} }}",
        {"id": note.pk},
    ).data[mutation]

    assert result["messages"][0]["kind"] == "PERMISSION"
    assert VoiceNote.objects.get(pk=note.pk).status == TranscriptionStatus.FAILED
    assert default_storage.exists(note.audio.name)
