"""Set up Django for a benchmark against its own database (never the dev or test one)."""
from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Its own database, never the dev or test one; BENCH_DB_NAME lets parallel checkouts keep apart.
BENCH_DB = os.environ.get("BENCH_DB_NAME") or "booking_graph_bench"


def setup(db_name: str = BENCH_DB) -> None:
    sys.path[:0] = [str(ROOT / "backend"), str(ROOT / "tests"), str(ROOT / "tests" / "voice")]
    os.environ["DB_NAME"] = db_name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booking_graph.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    # A bench sends thousands of requests a minute from one address: the abuse limit on public
    # reads would refuse most of them.
    os.environ.setdefault("RATE_LIMIT_PUBLIC_READ", "off")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("ensure_database", verbosity=0)
    call_command("migrate", verbosity=0)
    # As a server process does once started (booking_graph/asgi.py): both sides of every
    # comparison run in this process, with the same collector state.
    from booking_graph.process import freeze_startup_objects

    freeze_startup_objects()


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def timed(*, call, repeats: int) -> list[float]:
    """Seconds per call, `repeats` times, after one warm-up call."""
    call()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on, for a server the bench starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
