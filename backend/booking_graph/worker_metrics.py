"""The worker's Prometheus metrics: Dramatiq's own exporter (messages, errors, retries, time per
message = transcription time) on WORKER_METRICS_HOST:WORKER_METRICS_PORT, loopback by default.

Dramatiq's middleware reads its address from the environment when first imported and only works
in processes started by the `dramatiq` command (after_process_boot); this wrapper sets the
address from the settings and stays silent anywhere else (the web process, tests' worker threads).
"""
from __future__ import annotations

import os
import tempfile

from django.conf import settings

os.environ["dramatiq_prom_host"] = settings.WORKER_METRICS_HOST
os.environ["dramatiq_prom_port"] = str(settings.WORKER_METRICS_PORT)
# The worker processes of one `rundramatiq` share a folder (prometheus-client's multiprocess mode):
# PROMETHEUS_MULTIPROC_DIR when the deployment sets one (the image does), else one per port.
os.environ.setdefault(
    "dramatiq_prom_db",
    os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    or os.path.join(tempfile.gettempdir(), f"booking-graph-worker-metrics-{settings.WORKER_METRICS_PORT}"),
)

from dramatiq.middleware.prometheus import Prometheus  # noqa: E402  (reads the variables above)


def _when_booted(hook_name: str):
    hook = getattr(Prometheus, hook_name)

    def guarded(self, *args, **kwargs):
        if self.booted:
            return hook(self, *args, **kwargs)
        return None

    guarded.__name__ = hook_name
    return guarded


class WorkerMetrics(Prometheus):
    def __init__(self) -> None:
        super().__init__()
        self.booted = False

    @property
    def forks(self):
        return super().forks if settings.WORKER_METRICS_PORT else []

    def after_process_boot(self, broker) -> None:
        if settings.WORKER_METRICS_PORT:
            super().after_process_boot(broker)
            self.booted = True

    after_nack = _when_booted("after_nack")
    after_enqueue = _when_booted("after_enqueue")
    before_delay_message = _when_booted("before_delay_message")
    before_process_message = _when_booted("before_process_message")
    after_process_message = _when_booted("after_process_message")
    after_skip_message = _when_booted("after_skip_message")
    after_worker_shutdown = _when_booted("after_worker_shutdown")
