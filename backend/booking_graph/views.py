"""The GraphQL endpoint: CSRF only where a session is in play, multipart on."""
from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from strawberry.django.views import GraphQLView

from booking_graph.graphiql import example_document


class _SessionCsrfCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> str:  # type: ignore[override]
        return reason


def csrf_failure_for_session(request: HttpRequest) -> str | None:
    """Django REST framework's rule: a request authenticated by its session cookie
    must carry the CSRF token; one without a session (public queries, codegen's
    introspection) cannot ride on a victim's cookie, so it needs none."""
    if not request.user.is_authenticated:
        return None
    check = _SessionCsrfCheck(lambda req: HttpResponse())
    check.process_request(request)
    return check.process_view(request, None, (), {})


def error_response(message: str, *, code: str, status: int) -> JsonResponse:
    return JsonResponse({"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}, status=status)


def oversized_upload(request: HttpRequest) -> JsonResponse | None:
    """Refuse a multipart body larger than the audio limit before reading any of it."""
    if not request.content_type.startswith("multipart/"):
        return None
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= settings.MULTIPART_MAX_REQUEST_BYTES:
        return None
    return error_response(
        f"The request is {length} bytes; audio uploads are limited to {settings.VOICE_MAX_UPLOAD_BYTES} bytes.",
        code="audio_too_large",
        status=413,
    )


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(ensure_csrf_cookie, name="dispatch")  # GraphiQL reads the token from this cookie
class BookingGraphView(GraphQLView):
    def dispatch(self, request: HttpRequest, *args, **kwargs):
        if request.method == "POST":
            if too_large := oversized_upload(request):
                return too_large
            if reason := csrf_failure_for_session(request):
                return error_response(
                    f"CSRF check failed: {reason}. Send the csrftoken cookie's value in the X-CSRFToken header.",
                    code="csrf_failed",
                    status=403,
                )
        return super().dispatch(request, *args, **kwargs)

    def render_graphql_ide(self, request: HttpRequest) -> HttpResponse:
        """GraphiQL from our own static files, opening on a working example document."""
        return render(request, "booking_graph/graphiql.html", {"example_document": example_document()})
