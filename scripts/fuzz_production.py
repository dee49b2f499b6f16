"""Schema fuzz against the production setup (issue 19): hypothesis-graphql generates valid operations
from schema.graphql and sends each over HTTP, as an anonymous client and as a logged-in staff user,
to uvicorn x3 with DEBUG=0 and a Dramatiq worker, on a private PostgreSQL and Redis with their own
database (scripts/_stack.py), for a given time.

    .venv/bin/python scripts/fuzz_production.py --minutes 10

Reports the number of operations, the answers by HTTP status and error code, and every operation
answered with a 500, a non-JSON body, an `internal` error code, or that logged an ERROR in the web
processes. Exit status 1 when there is any. Rate limits are off for the run (they would answer most
operations with rate_limited); everything else is the production configuration.
"""
from __future__ import annotations

import argparse
import json
import queue
import re
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import graphql
import httpx
from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from hypothesis_graphql import from_schema, nodes

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _stack import ROOT, Stack  # noqa: E402

SCHEMA = (ROOT / "schema.graphql").read_text()
TEXT = st.text(max_size=30)
CUSTOM_SCALARS = {  # as tests/booking_graph/test_schema_fuzz.py: well-formed values and junk
    "Date": st.one_of(st.dates().map(lambda d: d.isoformat()), TEXT).map(nodes.String),
    "DateTime": st.one_of(st.datetimes().map(lambda d: d.isoformat()), TEXT).map(nodes.String),
    "Decimal": st.one_of(st.decimals(allow_nan=True, allow_infinity=True).map(str), TEXT).map(nodes.String),
    "Upload": st.one_of(TEXT.map(nodes.String), st.just(graphql.NullValueNode())),
}
OPERATIONS = from_schema(SCHEMA, custom_scalars=CUSTOM_SCALARS)
# Staff would log itself out (and then fuzz as anonymous): logout is sent anonymously only.
STAFF_SKIPS = re.compile(r"\blogout\b")


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.outcomes: Counter[str] = Counter()
        self.failures: list[dict] = []
        self.sent = 0
        self.uncoded: list[dict] = []  # errors without extensions.code: not failures, but worth a look

    def record(self, role: str, query: str, response: httpx.Response | None, error: str = "") -> None:
        failure = ""
        if response is None:
            outcome = f"no answer ({error})"
            failure = outcome
        else:
            try:
                body = response.json()
            except json.JSONDecodeError:
                body = None
            if body is None:
                outcome = f"{response.status_code} non-JSON"
                failure = outcome
            else:
                codes = sorted({(e.get("extensions") or {}).get("code", "no code") for e in body.get("errors") or []})
                outcome = f"{response.status_code} {','.join(codes) or 'ok'}"
                if response.status_code >= 500 and response.status_code != 503 or "internal" in codes:
                    failure = outcome
        with self.lock:
            self.sent += 1
            self.outcomes[f"{role}: {outcome}"] += 1
            if response is not None and "no code" in outcome and len(self.uncoded) < 5:
                messages = [e.get("message", "")[:300] for e in (body or {}).get("errors") or []
                            if not (e.get("extensions") or {}).get("code")]
                self.uncoded.append({"role": role, "messages": messages, "query": query[:600]})
            if failure and len(self.failures) < 50:
                self.failures.append({"role": role, "outcome": failure, "query": query[:2000],
                                      "body": response.text[:1000] if response is not None else error})


