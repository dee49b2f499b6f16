"""/healthz and /readyz for load balancers and orchestrators.

- ``/healthz``: the process answers (liveness). Touches nothing else, so a database
  outage does not get every web process restarted.
- ``/readyz``: PostgreSQL, Redis and the audio storage answer (readiness): JSON naming
  each check, 503 when one fails, so traffic goes elsewhere until it recovers.

Served by a middleware placed first: probes arrive with the pod's IP as Host and over
plain HTTP, so they must not meet ALLOWED_HOSTS or the HTTPS redirect.
"""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse

from booking_graph.metrics import metrics_view

logger = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 2.0


def check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")


def check_redis() -> None:
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=PROBE_TIMEOUT_SECONDS, socket_timeout=PROBE_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()


def check_storage() -> None:
    storage = storages["default"]
    if isinstance(storage, FileSystemStorage):
        # exists() never fails on a filesystem: check that uploads could be written.
        os.makedirs(storage.location, exist_ok=True)
        if not os.access(storage.location, os.W_OK):
            raise PermissionError(f"{storage.location} is not writable")
        return
    storage.exists("readyz-probe")  # S3: a HEAD request on the bucket's endpoint, with credentials


CHECKS: dict[str, Callable[[], None]] = {"database": check_database, "redis": check_redis, "storage": check_storage}


def readiness() -> tuple[bool, dict[str, dict]]:
    results: dict[str, dict] = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception as exc:  # every failure is a "not ready", never a 500
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
            logger.warning("readyz.check_failed", extra={"check": name, "error": results[name]["error"]})
        else:
            results[name] = {"ok": True}
        results[name]["ms"] = round((time.monotonic() - started) * 1000, 1)
    return all(result["ok"] for result in results.values()), results


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    ready, checks = readiness()
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


# /metrics sits here too: Prometheus scrapes the pod address over plain HTTP.
PROBES = {"/healthz": healthz, "/healthz/": healthz, "/readyz": readyz, "/readyz/": readyz, "/metrics": metrics_view}


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            response = probe(request)
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)
