"""/healthz and /readyz for load balancers and orchestrators.

- ``/healthz``: the process answers (liveness). Touches nothing else, so a database
  outage does not get every web process restarted.
- ``/readyz``: PostgreSQL, Redis and the audio storage answer (readiness): JSON naming
  each check, 503 when one fails, so traffic goes elsewhere until it recovers. The checks run
  at once and the answer comes within PROBE_TIMEOUT_SECONDS (2 s) whatever is down.
  One more check is informational and never turns the answer into a 503: ``voice_workers``,
  how many transcription workers recorded a heartbeat in Redis within VOICE_HEARTBEAT_STALE_SECONDS
  (``ok`` false when none). A web process with no worker still serves every query and still
  accepts uploads (they wait PENDING and are transcribed when a worker starts): taking the web
  processes out of the load balancer for it would turn a stalled pipeline into a full outage.
  Alert on ``booking_graph_voice_workers_alive == 0`` instead (docs/operations.md).

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

from booking_graph import worker_liveness
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


def check_voice_workers() -> dict:
    with worker_liveness.client(PROBE_TIMEOUT_SECONDS) as client:
        workers = worker_liveness.alive(client)
    if not workers:
        raise LookupError(f"no transcription worker seen in the last {settings.VOICE_HEARTBEAT_STALE_SECONDS:.0f} s")
    return {"alive": len(workers)}


CHECKS: dict[str, Callable[[], None]] = {"database": check_database, "redis": check_redis, "storage": check_storage}
# Reported with the others but never a reason for a 503 (see the module's docstring).
INFORMATIONAL_CHECKS: dict[str, Callable[[], dict]] = {"voice_workers": check_voice_workers}


def _run(name: str, check: Callable[[], dict | None]) -> dict:
    started = time.monotonic()
    try:
        details = check()
    except Exception as exc:  # every failure is a "not ready", never a 500
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    else:
        result = {"ok": True, **(details or {})}
    finally:
        connections.close_all()  # this thread's database connection goes back to the pool
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def readiness() -> tuple[bool, dict[str, dict]]:
    """Every check at once, each in a thread, all within PROBE_TIMEOUT_SECONDS: a check that has not
    answered by then (a database waiting for its pool, a frozen Redis) is a failure, and the probe
    answers on time. The late thread ends by itself (its own timeouts bound it)."""
    started = time.monotonic()
    every = {**CHECKS, **INFORMATIONAL_CHECKS}
    executor = ThreadPoolExecutor(max_workers=len(every), thread_name_prefix="readyz")
    futures = {name: executor.submit(_run, name, check) for name, check in every.items()}
    executor.shutdown(wait=False)
    wait(futures.values(), timeout=PROBE_TIMEOUT_SECONDS)
    results: dict[str, dict] = {}
    for name, future in futures.items():
        if future.done():
            results[name] = future.result()
        else:
            results[name] = {"ok": False, "error": f"TimeoutError: no answer within {PROBE_TIMEOUT_SECONDS} s",
                             "ms": round((time.monotonic() - started) * 1000, 1)}
        if name in INFORMATIONAL_CHECKS:
            results[name]["informational"] = True
        elif not results[name]["ok"]:
            logger.warning("readyz.check_failed", extra={"check": name, "error": results[name]["error"]})
    return all(results[name]["ok"] for name in CHECKS), results


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
