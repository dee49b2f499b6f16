"""GraphQL shape of a voice note (staff only, like the bookings they belong to)."""
from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
import strawberry_django
from django.urls import reverse
from strawberry.types import Info

from .. import models

if TYPE_CHECKING:
    from bookings.graphql.types import BookingType

TranscriptionStatus = strawberry.enum(models.TranscriptionStatus, name="TranscriptionStatus")


@strawberry.type(
    name="TranscriptSegment",
    description="A stretch of the machine transcript and where it lies in the audio, in seconds: "
    "lets a player highlight the words being heard.",
)
class TranscriptSegmentType:
    start: float
    end: float
    text: str


@strawberry_django.type(models.VoiceNote, name="VoiceNote")
class VoiceNoteType:
    id: strawberry.ID
    status: TranscriptionStatus
    transcript: str
    confidence: float | None
    language: str
    duration_seconds: float
    content_type: str
    size_bytes: int = strawberry_django.field(description="Size of the stored audio in bytes.")
    original_filename: str
    provider: str
    provider_job_id: str
    error: str = strawberry_django.field(description="Why the last attempt failed; empty when it did not.")
    attempts: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    transcribed_at: datetime.datetime | None
    booking: Annotated[BookingType, strawberry.lazy("bookings.graphql.types")]

    @strawberry_django.field(
        only=["extra"],
        description="Timed segments of the machine transcript (offline Whisper provides them; empty otherwise).",
    )
    def segments(self, root: models.VoiceNote) -> list[TranscriptSegmentType]:
        stored = (root.extra or {}).get("segments") or []
        return [
            TranscriptSegmentType(start=float(item["start"]), end=float(item["end"]), text=str(item["text"]))
            for item in stored
            if isinstance(item, dict) and {"start", "end", "text"} <= item.keys()
        ]

    @strawberry_django.field(only=["id"], description="Staff-only download; redirects to a short-lived S3 URL when S3 is used.")
    def audio_url(self, root: models.VoiceNote, info: Info) -> str:
        return info.context.request.build_absolute_uri(reverse("voice-note-audio", args=[root.pk]))
