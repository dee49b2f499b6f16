"""Worker start-up check: the transcription provider must be usable before any message is taken.

Installed as Dramatiq middleware (settings.DRAMATIQ_BROKER). `before_worker_boot` runs in every
worker process before its threads start, so the offline model is loaded once per process, here,
and shared by the threads. If it cannot be loaded the process exits with the reason (Dramatiq
then stops the other processes): no silent fallback to a worse engine, no notes failing one by one.
"""
from __future__ import annotations

import logging

import dramatiq

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
