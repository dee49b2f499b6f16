from __future__ import annotations

import strawberry
import strawberry_django
from strawberry.file_uploads import Upload
from strawberry.types import Info
from strawberry_django.permissions import IsStaff

from booking_graph.graphql.ratelimits import RateLimit, by_user

from bookings.graphql.types import BookingType

from ..services import staff_actions, uploads
from ..erasure import erase_booking_personal_data
from .types import VoiceNoteType


@strawberry.type
class Mutation:
    @strawberry_django.mutation(
        extensions=[IsStaff(), RateLimit("voice_upload", key=by_user)],
        description="Attach audio to a booking (GraphQL multipart request). Transcription runs in the background. "
        "`language` (en, pt, de, es) must be one of the accommodation's voice languages; without it, a place "
        "with one language uses it and one with several detects among them.",
    )
    def add_voice_note(
        self, info: Info, booking: strawberry.ID, audio: Upload, language: str | None = None
    ) -> VoiceNoteType:
        return uploads.add_voice_note(
            booking_id=booking, upload=audio, author=info.context.request.user, language=language
        )

    @strawberry_django.mutation(extensions=[IsStaff()])
    def retry_voice_note_transcription(self, id: strawberry.ID) -> VoiceNoteType:
        return staff_actions.retry_transcription(note_id=id)

    @strawberry_django.mutation(extensions=[IsStaff()])
    def delete_voice_note(self, id: strawberry.ID) -> VoiceNoteType:
        return staff_actions.delete_voice_note(note_id=id)

    @strawberry_django.mutation(
        extensions=[IsStaff()],
        description="Staff: erase one booking's personal data (a guest's request): the guest name is "
        "anonymised, its voice notes and their audio are deleted. The booking keeps its dates.",
    )
    def erase_booking_personal_data(self, info: Info, id: strawberry.ID) -> BookingType:
        return erase_booking_personal_data(booking_id=id, erased_by=info.context.request.user)

    @strawberry_django.mutation(
        extensions=[IsStaff()],
        description="Correct a COMPLETED transcript; the provider's text stays in `transcript`.",
    )
    def edit_voice_note_transcript(self, info: Info, id: strawberry.ID, transcript: str) -> VoiceNoteType:
        return staff_actions.edit_transcript(note_id=id, transcript=transcript, editor=info.context.request.user)
