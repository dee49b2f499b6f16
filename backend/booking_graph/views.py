"""The GraphQL endpoint: CSRF only where a session is in play, multipart on."""
from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from strawberry.django.views import GraphQLView

from booking_graph import outages, rate_limits
from booking_graph.graphql.csrf import csrf_failure_for_session, csrf_refusal_message
from booking_graph.graphql.errors import RequestErrorCode
from booking_graph.graphql.multipart import multipart_refusal
from voice.errors import VoiceErrorCode
from booking_graph.graphiql import example_document

logger = logging.getLogger(__name__)


def error_body(message: str, *, code: str) -> dict:
    return {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}


def error_response(message: str, *, code: str, status: int) -> JsonResponse:
    return JsonResponse(error_body(message, code=code), status=status)


def oversized_multipart_length(content_type: str, content_length: str | None) -> int | None:
    """The declared length of a multipart body above the upload limit, else None."""
    if not content_type.startswith("multipart/"):
        return None
    try:
        length = int(content_length or 0)
    except ValueError:
        length = 0
    return length if length > settings.MULTIPART_MAX_REQUEST_BYTES else None


def oversized_upload_body(length: int) -> dict:
    return error_body(
        f"The request is {length} bytes; audio uploads are limited to {settings.VOICE_MAX_UPLOAD_BYTES} bytes.",
        code=VoiceErrorCode.AUDIO_TOO_LARGE,
    )


def oversized_upload(request: HttpRequest) -> JsonResponse | None:
    """Refuse a multipart body larger than the audio limit before reading any of it."""
    length = oversized_multipart_length(request.content_type, request.META.get("CONTENT_LENGTH"))
    if length is None:
        return None
    return JsonResponse(oversized_upload_body(length), status=413)


def _json_object(raw: bytes | str) -> dict | None:
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def malformed_body(request: HttpRequest) -> JsonResponse | None:
    """Bodies Strawberry would choke on (non-UTF-8, JSON that is not an object, a multipart
    request without a proper operations/map) get a 400 that says why, never a 500."""
    if request.content_type == "application/json":
        if _json_object(request.body) is None:
            return error_response("The body must be a JSON object: {\"query\": ..., \"variables\": {...}}.",
                                  code=RequestErrorCode.BAD_REQUEST, status=400)
    elif request.content_type == "multipart/form-data":
        if refusal := multipart_refusal(request):
            return error_response(refusal.message, code=RequestErrorCode.BAD_REQUEST, status=refusal.status)
    return None


def refused_as_a_whole(request: HttpRequest, response_data: dict, response: HttpResponse) -> HttpResponse:
    """A request whose answer is only rate-limit refusals (no data) is a 429 with Retry-After;
    a partly served one keeps its 200 and still says when to come back."""
    seconds = rate_limits.retry_after(request)
    if seconds is None:
        return response
    response["Retry-After"] = str(seconds)
    if not isinstance(response_data, dict):  # batched operations: each answer carries its own errors
        return response
    refusals = response_data.get("errors") or []
    if response_data.get("data") is None and refusals and all(
        (error.get("extensions") or {}).get("code") == RequestErrorCode.RATE_LIMITED for error in refusals
    ):
        response.status_code = 429
    return response


def unavailable_as_a_whole(response_data: dict, response: HttpResponse) -> HttpResponse:
    """An answer carrying service_unavailable says when to retry; with no data at all it is a 503."""
    if not isinstance(response_data, dict):
        return response
    errors = response_data.get("errors") or []
    codes = [(error.get("extensions") or {}).get("code") for error in errors]
    if RequestErrorCode.SERVICE_UNAVAILABLE not in codes:
        return response
    response["Retry-After"] = str(outages.RETRY_AFTER_SECONDS)
    if response_data.get("data") is None and all(code == RequestErrorCode.SERVICE_UNAVAILABLE for code in codes):
        response.status_code = 503
    return response


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(ensure_csrf_cookie, name="dispatch")  # GraphiQL reads the token from this cookie
class BookingGraphView(GraphQLView):
    def dispatch(self, request: HttpRequest, *args, **kwargs):
        try:
            if request.method == "POST":
                if refusal := oversized_upload(request) or malformed_body(request):
                    return refusal
                if reason := csrf_failure_for_session(request):
                    return error_response(csrf_refusal_message(reason), code=RequestErrorCode.CSRF_FAILED, status=403)
            return super().dispatch(request, *args, **kwargs)
        except Exception as exc:
            # Outside execution (the session read by the CSRF check, the user): an outage is a 503.
            if outages.classify(exc) is not outages.Outcome.SERVICE_UNAVAILABLE:
                raise
            logger.warning("graphql.service_unavailable", extra={"error": f"{type(exc).__name__}: {exc}"[:300]})
            response = error_response(outages.message(outages.Outcome.SERVICE_UNAVAILABLE, exc),
                                      code=RequestErrorCode.SERVICE_UNAVAILABLE, status=503)
            response["Retry-After"] = str(outages.RETRY_AFTER_SECONDS)
            return response

    def create_response(self, response_data, sub_response):
        response = super().create_response(response_data, sub_response)
        return unavailable_as_a_whole(response_data, refused_as_a_whole(self.request, response_data, response))

    def render_graphql_ide(self, request: HttpRequest) -> HttpResponse:
        """GraphiQL from our own static files, opening on a working example document."""
        return render(request, "booking_graph/graphiql.html", {"example_document": example_document()})
