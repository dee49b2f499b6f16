"""Staff-only audio download: streams from disk or redirects to a presigned S3 URL."""
from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from .models import VoiceNote

logger = logging.getLogger(__name__)


@require_GET
@staff_member_required
def voice_note_audio(request: HttpRequest, note_id: int) -> HttpResponse:
    note = get_object_or_404(VoiceNote, pk=note_id)
    logger.info("voice_note.audio_requested", extra={"voice_note_id": note.pk, "user_id": request.user.pk})
    if not note.audio.name:
        raise Http404("The audio was deleted after its retention period; the transcript is kept.")
    if settings.USE_S3:
        # Presigned for VOICE_AUDIO_URL_TTL_SECONDS: the bytes never pass through the web process.
        return HttpResponseRedirect(default_storage.url(note.audio.name))
    try:
        stream = default_storage.open(note.audio.name, "rb")
    except FileNotFoundError:
        raise Http404("The stored audio is missing.") from None
    filename = note.original_filename or note.audio.name.rsplit("/", 1)[-1]
    response = FileResponse(stream, content_type=note.content_type, as_attachment=False, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response
