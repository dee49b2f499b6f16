"""What GraphQL costs over a hand-written Django view doing the same database work.

    .venv/bin/python bench/graphql_overhead.py          # about 3 minutes

Each request is measured with the fast paths on (the project's schema, GRAPHQL_FAST_PATHS=1) and
off (the schema built with fast_paths=False, served by the same view class in the same process),
interleaved with the hand-written view, and both ratios are printed.

Uses its own database (booking_graph_bench_overhead, or $BENCH_DB_NAME). Data:
100 accommodations (50 hotels with 2 rooms, 50 apartments), 5 bookings each,
one voice note per booking; for the lists of 1,000, 900 more places of the same
shape (without voice notes) are added before those rows are measured.

Both sides are called through the view layer (RequestFactory, no network, no
middleware): the GraphQL view of the project and the plain views of
bench/handwritten_views.py, which return the same JSON (checked before timing).
Each pair is measured interleaved (GraphQL, view, GraphQL, view, ...) after a
warm-up; the figures are medians. SQL statements are counted on one request of
each side. The page size limit is raised to 1,000 for this process only
(GRAPHQL_PAGE_SIZE_MAX), so that a list of 1,000 can be asked for, and the public-read
rate limit is off (bench/_django.py: one address sends thousands of requests).
"""
from __future__ import annotations

import datetime
import json
import os
import sys
import time

os.environ["GRAPHQL_PAGE_SIZE_MAX"] = "1000"
os.environ.setdefault("DEBUG", "0")  # production settings: no query log, masked errors
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "localhost")

from _django import median, setup  # noqa: E402

setup(os.environ.get("BENCH_DB_NAME", "booking_graph_bench_overhead"))

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

import handwritten_views as hand  # noqa: E402
from _dataset import ONE_DAY, add_places, reset  # noqa: E402
from django.urls import resolve  # noqa: E402
from bookings.models import Booking  # noqa: E402
from catalog.models import Accommodation  # noqa: E402
from voice.models import VoiceNote  # noqa: E402

PLACE_FIELDS = """__typename id kind name description price location createdAt updatedAt
    ... on Hotel { rooms stars } ... on Apartment { bedrooms maxGuests }"""
CATALOG = f"{{ accommodations {{ {PLACE_FIELDS} }} }}"
STAFF_PAGE = f"""{{ accommodations(pagination: {{limit: 100}}) {{ {PLACE_FIELDS}
    bookings {{ id startDate endDate nights guestName status createdAt
      voiceNotes {{ id status transcript confidence language durationSeconds contentType sizeBytes
                   originalFilename audioUrl createdAt transcribedAt }} }} }} }}"""
LIST_SIZES = (10, 100, 1_000)
PAGE_REPEATS = 30
LIST_REPEATS = {10: 30, 100: 15, 1_000: 5}
NIGHTS = 2
CALENDAR_DAYS = 30

from booking_graph.schema import build_schema, schema  # noqa: E402
from booking_graph.views import BookingGraphView  # noqa: E402

graphql_view = resolve("/graphql/").func
assert schema.fast_paths, "run with GRAPHQL_FAST_PATHS on: the stock side is built here"
stock_view = BookingGraphView.as_view(schema=build_schema(fast_paths=False), multipart_uploads_enabled=True)
factory = RequestFactory(HTTP_HOST="localhost")


def graphql_call(query: str, user, view=None):
    body = json.dumps({"query": query})
    view = view or graphql_view

    def call() -> bytes:
        request = factory.post("/graphql/", body, content_type="application/json")
        request.user = user
        request._dont_enforce_csrf_checks = True
        response = view(request)
        assert response.status_code == 200, response.content
        return response.content

    return call


def view_call(view, user, **params):
    def call() -> bytes:
        request = factory.get("/", params)
        request.user = user
        response = view(request)
        assert response.status_code == 200, response.content
        return response.content

    return call


