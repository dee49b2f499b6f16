"""Throughput and latency under load: gunicorn (3 sync workers) on loopback, 50 concurrent clients.

    .venv/bin/python bench/load_test.py [--seconds 20] [--clients 50] [--workers 3] [--server uvicorn]

`--server uvicorn` serves the ASGI application as production does (Procfile, Dockerfile):
uvicorn with 3 worker processes, each request's Django code in a thread of its own.

Uses its own database (booking_graph_bench_load, or $BENCH_DB_NAME + "_load"),
rebuilt each run with the data set of graphql_overhead.py (100 places, 5 bookings
each), so two runs start from the same state. The server runs with production
settings (DEBUG=0) but the per-address rate limits off (every client is 127.0.0.1). The clients are asyncio tasks in this process, each sending
one request at a time (a new connection each: gunicorn's sync workers do not
keep connections alive), for a bounded duration after a short warm-up. The mix:

    30 %  catalog page of 20 (interface fields and both fragments)
    20 %  accommodation(id) with both fragments
    20 %  a page of 20 with nextAvailableDate (GraphiQL's example document)
    15 %  availability(id) for 30 days
    15 %  createBooking (a fresh stay each time: every one is accepted)

Prints requests per second and p50/p99 latency, overall and per kind, counts
answers that were not HTTP 200 or carried GraphQL errors, and the CPU time the
gunicorn processes spent per request (from /proc: the figure other load on the
machine disturbs least). The machine is
shared: compare runs made one right after the other, and repeat them.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import itertools
import json
import os
import random
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from _django import BENCH_DB, ROOT, free_port, percentile, setup

DB_NAME = BENCH_DB + "_load"
setup(DB_NAME)

from django.utils import timezone  # noqa: E402

from _dataset import add_places, reset  # noqa: E402
from catalog.models import Accommodation  # noqa: E402

MIX = (("catalog", 30), ("accommodation", 20), ("nextAvailableDate", 20), ("availability", 15), ("createBooking", 15))
PLACE_FIELDS = "__typename id name price location ... on Hotel { rooms stars } ... on Apartment { bedrooms maxGuests }"


SERVERS = {
    "gunicorn": lambda port, workers: [
        str(ROOT / ".venv" / "bin" / "gunicorn"), "booking_graph.wsgi:application", "--chdir", str(ROOT / "backend"),
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"],
    "uvicorn": lambda port, workers: [
        str(ROOT / ".venv" / "bin" / "uvicorn"), "booking_graph.asgi:application", "--app-dir", str(ROOT / "backend"),
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--no-proxy-headers",
        "--no-access-log", "--log-level", "warning"],
}


def start_server(port: int, workers: int, kind: str = "gunicorn") -> subprocess.Popen:
    env = os.environ | {
        "DB_NAME": DB_NAME,
        "DEBUG": "0",
        "SECRET_KEY": "load-test-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        # Every client is 127.0.0.1: the per-address abuse limits would refuse most requests.
        "RATE_LIMIT_PUBLIC_READ": "off",
        "RATE_LIMIT_CREATE_BOOKING": "off",
        # Plain HTTP on loopback: production settings would redirect every request to https.
        "SECURE_SSL_REDIRECT": "0",
        "PYTHONWARNINGS": "ignore::UserWarning",  # whitenoise: no collected static files, not needed here
    }
    server = subprocess.Popen(SERVERS[kind](port, workers), env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql/", data=b'{"query": "{ __typename }"}',
                                             headers={"Content-Type": "application/json"})
            urllib.request.urlopen(request, timeout=2).read()
            return server
        except urllib.error.HTTPError as error:  # it answers, but not with the GraphQL answer
            server.terminate()
            sys.exit(f"{kind} answered {error.code} {error.reason} (Location: {error.headers.get('Location')})")
        except OSError:  # not listening yet
            time.sleep(0.2)
    server.terminate()
    sys.exit(f"{kind} did not answer within 30 s")


class Requests:
    """The request mix; every createBooking gets nights no other request asked for."""

    def __init__(self, place_ids: list[int]) -> None:
        self.place_ids = place_ids
        self.rng = random.Random(7)
        self.kinds = [kind for kind, weight in MIX for _ in range(weight)]
        self.stays = itertools.count()
        self.today = timezone.localdate()

    def next(self) -> tuple[str, str]:
        kind = self.rng.choice(self.kinds)
        place = self.rng.choice(self.place_ids)
        date = self.today + datetime.timedelta(days=self.rng.randint(0, 30))
        if kind == "catalog":
            query = f"{{ accommodations {{ {PLACE_FIELDS} }} }}"
        elif kind == "accommodation":
            query = f'{{ accommodation(id: "{place}") {{ {PLACE_FIELDS} }} }}'
        elif kind == "nextAvailableDate":
            query = f'{{ accommodations {{ {PLACE_FIELDS} nextAvailableDate(date: "{date}") }} }}'
        elif kind == "availability":
            end = date + datetime.timedelta(days=30)
            query = f'{{ availability(id: "{place}", start: "{date}", end: "{end}") {{ date available freeUnits }} }}'
        else:
            n = next(self.stays)
            place = self.place_ids[n % len(self.place_ids)]
            start = self.today + datetime.timedelta(days=200 + 3 * (n // len(self.place_ids)))
            end = start + datetime.timedelta(days=2)
            query = (
                f'mutation {{ createBooking(data: {{accommodation: "{place}", startDate: "{start}", endDate: "{end}", '
                f'guestName: "Load {n}"}}) {{ __typename ... on Booking {{ id nights status accommodation {{ name }} }} '
                "... on OperationInfo { messages { code message } } } }"
            )
        return kind, json.dumps({"query": query})


async def post(port: int, body: str) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    payload = body.encode()
    writer.write(
        b"POST /graphql/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n"
        + f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload
    )
    await writer.drain()
    response = await reader.read()
    writer.close()
    head, _, content = response.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), content


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """User + system CPU of the server's master and workers so far (Linux /proc): unlike latency,
    hardly moved by other processes sharing the machine. PostgreSQL's share is not in it."""
    pids = [server.pid]
    with contextlib.suppress(OSError):
        pids += [int(pid) for pid in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()]
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


