"""Prometheus metrics of the web process (docs/operations.md lists them and the alerts worth having).

Counters and histograms are updated where things happen (GraphQL operations, bookings, rate
limits); the state of the queue and of the voice notes is read from Redis and PostgreSQL when
Prometheus scrapes, so every web process reports the same truth. The worker's own numbers
(messages, retries, transcription time) come from Dramatiq's Prometheus middleware.

Served at /metrics, which is not public: only to addresses in METRICS_ALLOWED_NETWORKS or with
``Authorization: Bearer <METRICS_TOKEN>``. With several web processes on one host set
PROMETHEUS_MULTIPROC_DIR (prometheus-client's multiprocess mode) so one scrape sums them all.
"""
from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import re
import threading

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from booking_graph import worker_liveness

logger = logging.getLogger(__name__)

GRAPHQL_OPERATIONS = Counter(
    "booking_graph_graphql_operations_total", "GraphQL operations served.", ["operation", "type"]
)
GRAPHQL_SECONDS = Histogram(
    "booking_graph_graphql_operation_seconds", "Time to answer a GraphQL operation.", ["operation", "type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
GRAPHQL_ERRORS = Counter(
    "booking_graph_graphql_errors_total", "Top-level GraphQL errors by code ('internal' = a bug).",
    ["operation", "code"],
)
# Counted by bookings.metrics: createBooking's outcomes (this module imports no app).
BOOKINGS_CREATED = Counter("booking_graph_bookings_created_total", "Bookings created.", ["kind"])
BOOKINGS_REFUSED = Counter(
    "booking_graph_bookings_refused_total", "createBooking refusals by code (booking_overlap, ...).", ["code"]
)
RATE_LIMITED = Counter("booking_graph_rate_limited_total", "Calls refused by an abuse limit.", ["scope"])

# Client-chosen operation names are unbounded: the first MAX_OPERATION_NAMES seen get a label of
# their own, later ones are counted as "other", so a hostile client cannot explode the series.
MAX_OPERATION_NAMES = 200
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_seen_names: set[str] = set()
_seen_lock = threading.Lock()


def operation_label(name: str | None) -> str:
    if not name:
        return "anonymous"
    if not _NAME.fullmatch(name):
        return "other"
    with _seen_lock:
        if name in _seen_names:
            return name
        if len(_seen_names) < MAX_OPERATION_NAMES:
            _seen_names.add(name)
            return name
    return "other"


# What StateCollector reports: name, help, labels. describe() and collect() both build from these.
QUEUE_MESSAGES = (
    "booking_graph_queue_messages",
    "Dramatiq messages: ready = waiting for a worker; unfinished = not yet acknowledged "
    "(ready, running, and retries waiting for their backoff).",
    ["queue", "state"],
)
VOICE_WORKERS_ALIVE = (
    "booking_graph_voice_workers_alive",
    "Transcription worker processes that recorded a heartbeat within VOICE_HEARTBEAT_STALE_SECONDS "
    "(0: notes wait PENDING until one starts).",
    [],
)
VOICE_NOTES = ("booking_graph_voice_notes", "Voice notes by status and provider.", ["status", "provider"])
VOICE_AUDIO_SECONDS = (
    "booking_graph_voice_audio_seconds", "Seconds of audio of the voice notes, by status and provider.",
    ["status", "provider"],
)
VOICE_OLDEST_PENDING = (
    "booking_graph_voice_oldest_pending_seconds", "Age of the oldest note waiting for transcription (0 when none).", [],
)


def _gauge(family: tuple[str, str, list[str]]) -> GaugeMetricFamily:
    name, documentation, labels = family
    return GaugeMetricFamily(name, documentation, labels=labels)


class StateCollector:
    """Read at scrape time: queue depth, age of the oldest waiting note, notes by status and provider,
    audio seconds transcribed. A failing source is skipped (and counted) rather than failing the scrape."""

    def describe(self):
        """The families collect() yields, read from nothing: without describe(), prometheus_client
        runs collect() when the collector is registered, i.e. on import, inside whichever request
        imports this module first (two SQL statements and a Redis round trip)."""
        for family in (QUEUE_MESSAGES, VOICE_WORKERS_ALIVE, VOICE_NOTES, VOICE_AUDIO_SECONDS, VOICE_OLDEST_PENDING):
            yield _gauge(family)

    def collect(self):
        yield from self._queue()
        yield from self._notes()

    def _queue(self):
        depth, workers = _gauge(QUEUE_MESSAGES), _gauge(VOICE_WORKERS_ALIVE)
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        try:
            for queue in QUEUES:  # dramatiq's Redis layout: a list of ids, a hash of messages
                depth.add_metric([queue, "ready"], client.llen(f"dramatiq:{queue}"))
                depth.add_metric([queue, "unfinished"], client.hlen(f"dramatiq:{queue}.msgs")
                                 + client.hlen(f"dramatiq:{queue}.DQ.msgs"))
            workers.add_metric([], len(worker_liveness.alive(client)))
        except redis.RedisError:
            logger.warning("metrics.queue_unavailable")
            return
        finally:
            client.close()
        yield depth
        yield workers

    def _notes(self):
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT status, provider, count(*), coalesce(sum(duration_seconds), 0) "
                    "FROM voice_voicenote GROUP BY status, provider"
                )
                rows = cursor.fetchall()
                cursor.execute(
                    # clock_timestamp(): now() is the (possibly older) start of the transaction.
                    "SELECT greatest(coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0), 0) "
                    "FROM voice_voicenote WHERE status = 'PENDING'"
                )
                (oldest,) = cursor.fetchone()
        except Exception:
            logger.warning("metrics.database_unavailable", exc_info=True)
            return
        notes, audio, oldest_pending = _gauge(VOICE_NOTES), _gauge(VOICE_AUDIO_SECONDS), _gauge(VOICE_OLDEST_PENDING)
        for status, provider, count, seconds in rows:
            notes.add_metric([status, provider or "none"], count)
            audio.add_metric([status, provider or "none"], float(seconds))
        oldest_pending.add_metric([], float(oldest))
        yield notes
        yield audio
        yield oldest_pending


QUEUES = ("voice",)
STATE = StateCollector()
REGISTRY.register(STATE)


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR") or "")
    except ValueError:
        return False
    return any(peer in ipaddress.ip_network(network, strict=False) for network in settings.METRICS_ALLOWED_NETWORKS)


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        # The same answer as any unknown path: the endpoint does not advertise itself.
        return HttpResponse("Not Found", status=404, content_type="text/plain")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(STATE)
    else:
        registry = REGISTRY
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)

