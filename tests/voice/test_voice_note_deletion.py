"""Deleting a voice note goes through voice's service, which removes the stored audio once the deletion commits."""
from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from voice_helpers import make_wav

from voice import services
from voice.models import VoiceNote

pytestmark = pytest.mark.django_db


def stored_note(booking) -> VoiceNote:
    audio = make_wav(0.5)
    name = default_storage.save(f"voice-notes/{booking.pk}/n.wav", ContentFile(audio))
    return VoiceNote.objects.create(
        booking=booking, audio=name, content_type="audio/wav", size_bytes=len(audio), duration_seconds=0.5
    )


def test_a_rolled_back_deletion_keeps_the_row_and_the_audio(booking, django_capture_on_commit_callbacks):
    note = stored_note(booking)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            services.delete_voice_note(note_id=note.pk)
            raise RuntimeError("the request failed after the delete")

    assert VoiceNote.objects.filter(pk=note.pk).exists()
    assert default_storage.exists(note.audio.name)


def test_the_audio_stays_until_the_deletion_commits(booking, django_capture_on_commit_callbacks):
    note = stored_note(booking)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.delete_voice_note(note_id=note.pk)
        assert default_storage.exists(note.audio.name)

    assert len(callbacks) == 1
    callbacks[0]()
    assert not default_storage.exists(note.audio.name)


def test_the_admin_delete_page_removes_the_audio_too(admin_client, booking, django_capture_on_commit_callbacks):
    note = stored_note(booking)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/voice/voicenote/{note.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not VoiceNote.objects.filter(pk=note.pk).exists()
    assert not default_storage.exists(note.audio.name)


def test_the_admin_bulk_delete_removes_every_audio(admin_client, booking, django_capture_on_commit_callbacks):
    notes = [stored_note(booking) for _ in range(3)]
    kept = stored_note(booking)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/voice/voicenote/",
            {"action": "delete_selected", "_selected_action": [n.pk for n in notes], "post": "yes"},
        )

    assert response.status_code == 302
    assert list(VoiceNote.objects.values_list("pk", flat=True)) == [kept.pk]
    assert [default_storage.exists(n.audio.name) for n in notes] == [False, False, False]
    assert default_storage.exists(kept.audio.name)


def test_bookings_cannot_be_deleted_in_the_admin(admin_client, booking):
    """A booking is a business record (staff cancel it); deleting it would also drop its notes past voice's service."""
    stored_note(booking)

    response = admin_client.post(f"/admin/bookings/booking/{booking.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert VoiceNote.objects.filter(booking=booking).exists()
