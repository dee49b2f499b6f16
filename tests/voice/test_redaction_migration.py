"""Notes stored before redaction existed are redacted (and indexed for search) by the migration."""
from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from migration_helpers import migrate_to_latest
from voice.models import VoiceNote

BEFORE = [("voice", "0003_audio_retention")]
AFTER = [("voice", "0004_multilingual_redaction_search")]


@pytest.mark.django_db(transaction=True)
def test_migration_redacts_and_indexes_existing_notes(booking, back_to_latest_afterwards):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("voice", "VoiceNote")
    note = old.objects.create(
        booking_id=booking.pk, audio="voice-notes/x.wav", content_type="audio/wav", size_bytes=1,
        duration_seconds=1.0, status="COMPLETED", language="en",
        transcript="Call the guest on +351 912 345 678 about towels.",
        extra={"segments": [{"start": 0.0, "end": 2.0, "text": "Call the guest on +351 912 345 678 about towels."}]},
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    # On to the latest migrations now: later ones add columns the current model reads.
    migrate_to_latest()

    migrated = VoiceNote.objects.get(pk=note.pk)
    assert migrated.transcript == "Call the guest on [phone] about towels."
    assert migrated.extra["segments"][0]["text"] == migrated.transcript
    assert migrated.redactions == {"phone": 1}
    assert VoiceNote.objects.filter(search_vector="towel").count() == 1  # indexed with the english config
