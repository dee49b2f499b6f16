from django.contrib import admin

from .services import staff_actions
from .models import VoiceNote


@admin.register(VoiceNote)
class VoiceNoteAdmin(admin.ModelAdmin):
    """Read-mostly: notes are created through the API (validation, storage, queue)."""

    list_display = ("id", "booking", "status", "provider", "duration_seconds", "attempts", "created_at")
    list_filter = ("status", "provider")
    search_fields = ("transcript", "booking__guest_name", "original_filename")
    readonly_fields = [f.name for f in VoiceNote._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def delete_model(self, request, obj: VoiceNote) -> None:
        staff_actions.delete_voice_note(note_id=obj.pk)  # the service also removes the stored audio

    def delete_queryset(self, request, queryset) -> None:
        staff_actions.delete_voice_notes(notes=queryset)
