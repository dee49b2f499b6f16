"""Abuse limits: django-ratelimit counters in the Redis cache, for any entry point.

``check(request, scope=..., key=...)`` counts one call against a scope's budget (its rate from
``settings.RATE_LIMITS``, env ``RATE_LIMIT_<SCOPE>``, "off" disables it) and raises
``RateLimited`` once it is spent. The key functions say whose budget a call spends: the client
address, the user, or an argument such as the login's username. The GraphQL field extension
(``booking_graph.graphql.ratelimits.RateLimit``) and plain views (the provider webhook) both use
it; ``note_refusal`` / ``retry_after`` carry the longest wait of a request to its HTTP answer.
"""
from __future__ import annotations

import hashlib
import ipaddress
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from booking_graph import metrics

logger = logging.getLogger(__name__)

RETRY_AFTER_ATTR = "_rate_limit_retry_after"


def client_address(request: HttpRequest) -> str:
    """The caller's IP. Behind ``TRUSTED_PROXY_COUNT`` proxies, each appends the address it saw to
    X-Forwarded-For, so the client is that many entries from the right; anything further left was
    written by the client and is not trusted. Without trusted proxies the header is ignored."""
    remote = request.META.get("REMOTE_ADDR") or "0.0.0.0"
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < hops:
        return remote  # not the path through our proxies: the peer itself is the best we know
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def by_address(request: HttpRequest, arguments: dict[str, Any]) -> str:
    return "ip:" + client_address(request)


def by_user(request: HttpRequest, arguments: dict[str, Any]) -> str:
    user = request.user
    return f"user:{user.pk}" if user.is_authenticated else by_address(request, arguments)


def by_argument(name: str) -> Callable[[HttpRequest, dict[str, Any]], str]:
    """Budget per value of an argument (e.g. the username tried), case-folded and hashed."""

    def key(request: HttpRequest, arguments: dict[str, Any]) -> str:
        value = str(arguments.get(name, "")).strip().casefold()
        return f"{name}:" + hashlib.sha256(value.encode()).hexdigest()

    return key


class RateLimited(Exception):
    def __init__(self, *, scope: str, rate: str, retry_after: int) -> None:
        self.scope, self.rate, self.retry_after = scope, rate, retry_after
        super().__init__(f"Too many requests ({scope}: at most {rate}). Try again in {retry_after} s.")


def check(request: HttpRequest, *, scope: str, key: str) -> None:
    """Count one call against ``scope`` for ``key``; raise RateLimited once the budget is spent.
    Fails open when the cache is unreachable: an outage of Redis must not take bookings down."""
    rate = settings.RATE_LIMITS.get(scope)
    if not rate or rate == "off":
        return
    try:
        usage = get_usage(request, group=scope, key=lambda group, req: key, rate=rate, increment=True)
    except Exception:  # redis.ConnectionError and friends
        logger.warning("rate_limit.cache_unavailable", extra={"scope": scope}, exc_info=True)
        return
    if usage is None or not usage["should_limit"]:
        return
    if usage["limit"] == 0:  # django-ratelimit's answer when the counter could not be written
        logger.warning("rate_limit.cache_unavailable", extra={"scope": scope})
        return
    retry_after = max(1, int(usage["time_left"]))
    metrics.RATE_LIMITED.labels(scope).inc()
    logger.warning("rate_limit.refused", extra={"scope": scope, "key": key, "count": usage["count"],
                                                "limit": usage["limit"], "retry_after": retry_after})
    raise RateLimited(scope=scope, rate=rate, retry_after=retry_after)


def note_refusal(request: HttpRequest, refused: RateLimited) -> None:
    """Remember the longest wait among the limits that refused parts of this request."""
    setattr(request, RETRY_AFTER_ATTR, max(getattr(request, RETRY_AFTER_ATTR, 0), refused.retry_after))


def retry_after(request: HttpRequest) -> int | None:
    """Seconds until the budget that refused part of this request refills (None if nothing was refused)."""
    return getattr(request, RETRY_AFTER_ATTR, None)
