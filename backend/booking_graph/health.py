"""/healthz and /readyz for load balancers and orchestrators.

- ``/healthz``: the process answers (liveness). Touches nothing else, so a database
  outage does not get every web process restarted.
- ``/readyz``: PostgreSQL, Redis and the audio storage answer (readiness): JSON naming
  each check, 503 when one fails, so traffic goes elsewhere until it recovers. The checks run
  at once and the answer comes within PROBE_TIMEOUT_SECONDS (2 s) whatever is down.

Served by a middleware placed first: probes arrive with the pod's IP as Host and over
plain HTTP, so they must not meet ALLOWED_HOSTS or the HTTPS redirect.
"""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait

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


def _run(name: str, check: Callable[[], None]) -> dict:
    started = time.monotonic()
    try:
        check()
    except Exception as exc:  # every failure is a "not ready", never a 500
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    else:
        result = {"ok": True}
    finally:
        connections.close_all()  # this thread's database connection goes back to the pool
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def readiness() -> tuple[bool, dict[str, dict]]:
    """Every check at once, each in a thread, all within PROBE_TIMEOUT_SECONDS: a check that has not
    answered by then (a database waiting for its pool, a frozen Redis) is a failure, and the probe
    answers on time. The late thread ends by itself (its own timeouts bound it)."""
    started = time.monotonic()
    executor = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="readyz")
    futures = {name: executor.submit(_run, name, check) for name, check in CHECKS.items()}
    executor.shutdown(wait=False)
    wait(futures.values(), timeout=PROBE_TIMEOUT_SECONDS)
    results: dict[str, dict] = {}
    for name, future in futures.items():
        if future.done():
            results[name] = future.result()
        else:
            results[name] = {"ok": False, "error": f"TimeoutError: no answer within {PROBE_TIMEOUT_SECONDS} s",
                             "ms": round((time.monotonic() - started) * 1000, 1)}
        if not results[name]["ok"]:
            logger.warning("readyz.check_failed", extra={"check": name, "error": results[name]["error"]})
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
