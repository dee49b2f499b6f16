from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
import strawberry_django
from strawberry_django.permissions import IsStaff

from booking_graph.domain import find_or_none, get_or_not_found
from booking_graph.graphql.pagination import page_bounds
from bookings.models import Booking

from .. import languages, selectors
from ..models import VoiceNote
from .types import VoiceNoteSearchHitType, VoiceNoteType

if TYPE_CHECKING:
    from strawberry_django.pagination import OffsetPaginationInput


@strawberry.type
class Query:
    @strawberry_django.field(extensions=[IsStaff(fail_silently=False)])
    def voice_note(self, id: strawberry.ID) -> VoiceNoteType | None:
        return find_or_none(VoiceNote.objects.all(), id)

    @strawberry_django.field(
        extensions=[IsStaff(fail_silently=False)],
        description="Staff: find voice notes by what was said (PostgreSQL full-text search in each note's "
        "language; web-search syntax: words, \"a phrase\", -word, or), best match first.",
    )
    def search_voice_notes(
        self,
        query: str,
        language: str | None = None,
        pagination: Annotated[OffsetPaginationInput, strawberry.lazy("strawberry_django.pagination")] | None = None,
    ) -> list[VoiceNoteSearchHitType]:
        offset, limit = page_bounds(pagination)
        hits = selectors.search_voice_notes(query=query, language=language, offset=offset, limit=limit)
        return [
            VoiceNoteSearchHitType(note=hit.note, booking=hit.booking, snippet=hit.snippet, rank=hit.rank)
            for hit in hits
        ]

    @strawberry_django.field(
        extensions=[IsStaff(fail_silently=False)],
        description="Staff: the languages voice notes about this booking's accommodation are taken in "
        "(the first is the default); addVoiceNote's `language` must be one of them.",
    )
    def voice_note_languages(self, booking: strawberry.ID) -> list[str]:
        found = get_or_not_found(Booking.objects.select_related("accommodation"), booking, field="booking")
        return list(languages.configured_languages(found.accommodation))
