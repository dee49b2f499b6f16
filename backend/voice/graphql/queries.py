from __future__ import annotations

import strawberry
import strawberry_django
from strawberry_django.permissions import IsStaff

from booking_graph.domain import find_or_none

from ..models import VoiceNote
from .types import VoiceNoteType


@strawberry.type
class Query:
    @strawberry_django.field(extensions=[IsStaff(fail_silently=False)])
    def voice_note(self, id: strawberry.ID) -> VoiceNoteType | None:
        return find_or_none(VoiceNote.objects.all(), id)