def sender(stack: Stack, role: str, jobs: queue.Queue, results: Results, client: httpx.Client) -> None:
    while (query := jobs.get()) is not None:
        try:
            response = client.post("/graphql/", json={"query": query})
        except httpx.HTTPError as exc:
            results.record(role, query, None, f"{type(exc).__name__}: {exc}")
            continue
        try:
            results.record(role, query, response)
        except Exception as exc:  # an answer of a shape this script did not expect must not stop the sender
            results.record(role, query, None, f"unreadable answer {response.status_code}: {type(exc).__name__}: {exc}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--senders", type=int, default=2, help="concurrent HTTP clients per role")
    parser.add_argument("--keep-logs", action="store_true")
    args = parser.parse_args()
    rate_limits_off = {f"RATE_LIMIT_{scope}": "off" for scope in
                       ("CREATE_BOOKING", "LOGIN_ADDRESS", "LOGIN_USERNAME", "VOICE_UPLOAD", "PUBLIC_READ", "WEBHOOK")}
    env = {**rate_limits_off, "VOICE_TRANSCRIBER": "slow_transcriber.SlowTranscriber", "SLOW_TRANSCRIBER_SECONDS": "0"}
    results = Results()
    with Stack(env=env, keep=args.keep_logs) as stack:
        print(f"-- stack: PostgreSQL :{stack.postgres.port}, Redis :{stack.redis.port}, "
              f"uvicorn x{stack.web_workers} :{stack.web_port} (DEBUG=0), one Dramatiq worker; "
              f"fuzzing for {args.minutes:g} min", flush=True)
        staff_template = stack.staff_client()
        queues = {"anonymous": queue.Queue(maxsize=50), "staff": queue.Queue(maxsize=50)}
        threads = []
        for role, jobs in queues.items():
            for _ in range(args.senders):
                if role == "staff":
                    client = httpx.Client(base_url=stack.base, timeout=60, cookies=staff_template.cookies,
                                          headers=dict(staff_template.headers))
                else:
                    client = httpx.Client(base_url=stack.base, timeout=60)
                thread = threading.Thread(target=sender, args=(stack, role, jobs, results, client), daemon=True)
                thread.start()
                threads.append(thread)
        deadline = time.monotonic() + args.minutes * 60
        generated = 0

        class TimeUp(Exception):
            pass

        def offer(jobs: queue.Queue, query: str) -> None:
            # A bounded wait: with every sender of a role stuck or gone, a plain put() blocked the run
            # past its deadline until the outer timeout killed it, report and all (seen once).
            while True:
                try:
                    jobs.put(query, timeout=1)
                    return
                except queue.Full:
                    if time.monotonic() > deadline:
                        raise TimeUp from None

        @settings(max_examples=10**9, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(OPERATIONS)
        def generate(query: str) -> None:
            nonlocal generated
            if time.monotonic() > deadline:
                raise TimeUp
            generated += 1
            offer(queues["anonymous"], query)
            if not STAFF_SKIPS.search(query):
                offer(queues["staff"], query)
            if generated % 500 == 0:
                print(f"   {generated} generated, {results.sent} answered, "
                      f"{len(results.failures)} failures", flush=True)

        started = time.monotonic()
        try:
            generate()
        except TimeUp:
            pass
        for jobs in queues.values():
            for _ in range(args.senders):
                try:
                    jobs.put(None, timeout=30)
                except queue.Full:
                    break  # its senders are stuck: the report says how many are still alive
        for thread in threads:
            thread.join(timeout=120)
        stuck_senders = sum(thread.is_alive() for thread in threads)
        elapsed = time.monotonic() - started
        logged_errors = [line for process in stack.processes for line in process.output().splitlines()
                         if '"level": "ERROR"' in line or '"level": "CRITICAL"' in line]

    print(f"== {generated} operations generated, {results.sent} requests answered in {elapsed / 60:.1f} min "
          f"({results.sent / elapsed:.1f}/s)")
    for outcome, count in sorted(results.outcomes.items(), key=lambda item: -item[1]):
        print(f"  {count:7d} x {outcome}")
    print(f"  ERROR lines logged by the web and worker processes: {len(logged_errors)}")
    if stuck_senders:
        print(f"  senders still waiting on an answer at the end: {stuck_senders} (a request that never returned)")
    for line in logged_errors[:10]:
        print("   ", line[:600])
    for uncoded in results.uncoded:
        print("  (error without a code)", json.dumps(uncoded)[:1200])
    for failure in results.failures[:20]:
        print("  FAILURE", json.dumps(failure)[:3000])
    bad = results.failures or logged_errors or stuck_senders
    print("RESULT:", "no 500 and no internal error" if not bad else
          f"{len(results.failures)} failing answers, {len(logged_errors)} ERROR lines, {stuck_senders} stuck senders")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
