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
    from booking_graph.graphql.auth import UserType
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


@strawberry.type(name="Redaction", description="A kind of data replaced in the transcript before it was stored.")
class RedactionType:
    kind: str = strawberry.field(description="card, phone, email or iban: the text reads [card], [phone]...")
    count: int


@strawberry_django.type(models.VoiceNote, name="VoiceNote")
class VoiceNoteType:
    id: strawberry.ID
    status: TranscriptionStatus
    transcript: str = strawberry_django.field(description="The provider's text, never changed by edits.")
    edited_transcript: str = strawberry_django.field(description="Staff correction; empty when none.")
    edited_by: Annotated[UserType, strawberry.lazy("booking_graph.graphql.auth")] | None = strawberry_django.field(
        description="Who last corrected the transcript."
    )
    edited_at: datetime.datetime | None = strawberry_django.field(description="When the transcript was last corrected.")
    confidence: float | None
    language: str = strawberry_django.field(description="The language transcribed in (en, pt, de, es...).")
    requested_language: str = strawberry_django.field(description="The language staff chose at upload; empty when none.")
    language_source: str = strawberry_django.field(
        description="How the language was chosen: accommodation (its only language), request (staff chose), "
        "detected (among the accommodation's languages) or provider; empty until transcribed."
    )
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
    audio_deleted_at: datetime.datetime | None = strawberry_django.field(
        description="When the audio was deleted (VOICE_AUDIO_RETENTION_DAYS after check-out); the transcript stays."
    )
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

    @strawberry_django.field(
        only=["redactions"],
        description="What was replaced in the transcript before it was stored (card and phone numbers, e-mail "
        "addresses, IBANs); empty when nothing was.",
    )
    def redactions(self, root: models.VoiceNote) -> list[RedactionType]:
        stored = root.redactions or {}
        return [RedactionType(kind=str(kind), count=int(count)) for kind, count in sorted(stored.items()) if count]

    @strawberry_django.field(
        only=["id", "audio"],
        description="Staff-only download; redirects to a short-lived S3 URL when S3 is used. "
        "Null once the audio was deleted (retention).",
    )
    def audio_url(self, root: models.VoiceNote, info: Info) -> str | None:
        return audio_url_of_note(info.context.request, root)


_MARK = "918273645"  # stands for the id in the URL built once per request (no host or port has 9 digits)


def read_audio_url_directly(original):
    """graphql-core resolver for VoiceNote.audioUrl: a page of 100 places has 500 of them, each ran
    strawberry-django's resolver chain (argument binding, Info, queryset checks) to join two strings.
    When the `audio` column is loaded the answer needs no database; otherwise (deferred, e.g. in an
    async subscription) the original resolver loads it as before."""

    def resolve(root, info, **kwargs):
        audio = root.__dict__.get("audio") if isinstance(root, models.VoiceNote) else None
        if audio is None:
            return original(root, info, **kwargs)
        return audio_url_of_note(info.context.request, root)

    return resolve


def audio_url_of_note(request, note: models.VoiceNote) -> str | None:
    """None once the audio was deleted (retention)."""
    return audio_url_of(request, note.pk) if note.audio.name else None


def audio_url_of(request, note_id: int) -> str:
    """reverse() and the host check cost more than the rest of a voice note's fields together:
    done once per request (or WebSocket connection), each note's URL is that string with its id."""
    parts = getattr(request, "_voice_note_audio_url", None)
    if parts is None:
        parts = absolute_url(request, reverse("voice-note-audio", args=[_MARK])).split(_MARK)
        request._voice_note_audio_url = parts
    return str(note_id).join(parts)


def absolute_url(request, path: str) -> str:
    """From an HTTP request, or from a WebSocket consumer's scope (subscriptions)."""
    if hasattr(request, "build_absolute_uri"):
        return request.build_absolute_uri(path)
    scope = request.scope
    headers = dict(scope.get("headers") or ())
    scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
    host = headers.get(b"host", b"").decode("latin1")
    return f"{scheme}://{host}{path}" if host else path


@strawberry.type(name="VoiceNoteSearchHit", description="A voice note whose transcript matches a staff search.")
class VoiceNoteSearchHitType:
    note: VoiceNoteType
    booking: Annotated[BookingType, strawberry.lazy("bookings.graphql.types")]
    snippet: str = strawberry.field(
        description="Where the words matched, with each match between [[ and ]] (plain text: escape it to show it)."
    )
    rank: float = strawberry.field(description="PostgreSQL ts_rank: higher is a better match.")
