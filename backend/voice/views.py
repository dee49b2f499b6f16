"""Staff-only pages: the voice-notes recorder, and the audio download (streams from disk or
redirects to a presigned S3 URL)."""
from __future__ import annotations

import json
import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from booking_graph import rate_limits
from booking_graph.graphql.errors import RequestErrorCode
from bookings.selectors import today

from .services import provider_jobs
from .models import VoiceNote
from .transcribers.assemblyai import WEBHOOK_SECRET_HEADER
from .transcribers.base import TransientTranscriptionError

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
    # FileResponse sets the type, length and file name from the file; the body is then handed
    # over as an async iterator, since under ASGI Django would read a sync one whole into memory.
    response = FileResponse(stream, content_type=note.content_type, as_attachment=False, filename=filename)
    response.streaming_content = _read_in_chunks(stream)
    response["Cache-Control"] = "private, no-store"
    return response


async def _read_in_chunks(stream, chunk_size: int = 64 * 1024):
    read = sync_to_async(stream.read, thread_sensitive=False)
    try:
        while chunk := await read(chunk_size):
            yield chunk
    finally:
        await sync_to_async(stream.close, thread_sensitive=False)()


@require_GET
@staff_member_required
@ensure_csrf_cookie  # the page's uploads send it back as X-CSRFToken
def staff_voice_notes(request: HttpRequest) -> HttpResponse:
    """Record a note in the browser, send it through addVoiceNote, watch the transcript arrive
    over the voiceNoteUpdates subscription. Everything else happens in GraphQL."""
    config = {
        "graphqlPath": "/graphql/",
        "today": today().isoformat(),
        "maxSeconds": settings.VOICE_MAX_DURATION_SECONDS,
        "maxBytes": settings.VOICE_MAX_UPLOAD_BYTES,
        "username": request.user.get_username(),
    }
    return render(request, "voice/staff_voice_notes.html", {"config": config})


@csrf_exempt  # a server-to-server call, authenticated by the shared secret header instead
@require_POST
def assemblyai_webhook(request: HttpRequest) -> JsonResponse:
    """AssemblyAI says a transcript is done: {"transcript_id", "status"}. The secret header must
    match; the transcript is then fetched by id (the body is never trusted for the result)."""
    if not settings.ASSEMBLYAI_WEBHOOK_URL:
        return JsonResponse({"error": "Webhook mode is off (ASSEMBLYAI_WEBHOOK_URL is not set)."}, status=404)
    try:  # before the secret check: guessing the secret is throttled too
        rate_limits.check(request, scope="webhook", key=rate_limits.by_address(request, {}))
    except rate_limits.RateLimited as refused:
        response = JsonResponse({"error": str(refused), "code": RequestErrorCode.RATE_LIMITED}, status=429)
        response["Retry-After"] = str(refused.retry_after)
        return response
    secret = request.headers.get(WEBHOOK_SECRET_HEADER, "")
    if not constant_time_compare(secret, settings.ASSEMBLYAI_WEBHOOK_SECRET):
        logger.warning("voice_note.webhook_refused", extra={"reason": "bad secret"})
        return JsonResponse({"error": "Bad or missing webhook secret."}, status=401)
    try:
        payload = json.loads(request.body)
        job_id = payload["transcript_id"]
    except (ValueError, TypeError, KeyError):
        return JsonResponse({"error": "Expected a JSON object with transcript_id."}, status=400)
    if not isinstance(job_id, str) or not job_id or len(job_id) > 128:
        return JsonResponse({"error": "transcript_id must be a non-empty string."}, status=400)
    try:
        outcome = provider_jobs.handle_provider_callback(provider="assemblyai", job_id=job_id)
    except VoiceNote.DoesNotExist:
        logger.warning("voice_note.webhook_refused", extra={"reason": "unknown job", "provider_job_id": job_id})
        return JsonResponse({"error": f"No voice note waits for transcript {job_id!r}."}, status=404)
    except TransientTranscriptionError as exc:
        # AssemblyAI could not be asked right now: a non-2xx answer makes it deliver again,
        # and the overdue lookup is still scheduled.
        return JsonResponse({"error": f"Could not fetch the transcript yet: {exc}"}, status=503)
    return JsonResponse({"outcome": outcome})
