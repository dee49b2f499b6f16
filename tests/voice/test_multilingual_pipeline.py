"""A note's language (accommodation -> staff's choice -> detection among the place's languages)
and redaction between the provider and everything after it: the API answer, the live update,
the logs and the database. The provider is scripted (its answer is what a provider would say);
the worker, Redis, PostgreSQL and the WebSocket are real."""
from __future__ import annotations

import json
import logging

import pytest
from asgi_server import graphql_ws, session_cookie
from django.db import connection
from scripted_transcriber import ScriptedTranscriber
from test_live_updates import next_payloads, wait_until_subscribed
from voice_helpers import multipart_upload

from bookings import services as booking_services
from voice import services
from voice.models import TranscriptionStatus, VoiceNote
from voice.transcribers.base import Transcript

ADD = """
mutation Add($booking: ID!, $audio: Upload!, $language: String) {
  addVoiceNote(booking: $booking, audio: $audio, language: $language) {
    __typename
    ... on VoiceNote { id status requestedLanguage }
    ... on OperationInfo { messages { field code message } }
  }
}
"""
SECRET_TEXT = "The guest's card 4242 4242 4242 4242 was declined, call him on +351 912 345 678."
SECRET_SEGMENTS = [
    {"start": 0.0, "end": 3.1, "text": "The guest's card 4242 4242 4242 4242 was declined,"},
    {"start": 3.1, "end": 5.9, "text": "call him on +351 912 345 678."},
]
REDACTED_TEXT = "The guest's card [card] was declined, call him on [phone]."
# As said and as digits run together; specific enough not to match a port number in a log line.
SECRETS = ("4242 4242", "4242424242424242", "912 345", "912345678", "+351")


@pytest.fixture
def scripted(settings):
    settings.VOICE_TRANSCRIBER = "scripted_transcriber.ScriptedTranscriber"
    ScriptedTranscriber.script()
    return ScriptedTranscriber


@pytest.fixture
def place_booking(make_apartment, day):
    def make(voice_languages):
        place = make_apartment(name="Gràcia Studio", location="Barcelona")
        place.voice_languages = voice_languages
        place.save(update_fields=["voice_languages"])
        return booking_services.create_booking(
            accommodation_id=place.pk, start_date=day(3), end_date=day(5), guest_name="Lola Flores"
        )

    return make


def upload(staff_gql, booking, wav_bytes, language=None) -> dict:
    response = multipart_upload(
        staff_gql, booking_id=booking.pk, filename="nota.wav", content=wav_bytes, query=ADD,
        variables={"language": language},
    )
    return response.json()["data"]["addVoiceNote"]


# --- which language ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("configured", "requested", "provider_says", "candidates", "language", "source"),
    [
        ([], None, "en", ("en",), "en", "accommodation"),  # empty: VOICE_DEFAULT_LANGUAGES (en)
        (["es"], None, "es", ("es",), "es", "accommodation"),
        (["es"], "es", "es", ("es",), "es", "accommodation"),
        (["es", "en"], None, "es", ("es", "en"), "es", "detected"),
        (["pt", "en"], "pt", "pt", ("pt",), "pt", "request"),
        (["de", "en"], None, "en_us", ("de", "en"), "en", "detected"),  # AssemblyAI-style code, normalised
    ],
)
def test_language_comes_from_the_place_then_the_request_then_detection(
    scripted, staff_gql, place_booking, wav_bytes, configured, requested, provider_says, candidates, language, source
):
    booking = place_booking(configured)
    scripted.script(Transcript(text="Hola", language=provider_says))

    added = upload(staff_gql, booking, wav_bytes, requested)
    services.run_transcription(note_id=int(added["id"]))

    note = VoiceNote.objects.get(pk=added["id"])
    assert scripted.languages == [candidates]
    assert (note.language, note.language_source, note.requested_language) == (language, source, requested or "")
    read = staff_gql(
        "query($id: ID!) { voiceNote(id: $id) { language languageSource requestedLanguage } }", {"id": note.pk}
    ).data["voiceNote"]
    assert read == {"language": language, "languageSource": source, "requestedLanguage": requested or ""}


