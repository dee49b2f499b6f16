"""What GraphQL costs over a hand-written Django view doing the same database work.

    .venv/bin/python bench/graphql_overhead.py          # about 2 minutes

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

graphql_view = resolve("/graphql/").func
factory = RequestFactory(HTTP_HOST="localhost")


def graphql_call(query: str, user):
    body = json.dumps({"query": query})

    def call() -> bytes:
        request = factory.post("/graphql/", body, content_type="application/json")
        request.user = user
        request._dont_enforce_csrf_checks = True
        response = graphql_view(request)
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


def compare(label: str, gql, view, repeats: int) -> dict:
    gql_answer, view_answer = json.loads(gql()), json.loads(view())
    if gql_answer != view_answer:
        sys.exit(f"{label}: the GraphQL answer and the hand-written view's differ:\n{gql_answer}\n{view_answer}")
    samples = {"gql": [], "view": []}
    for _ in range(repeats):
        for side, call in (("gql", gql), ("view", view)):
            started = time.perf_counter()
            call()
            samples[side].append(time.perf_counter() - started)
    row = {
        "label": label,
        "gql_ms": median(samples["gql"]) * 1000,
        "view_ms": median(samples["view"]) * 1000,
        "gql_sql": statements(gql),
        "view_sql": statements(view),
    }
    row["ratio"] = row["gql_ms"] / row["view_ms"]
    print(
        f"  {label:44s} GraphQL {row['gql_ms']:8.2f} ms {row['gql_sql']:5d} SQL | view {row['view_ms']:8.2f} ms"
        f" {row['view_sql']:3d} SQL | ratio {row['ratio']:5.2f}x",
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
        compare("anonymous catalog page of 20", graphql_call(CATALOG, anonymous),
                view_call(hand.catalog_page, anonymous, limit=20), PAGE_REPEATS),
        compare("staff page of 100, bookings + voice notes", graphql_call(STAFF_PAGE, staff),
                view_call(hand.staff_page, staff, limit=100), PAGE_REPEATS),
    ]
    date = timezone.localdate()
    counts: dict[str, list[int]] = {}
    for size in LIST_SIZES:
        if Accommodation.objects.count() < size:
            add_places(Accommodation.objects.count(), size - Accommodation.objects.count(), voice_notes=False)
        for name, (query, view, params) in list_queries(size, date).items():
            row = compare(f"{name} on a list of {size:,}", graphql_call(query, anonymous),
                          view_call(view, anonymous, **params), LIST_REPEATS[size])
            counts.setdefault(name, []).append(row["gql_sql"])
            rows.append(row)
    reset()

    catalog, staff_page = rows[0]["ratio"], rows[1]["ratio"]
    constant = all(len(set(values)) == 1 for values in counts.values())
    per_list = ", ".join(f"{name} {'/'.join(map(str, values))}" for name, values in counts.items())
    verdict = "MET" if catalog <= 2.0 and staff_page <= 2.0 and constant else "MISSED"
    print(
        f"\nSUMMARY GraphQL / hand-written view: catalog page of 20 {catalog:.2f}x, staff page of 100 {staff_page:.2f}x "
        f"(target <= 2.0); SQL per list of {'/'.join(f'{s:,}' for s in LIST_SIZES)}: {per_list} "
        f"({'constant' if constant else 'GROWING'}); target {verdict}"
    )


if __name__ == "__main__":
    main()