async def run_clients(
    port: int, requests: Requests, clients: int, warmup: float, seconds: float, server: subprocess.Popen
) -> tuple[list[tuple], float]:
    results: list[tuple[str, float, bool]] = []
    started = time.monotonic()
    measure_from, stop_at = started + warmup, started + warmup + seconds
    cpu: list[float] = []

    async def sample_cpu() -> None:
        for moment in (measure_from, stop_at):
            await asyncio.sleep(max(0.0, moment - time.monotonic()))
            cpu.append(server_cpu_seconds(server))

    async def client() -> None:
        while (now := time.monotonic()) < stop_at:
            kind, body = requests.next()
            status, content = await post(port, body)
            done = time.monotonic()
            ok = status == 200 and b'"errors"' not in content and b"OperationInfo" not in content
            if now >= measure_from and done <= stop_at:
                results.append((kind, done - now, ok))

    await asyncio.gather(sample_cpu(), *(client() for _ in range(clients)))
    return results, cpu[1] - cpu[0]


def report(results: list[tuple], seconds: float) -> None:
    def line(label: str, rows: list[tuple]) -> str:
        latencies = [r[1] * 1000 for r in rows]
        failed = sum(1 for r in rows if not r[2])
        return (f"  {label:18s} {len(rows) / seconds:7.1f} req/s  p50 {percentile(latencies, 0.50):7.1f} ms"
                f"  p99 {percentile(latencies, 0.99):7.1f} ms  ({len(rows)} requests, {failed} failed)")

    print(line("all", results))
    for kind, _ in MIX:
        print(line(kind, [r for r in results if r[0] == kind]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--server", choices=sorted(SERVERS), default="gunicorn")
    args = parser.parse_args()

    reset()
    add_places(0, 100, voice_notes=False)
    place_ids = list(Accommodation.objects.values_list("pk", flat=True))
    port = free_port()
    server = start_server(port, args.workers, args.server)
    try:
        results, cpu = asyncio.run(
            run_clients(port, Requests(place_ids), args.clients, args.warmup, args.seconds, server)
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    workers = "sync workers" if args.server == "gunicorn" else "worker processes (ASGI)"
    print(f"{args.server} {args.workers} {workers}, {args.clients} concurrent clients, {args.seconds:g} s measured "
          f"after {args.warmup:g} s warm-up, loopback:")
    report(results, args.seconds)
    print(f"  server CPU ({args.server} master + workers) {cpu * 1000 / max(len(results), 1):.1f} ms per request "
          f"({cpu:.1f} s over the measured window)")


if __name__ == "__main__":
    main()
