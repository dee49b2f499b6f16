"""searchVoiceNotes: PostgreSQL full-text search over the (redacted) transcripts, each note in
its own language's configuration, ranked, paginated, one SQL statement whatever the page size."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from scripted_transcriber import ScriptedTranscriber
from voice_helpers import multipart_upload

from voice import services
from voice.models import VoiceNote
from voice.transcribers.base import Transcript

pytestmark = pytest.mark.django_db

SEARCH = """
query($q: String!, $language: String, $pagination: OffsetPaginationInput) {
  searchVoiceNotes(query: $q, language: $language, pagination: $pagination) {
    snippet rank note { id language transcript } booking { id guestName accommodation { name } }
  }
}
"""
ADD = """
mutation($booking: ID!, $audio: Upload!, $language: String) {
  addVoiceNote(booking: $booking, audio: $audio, language: $language) { ... on VoiceNote { id } }
}
"""


@pytest.fixture
def transcribed(settings, staff_gql, booking, wav_bytes):
    """A COMPLETED note with this text in this language, through the real upload and worker code."""
    settings.VOICE_TRANSCRIBER = "scripted_transcriber.ScriptedTranscriber"
    booking.accommodation.voice_languages = ["en", "pt", "de", "es"]
    booking.accommodation.save(update_fields=["voice_languages"])

    def make(text: str, language: str) -> VoiceNote:
        ScriptedTranscriber.script(Transcript(text=text, language=language))
        response = multipart_upload(
            staff_gql, booking_id=booking.pk, filename="n.wav", content=wav_bytes, query=ADD,
            variables={"language": language},
        )
        note_id = int(response.json()["data"]["addVoiceNote"]["id"])
        services.run_transcription(note_id=note_id)
        return VoiceNote.objects.get(pk=note_id)

    return make


def search(staff_gql, q, **variables):
    result = staff_gql(SEARCH, {"q": q, **variables})
    assert not result.errors, result.errors
    return result.data["searchVoiceNotes"]


def test_finds_the_note_with_its_booking_and_a_highlighted_snippet(staff_gql, transcribed, booking):
    note = transcribed("El huésped de la habitación doce necesita más toallas limpias.", "es")
    transcribed("The guest wants a late checkout.", "en")

    hits = search(staff_gql, "toallas")

    assert [h["note"]["id"] for h in hits] == [str(note.pk)]
    assert hits[0]["booking"] == {"id": str(booking.pk), "guestName": "Ada Lovelace", "accommodation": {"name": "Loft Mitte"}}
    assert "[[toallas]]" in hits[0]["snippet"] and hits[0]["rank"] > 0


@pytest.mark.parametrize(
    ("text", "language", "query"),
    [
        ("El huésped necesita más toallas.", "es", "toalla"),  # Spanish stemming
        ("O hóspede pediu berços para os filhos.", "pt", "berço"),  # Portuguese stemming
        ("Der Gast braucht zusätzliche Handtücher.", "de", "Handtuch"),  # German stemming (umlaut plural)
        ("The guests asked for towels.", "en", "towel"),  # English stemming
    ],
)
def test_each_language_is_matched_with_its_own_configuration(staff_gql, transcribed, text, language, query):
    note = transcribed(text, language)

    found = [h["note"]["id"] for h in search(staff_gql, query)]

    assert found == [str(note.pk)]


def test_language_argument_limits_the_search(staff_gql, transcribed):
    spanish = transcribed("Taxi al aeropuerto a las seis.", "es")
    english = transcribed("Taxi to the airport at six.", "en")

    assert {h["note"]["id"] for h in search(staff_gql, "taxi")} == {str(spanish.pk), str(english.pk)}
    assert [h["note"]["id"] for h in search(staff_gql, "taxi", language="es")] == [str(spanish.pk)]


def test_better_matches_first_and_pages(staff_gql, transcribed):
    once = transcribed("Towels for room five.", "en")
    twice = transcribed("Towels, more towels, and fresh towels for the family.", "en")

    assert [h["note"]["id"] for h in search(staff_gql, "towels")] == [str(twice.pk), str(once.pk)]
    page = search(staff_gql, "towels", pagination={"offset": 1, "limit": 1})
    assert [h["note"]["id"] for h in page] == [str(once.pk)]


def test_web_search_syntax_phrase_and_exclusion(staff_gql, transcribed):
    late = transcribed("The guest wants a late checkout tomorrow.", "en")
    transcribed("The guest checks out late and wants a taxi.", "en")

    assert [h["note"]["id"] for h in search(staff_gql, '"late checkout"')] == [str(late.pk)]
    assert [h["note"]["id"] for h in search(staff_gql, "guest -taxi")] == [str(late.pk)]


def test_corrections_are_searched_and_shown(staff_gql, transcribed, staff_user):
    note = transcribed("The guest wants a baby cut.", "en")
    services.edit_transcript(note_id=note.pk, transcript="The guest wants a baby cot.", editor=staff_user)

    hits = search(staff_gql, "cot")

    assert [h["note"]["id"] for h in hits] == [str(note.pk)] and "[[cot]]" in hits[0]["snippet"]


def test_redacted_numbers_cannot_be_searched_for(staff_gql, transcribed):
    transcribed("Call the guest on +351 912 345 678 about the card 4242 4242 4242 4242.", "en")

    assert search(staff_gql, "912") == [] and search(staff_gql, "4242") == []
    assert len(search(staff_gql, "guest")) == 1


def test_one_sql_statement_whatever_the_page_size(staff_gql, transcribed):
    for number in range(6):
        transcribed(f"Extra towels needed, note {number}.", "en")

    def statements(limit):
        with CaptureQueriesContext(connection) as captured:
            assert len(search(staff_gql, "towels", pagination={"limit": limit})) == limit
        return [q["sql"] for q in captured.captured_queries if "voice_voicenote" in q["sql"]]

    one, six = statements(1), statements(6)
    assert len(one) == len(six) == 1


@pytest.mark.parametrize(("q", "code"), [("   ", "blank"), ("x" * 201, "max_length")])
def test_blank_or_long_queries_are_refused(staff_gql, q, code):
    result = staff_gql(SEARCH, {"q": q})
    assert result.errors and result.errors[0]["extensions"]["code"] == code


def test_staff_only(gql):
    assert gql(SEARCH, {"q": "towels"}).errors