@pytest.mark.django_db
def test_a_language_the_place_does_not_speak_is_refused_and_nothing_is_kept(staff_gql, place_booking, wav_bytes):
    booking = place_booking(["es", "en"])

    answer = upload(staff_gql, booking, wav_bytes, "de")

    assert answer["__typename"] == "OperationInfo"
    assert [(m["field"], m["code"]) for m in answer["messages"]] == [("language", "language_not_configured")]
    assert not VoiceNote.objects.exists()


@pytest.mark.django_db
def test_staff_page_reads_the_places_languages(staff_gql, gql, place_booking):
    booking = place_booking(["es", "en"])
    query = "query($b: ID!) { voiceNoteLanguages(booking: $b) }"

    assert staff_gql(query, {"b": booking.pk}).data == {"voiceNoteLanguages": ["es", "en"]}
    assert gql(query, {"b": booking.pk}).errors  # staff only


# --- redaction: API, live update, logs, database ----------------------------------------------


def all_log_text(records) -> str:
    return "\n".join(json.dumps({k: str(v) for k, v in vars(record).items()}) for record in records)


@pytest.mark.django_db(transaction=True)
def test_card_and_phone_never_reach_the_api_the_live_update_the_logs_or_the_database(
    server, staff_user, staff_gql, place_booking, wav_bytes, scripted, worker, caplog
):
    booking = place_booking(["en"])
    scripted.script(Transcript(text=SECRET_TEXT, language="en", extra={"segments": SECRET_SEGMENTS}))
    caplog.set_level(logging.DEBUG)
    subscription = "subscription($b: ID!) { voiceNoteUpdates(booking: $b) { id status transcript segments { text } redactions { kind count } } }"

    with graphql_ws(server.ws_url, cookie=session_cookie(staff_user), origin=server.url) as ws:
        assert ws.init()["type"] == "connection_ack"
        operation = ws.subscribe(subscription, {"b": str(booking.pk)})
        wait_until_subscribed(booking.pk)
        note_id = upload(staff_gql, booking, wav_bytes)["id"]
        events = next_payloads(ws, operation, 3)

    # the live update
    completed = events[-1]
    assert completed["status"] == "COMPLETED" and completed["transcript"] == REDACTED_TEXT
    assert [s["text"] for s in completed["segments"]] == ["The guest's card [card] was declined,", "call him on [phone]."]
    assert sorted((r["kind"], r["count"]) for r in completed["redactions"]) == [("card", 1), ("phone", 1)]
    # the API answer
    read = staff_gql(
        "query($id: ID!) { voiceNote(id: $id) { transcript segments { text } redactions { kind count } } }",
        {"id": note_id},
    ).data["voiceNote"]
    assert read["transcript"] == REDACTED_TEXT
    assert read["redactions"] == [{"kind": "card", "count": 1}, {"kind": "phone", "count": 1}]
    # the database: every column of the row, the search index included
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(v)::text FROM voice_voicenote v WHERE id = %s", [note_id])
        row = cursor.fetchone()[0]
    assert "[card]" in row and not any(secret in row for secret in SECRETS)
    # the logs (web and worker run in this process here)
    logs = all_log_text(caplog.records)
    assert "voice_note.completed" in logs and not any(secret in logs for secret in SECRETS)


@pytest.mark.django_db
def test_a_staff_correction_is_redacted_too(scripted, staff_gql, place_booking, wav_bytes, staff_user):
    booking = place_booking(["en"])
    scripted.script(Transcript(text="Call the guest.", language="en"))
    note_id = upload(staff_gql, booking, wav_bytes)["id"]
    services.run_transcription(note_id=int(note_id))

    services.edit_transcript(note_id=note_id, transcript="Call the guest on 07700 900123.", editor=staff_user)

    note = VoiceNote.objects.get(pk=note_id)
    assert (note.edited_transcript, note.redactions) == ("Call the guest on [phone].", {"phone": 1})


@pytest.mark.django_db
def test_redaction_can_be_turned_off(scripted, staff_gql, place_booking, wav_bytes, settings):
    settings.VOICE_REDACT = False
    booking = place_booking(["en"])
    scripted.script(Transcript(text=SECRET_TEXT, language="en"))
    note_id = upload(staff_gql, booking, wav_bytes)["id"]

    services.run_transcription(note_id=int(note_id))

    note = VoiceNote.objects.get(pk=note_id)
    assert (note.status, note.transcript, note.redactions) == (TranscriptionStatus.COMPLETED, SECRET_TEXT, {})
