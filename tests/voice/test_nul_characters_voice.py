"""The voice services refuse NUL characters (PostgreSQL text cannot hold them) with Django's validator."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from test_nul_characters_domain import NUL, refused
from test_voice_note_api import make_note
from voice_helpers import make_wav

from voice import services as voice_services
from voice.models import VoiceNote

pytestmark = pytest.mark.django_db


def test_voice_services_refuse_nul(booking, staff_user):
    note = make_note(booking, transcript="please prepare a cot")
    refused(lambda: voice_services.edit_transcript(note_id=note.pk, transcript=NUL, editor=staff_user),
            "edited_transcript")
    upload = SimpleUploadedFile("memo\x00.wav", make_wav(1.0), content_type="audio/wav")
    refused(lambda: voice_services.add_voice_note(booking_id=booking.pk, upload=upload), "original_filename")

    assert list(VoiceNote.objects.values_list("pk", "edited_transcript")) == [(note.pk, "")]
