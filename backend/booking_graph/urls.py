from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from booking_graph.schema import schema
from booking_graph.views import BookingGraphView
from voice.views import assemblyai_webhook, staff_voice_notes, voice_note_audio

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "graphql/",
        BookingGraphView.as_view(schema=schema, graphql_ide="graphiql", multipart_uploads_enabled=True),
        name="graphql",
    ),
    path("voice-notes/<int:note_id>/audio/", voice_note_audio, name="voice-note-audio"),
    path("staff/voice-notes/", staff_voice_notes, name="staff-voice-notes"),
    path("webhooks/assemblyai/", assemblyai_webhook, name="assemblyai-webhook"),
    path("documentation/", RedirectView.as_view(url="/graphql/", permanent=False), name="documentation"),
    path("", RedirectView.as_view(url="/graphql/", permanent=False)),
]

