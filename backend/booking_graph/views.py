"""The GraphQL endpoint: CSRF only where a session is in play, multipart on."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from strawberry.django.views import GraphQLView


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


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(ensure_csrf_cookie, name="dispatch")  # GraphiQL reads the token from this cookie
class BookingGraphView(GraphQLView):
    def dispatch(self, request: HttpRequest, *args, **kwargs):
        reason = csrf_failure_for_session(request) if request.method == "POST" else None
        if reason:
            return JsonResponse(
                {"errors": [{"message": f"CSRF check failed: {reason}. Send the csrftoken cookie's value "
                             "in the X-CSRFToken header.", "extensions": {"code": "csrf_failed"}}]},
                status=403,
            )
        return super().dispatch(request, *args, **kwargs)
