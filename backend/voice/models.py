"""Voice notes: staff audio about a booking, kept with its transcript."""
from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q


class TranscriptionStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"
    PROCESSING = "PROCESSING", "Processing"
    COMPLETED = "COMPLETED", "Completed"
    FAILED = "FAILED", "Failed"


class VoiceNote(models.Model):
    """A spoken note about a booking: the stored audio and its transcript."""

    booking = models.ForeignKey("bookings.Booking", on_delete=models.CASCADE, related_name="voice_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="voice_notes"
    )
    # Storage key voice-notes/<booking id>/<uuid>.<ext>: unguessable, never the client's file name.
    audio = models.FileField(max_length=255)
    original_filename = models.CharField(max_length=255, blank=True, default="")
    content_type = models.CharField(max_length=64, help_text="Detected from the bytes, not the file name.")
    size_bytes = models.PositiveBigIntegerField()
    duration_seconds = models.FloatField()

    status = models.CharField(max_length=16, choices=TranscriptionStatus.choices, default=TranscriptionStatus.PENDING)
    transcript = models.TextField(blank=True, default="", help_text="The provider's text, kept as it was.")
    # A staff correction sits beside the machine text instead of replacing it.
    edited_transcript = models.TextField(blank=True, default="", help_text="Staff correction; empty when none.")
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True)
    confidence = models.FloatField(null=True, blank=True, help_text="0–1, as reported by the provider.")
    language = models.CharField(max_length=16, blank=True, default="", help_text="The language transcribed in.")
    requested_language = models.CharField(
        max_length=8, blank=True, default="", help_text="The language staff chose at upload; empty when none."
    )
    language_source = models.CharField(
        max_length=16, blank=True, default="",
        help_text="How the language was chosen: accommodation, request, detected (among the configured ones), provider.",
    )
    # Kinds replaced in the transcript before it was stored ({"card": 1, "phone": 2}); see voice/redaction.py.
    redactions = models.JSONField(default=dict, blank=True)
    # Full-text index of the (redacted) transcript and correction, in the note's language's configuration.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)
    provider = models.CharField(max_length=32, blank=True, default="")
    provider_job_id = models.CharField(max_length=128, blank=True, default="")
    error = models.TextField(blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    # Room to grow (speaker labels, summaries, word timings) without reshaping the table.
    extra = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    transcribed_at = models.DateTimeField(null=True, blank=True)
    # Stamped when a worker claims the note and every VOICE_HEARTBEAT_SECONDS while it transcribes
    # (voice.worker.note_heartbeat); a PROCESSING note whose stamp is older than
    # VOICE_HEARTBEAT_STALE_SECONDS has lost its worker (voice.recovery).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    audio_deleted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the audio was deleted (retention); the transcript is kept."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["booking", "-created_at"], name="voicenote_booking_newest"),
            models.Index(fields=["status", "updated_at"], name="voicenote_status_updated"),
            GinIndex(fields=["search_vector"], name="voicenote_search"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(size_bytes__gt=0), name="voicenote_size_positive"),
            models.CheckConstraint(condition=Q(duration_seconds__gt=0), name="voicenote_duration_positive"),
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=0, confidence__lte=1),
                name="voicenote_confidence_0_1",
            ),
            models.CheckConstraint(
                condition=Q(status__in=TranscriptionStatus.values), name="voicenote_status_valid"
            ),
            # Audio is either stored (a key) or deleted (when): never both, never neither.
            models.CheckConstraint(
                condition=(Q(audio_deleted_at__isnull=True) & ~Q(audio=""))
                | (Q(audio_deleted_at__isnull=False) & Q(audio="")),
                name="voicenote_audio_stored_or_deleted",
            ),
            # An edit always has a time and text; no time means no edit.
            models.CheckConstraint(
                condition=(Q(edited_at__isnull=True) & Q(edited_transcript=""))
                | (Q(edited_at__isnull=False) & ~Q(edited_transcript="")),
                name="voicenote_edit_complete",
            ),
        ]

    def worker_lost(self, now: datetime.datetime) -> bool:
        """True when the note is PROCESSING on a worker (not waiting for a webhook) that is presumed
        gone; the same test as `worker_lost_q`, for one row already loaded."""
        if self.status != TranscriptionStatus.PROCESSING or self.provider_job_id:
            return False
        limits = lost_worker_limits(now)
        return (self.heartbeat_at is not None and self.heartbeat_at < limits["heartbeat_before"]) \
            or self.updated_at < limits["claimed_before"]

    def __str__(self) -> str:
        return f"Voice note {self.pk} on booking {self.booking_id} ({self.status})"

    @property
    def log_context(self) -> dict:
        return {"voice_note_id": self.pk, "booking_id": self.booking_id, "status": self.status, "attempt": self.attempts}


def lost_worker_limits(now: datetime.datetime) -> dict[str, datetime.datetime]:
    return {
        # No heartbeat for a few intervals: the process (or its host) is gone.
        "heartbeat_before": now - datetime.timedelta(seconds=settings.VOICE_HEARTBEAT_STALE_SECONDS),
        # Claimed longer ago than the actor's time limit allows: the backstop for a note claimed
        # by a worker without heartbeats (heartbeat_at empty) or one whose attempt hangs.
        "claimed_before": now - datetime.timedelta(seconds=settings.VOICE_STALE_PROCESSING_SECONDS),
    }


def worker_lost_q(now: datetime.datetime) -> Q:
    """PROCESSING notes on a worker (no provider job id: not waiting for a webhook) whose worker is
    presumed gone. Used by the recovery sweep and, through `VoiceNote.worker_lost`, by the claim."""
    limits = lost_worker_limits(now)
    return Q(status=TranscriptionStatus.PROCESSING, provider_job_id="") & (
        Q(heartbeat_at__lt=limits["heartbeat_before"]) | Q(updated_at__lt=limits["claimed_before"])
    )
