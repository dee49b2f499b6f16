"""The periodic sweep, run inside every Dramatiq worker process: no extra process to deploy,
no manual step after an outage.

A daemon thread per worker process wakes every VOICE_SWEEP_INTERVAL_SECONDS; a short lock in
the shared cache lets one process per interval do the work, however many workers run.
"""
from __future__ import annotations

import logging
import os
import threading

import dramatiq
from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections

logger = logging.getLogger(__name__)

LOCK_KEY = "voice:sweep-lock"


def sweep_once() -> None:
    """Crash recovery, audio retention, and lapsed booking holds marked EXPIRED (they already
    block nobody; this keeps statuses honest for staff and guests)."""
    from bookings.services import expire_holds  # the app registry is ready by the time a worker boots

    from .recovery import recover_transcriptions
    from .retention import purge_expired_audio

    recover_transcriptions()
    purge_expired_audio()
    if expired := expire_holds():
        logger.info("sweep.holds_expired", extra={"count": expired})


class PeriodicSweep(dramatiq.Middleware):
    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def after_worker_boot(self, broker, worker) -> None:
        interval = settings.VOICE_SWEEP_INTERVAL_SECONDS
        if interval <= 0:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(interval,), name="voice-sweep", daemon=True)
        self._thread.start()
        logger.info("voice.sweep_started", extra={"interval": interval, "pid": os.getpid()})

    def before_worker_shutdown(self, broker, worker) -> None:
        self._stop.set()

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                # The lock expires before the next tick, so a dead holder never blocks the sweep.
                if cache.add(LOCK_KEY, os.getpid(), timeout=max(1, int(interval * 0.9))):
                    sweep_once()
            except Exception:  # Redis or PostgreSQL down: try again next tick
                logger.exception("voice.sweep_failed")
            finally:
                close_old_connections()
