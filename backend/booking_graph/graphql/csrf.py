"""Django's CSRF check, asked as a question (why would it refuse?) by the view and by `login`."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware


class _SessionCsrfCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> str:  # type: ignore[override]
        return reason


def csrf_failure(request: HttpRequest) -> str | None:
    """Why Django's CSRF check refuses this request, or None when it passes."""
    check = _SessionCsrfCheck(lambda req: HttpResponse())
    check.process_request(request)
    return check.process_view(request, None, (), {})


def csrf_failure_for_session(request: HttpRequest) -> str | None:
    """Django REST framework's rule: a request authenticated by its session cookie
    must carry the CSRF token; one without a session (public queries, codegen's
    introspection) cannot ride on a victim's cookie, so it needs none. The `login`
    mutation checks the token itself (security.CsrfRequired), like Django's login view."""
    if not request.user.is_authenticated:
        return None
    return csrf_failure(request)


def csrf_refusal_message(reason: str) -> str:
    return f"CSRF check failed: {reason.rstrip('.')}. Send the csrftoken cookie's value in the X-CSRFToken header."