def statements(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def compare(label: str, query: str, user, view, repeats: int) -> dict:
    sides = {"gql": graphql_call(query, user), "stock": graphql_call(query, user, stock_view), "view": view}
    answers = {side: json.loads(call()) for side, call in sides.items()}
    if not answers["gql"] == answers["stock"] == answers["view"]:
        sys.exit(f"{label}: the answers differ:\n{answers}")
    samples = {side: [] for side in sides}
    for _ in range(repeats):
        for side, call in sides.items():
            started = time.perf_counter()
            call()
            samples[side].append(time.perf_counter() - started)
    row = {"label": label}
    for side, call in sides.items():
        row[f"{side}_ms"] = median(samples[side]) * 1000
        row[f"{side}_sql"] = statements(call)
    row["ratio"] = row["gql_ms"] / row["view_ms"]
    row["stock_ratio"] = row["stock_ms"] / row["view_ms"]
    print(
        f"  {label:44s} fast {row['gql_ms']:8.2f} ms {row['gql_sql']:5d} SQL | stock {row['stock_ms']:8.2f} ms"
        f" {row['stock_sql']:5d} SQL | view {row['view_ms']:8.2f} ms {row['view_sql']:3d} SQL"
        f" | ratio on {row['ratio']:5.2f}x off {row['stock_ratio']:5.2f}x",
        flush=True,
    )
    return row


def list_queries(size: int, date: datetime.date) -> dict:
    end = date + CALENDAR_DAYS * ONE_DAY
    return {
        "nextAvailableDate": (
            f'{{ accommodations(pagination: {{limit: {size}}}) {{ id nextAvailableDate(date: "{date}", nights: {NIGHTS}) }} }}',
            hand.next_available_dates,
            {"limit": size, "date": date, "nights": NIGHTS},
        ),
        f"availability ({CALENDAR_DAYS} days)": (
            f'{{ accommodations(pagination: {{limit: {size}}}) {{ id availability(start: "{date}", end: "{end}") '
            "{ date available freeUnits } } }",
            hand.availabilities,
            {"limit": size, "start": date, "end": end},
        ),
    }


def main() -> None:
    reset()
    add_places(0, 100, voice_notes=True)
    staff = get_user_model().objects.filter(username="bench-staff").first() or get_user_model().objects.create_user(
        "bench-staff", password="bench-staff-pass", is_staff=True
    )
    anonymous = AnonymousUser()
    print(f"{Accommodation.objects.count()} places, {Booking.objects.count()} bookings, "
          f"{VoiceNote.objects.count()} voice notes. Medians, interleaved runs.\n", flush=True)
    rows = [
        compare("anonymous catalog page of 20", CATALOG, anonymous,
                view_call(hand.catalog_page, anonymous, limit=20), PAGE_REPEATS),
        compare("staff page of 100, bookings + voice notes", STAFF_PAGE, staff,
                view_call(hand.staff_page, staff, limit=100), PAGE_REPEATS),
    ]
    date = timezone.localdate()
    counts: dict[str, list[int]] = {}
    for size in LIST_SIZES:
        if Accommodation.objects.count() < size:
            add_places(Accommodation.objects.count(), size - Accommodation.objects.count(), voice_notes=False)
        for name, (query, view, params) in list_queries(size, date).items():
            row = compare(f"{name} on a list of {size:,}", query, anonymous,
                          view_call(view, anonymous, **params), LIST_REPEATS[size])
            counts.setdefault(name, []).append(row["gql_sql"])
            rows.append(row)
    reset()

    catalog, staff_page = rows[0]["ratio"], rows[1]["ratio"]
    constant = all(len(set(values)) == 1 for values in counts.values())
    per_list = ", ".join(f"{name} {'/'.join(map(str, values))}" for name, values in counts.items())
    verdict = "MET" if catalog <= 1.8 and staff_page <= 1.2 and constant else "MISSED"
    print("\n| request | fast paths on | off (GRAPHQL_FAST_PATHS=0) | SQL on / off / view |\n|---|---|---|---|")
    for row in rows:
        print(f"| {row['label']} | {row['ratio']:.2f}x ({row['gql_ms']:.2f} / {row['view_ms']:.2f} ms) | "
              f"{row['stock_ratio']:.2f}x ({row['stock_ms']:.2f} ms) | {row['gql_sql']} / {row['stock_sql']} / {row['view_sql']} |")
    print(
        f"\nSUMMARY GraphQL / hand-written view, fast paths on: catalog page of 20 {catalog:.2f}x (target <= 1.8), "
        f"staff page of 100 {staff_page:.2f}x (target <= 1.2); off: {rows[0]['stock_ratio']:.2f}x / "
        f"{rows[1]['stock_ratio']:.2f}x; SQL per list of {'/'.join(f'{s:,}' for s in LIST_SIZES)}: {per_list} "
        f"({'constant' if constant else 'GROWING'}); target {verdict}"
    )


if __name__ == "__main__":
    main()
