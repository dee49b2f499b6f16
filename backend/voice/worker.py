"""The transcription worker's own machinery, installed as Dramatiq middleware (settings.DRAMATIQ_BROKER)
or used by the actor:

- Start-up check: the transcription provider must be usable before any message is taken.
  `before_worker_boot` runs in every worker process before its threads start, so the offline model
  is loaded once per process, here, and shared by the threads. If it cannot be loaded the process
  exits with the reason (Dramatiq then stops the other processes): no silent fallback to a worse
  engine, no notes failing one by one.
- Worker heartbeat: every worker process records itself in Redis every VOICE_HEARTBEAT_SECONDS
  (booking_graph.worker_liveness), so /readyz and /metrics can tell whether any worker is alive.
- Note heartbeat: while an attempt runs, a small thread stamps the note's heartbeat_at every
  VOICE_HEARTBEAT_SECONDS; when the process dies the stamps stop, and the recovery sweep (or the
  broker's redelivery of the message) takes the note over once they are VOICE_HEARTBEAT_STALE_SECONDS old.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import dramatiq
from django.conf import settings
from django.db import connection
from django.utils import timezone

from booking_graph import worker_liveness as liveness

from .transcribers import preload_transcriber
from .transcribers.base import TranscriptionError

logger = logging.getLogger(__name__)


class TranscriberStartupCheck(dramatiq.Middleware):
    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        try:
            transcriber = preload_transcriber()
        except (TranscriptionError, ImportError) as exc:
            logger.critical("worker.transcriber_unavailable", extra={"error": str(exc)})
            raise SystemExit(f"Transcription provider unavailable, worker not started: {exc}") from exc
        logger.info("worker.transcriber_ready", extra={"provider": transcriber.name})


class WorkerHeartbeat(dramatiq.Middleware):
    """Each worker process says it is alive, in Redis, every VOICE_HEARTBEAT_SECONDS (after the
    start-up check passed: a worker that cannot transcribe never counts), and leaves on a clean stop."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._member = ""

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._member = liveness.worker_id()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="voice-worker-heartbeat", daemon=True)
        self._thread.start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._stop.set()
        try:
            with liveness.client(settings.REDIS_SOCKET_TIMEOUT) as redis_client:
                liveness.forget(redis_client, self._member)
        except Exception:  # Redis down: the entry goes stale by itself
            logger.warning("worker.heartbeat_forget_failed", exc_info=True)

    def _run(self) -> None:
        interval = settings.VOICE_HEARTBEAT_SECONDS
        with liveness.client(settings.REDIS_SOCKET_TIMEOUT) as redis_client:
            while True:
                try:
                    liveness.record(redis_client, self._member)
                except Exception as exc:  # Redis down: try again next beat (one line, not a traceback per beat)
                    logger.warning("worker.heartbeat_failed", extra={"error": f"{type(exc).__name__}: {exc}"})
                if self._stop.wait(interval):
                    return


def _stamp(note_id: int) -> None:
    # Imported here: this module is loaded with the broker's middleware, before the app registry.
    from .models import TranscriptionStatus, VoiceNote

    VoiceNote.objects.filter(pk=note_id, status=TranscriptionStatus.PROCESSING, provider_job_id="").update(
        heartbeat_at=timezone.now()
    )


@contextmanager
def note_heartbeat(note_id: int) -> Iterator[None]:
    """Stamp the note's heartbeat_at every VOICE_HEARTBEAT_SECONDS while the block runs (the claim
    stamps it first). Only a PROCESSING note on a worker is stamped: once the attempt is finished,
    handed to a webhook or taken over by the sweep, the stamps change nothing."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.VOICE_HEARTBEAT_SECONDS):
                try:
                    _stamp(note_id)
                except Exception:  # the database is down: the next beat tries again
                    logger.warning("voice_note.heartbeat_failed", extra={"voice_note_id": note_id}, exc_info=True)
                    connection.close()
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"voice-note-heartbeat-{note_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
