"""editVoiceNoteTranscript: staff correct a transcript; the machine text, who and when are kept."""
from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from test_voice_note_api import make_note

from voice.models import TranscriptionStatus, VoiceNote

pytestmark = pytest.mark.django_db

EDIT = """
mutation($id: ID!, $text: String!) {
  editVoiceNoteTranscript(id: $id, transcript: $text) {
    __typename
    ... on VoiceNote { id transcript editedTranscript editedAt editedBy { username } }
    ... on OperationInfo { messages { kind field code message } }
  }
}
"""


def edit(client, note_id, text):
    return client(EDIT, {"id": str(note_id), "text": text})


def codes(response) -> list[str]:
    return [m["code"] for m in response.data["editVoiceNoteTranscript"]["messages"]]


def test_staff_correction_keeps_the_machine_text_and_records_who_and_when(staff_gql, booking):
    note = make_note(booking, transcript="please prepare a baby caught")
    before = timezone.now()

    answer = edit(staff_gql, note.pk, "  Please prepare a baby cot.  ").data["editVoiceNoteTranscript"]

    assert answer["transcript"] == "please prepare a baby caught"
    assert answer["editedTranscript"] == "Please prepare a baby cot."
    assert answer["editedBy"] == {"username": "staff"}
    note.refresh_from_db()
    assert note.edited_at >= before and note.edited_by.username == "staff"
    read = staff_gql("query($id: ID!) { voiceNote(id: $id) { transcript editedTranscript editedBy { username } } }",
                     {"id": note.pk}).data["voiceNote"]
    assert read == {"transcript": "please prepare a baby caught", "editedTranscript": "Please prepare a baby cot.",
                    "editedBy": {"username": "staff"}}


def test_a_second_correction_replaces_the_first(staff_gql, booking):
    note = make_note(booking)
    edit(staff_gql, note.pk, "first fix")
    answer = edit(staff_gql, note.pk, "second fix").data["editVoiceNoteTranscript"]
    assert answer["editedTranscript"] == "second fix"


@pytest.mark.parametrize("status", [TranscriptionStatus.PENDING, TranscriptionStatus.PROCESSING,
                                    TranscriptionStatus.FAILED])
def test_only_a_completed_transcript_can_be_corrected(staff_gql, booking, status):
    note = make_note(booking, status=status, transcript="")
    assert codes(edit(staff_gql, note.pk, "text")) == ["not_editable"]
    note.refresh_from_db()
    assert note.edited_transcript == "" and note.edited_at is None


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_blank_correction_is_refused(staff_gql, booking, text):
    note = make_note(booking)
    assert codes(edit(staff_gql, note.pk, text)) == ["blank"]


def test_correction_length_limit(staff_gql, booking, settings):
    settings.VOICE_MAX_TRANSCRIPT_CHARS = 10
    note = make_note(booking)
    assert edit(staff_gql, note.pk, "x" * 10).data["editVoiceNoteTranscript"]["editedTranscript"] == "x" * 10
    assert codes(edit(staff_gql, note.pk, "x" * 11)) == ["max_length"]


@pytest.mark.parametrize("note_id", ["424242", "nope", "-1"])
def test_unknown_note_is_not_found(staff_gql, note_id):
    assert codes(edit(staff_gql, note_id, "text")) == ["not_found"]


@pytest.mark.parametrize("client_fixture", ["gql", "user_gql"])
def test_anonymous_and_non_staff_cannot_correct(request, booking, client_fixture):
    note = make_note(booking)
    response = edit(request.getfixturevalue(client_fixture), note.pk, "hijacked")
    assert response.data["editVoiceNoteTranscript"]["messages"][0]["kind"] == "PERMISSION"
    note.refresh_from_db()
    assert note.edited_transcript == ""


def test_database_refuses_a_half_recorded_edit(booking):
    note = make_note(booking)
    with pytest.raises(IntegrityError), transaction.atomic():
        VoiceNote.objects.filter(pk=note.pk).update(edited_transcript="no time")
    with pytest.raises(IntegrityError), transaction.atomic():
        VoiceNote.objects.filter(pk=note.pk).update(edited_at=timezone.now())
