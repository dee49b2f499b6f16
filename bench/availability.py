"""nextAvailableDate and a 90-day availability as the bookings of one place grow.

    .venv/bin/python bench/availability.py

Uses its own database (booking_graph_bench). For an apartment and a 3-room hotel
holding 10, 1,000 and 10,000 bookings it prints the median and p95 latency of
both queries through the real GraphQL view (Django test client: request
parsing, schema, resolvers, JSON) and of the selector alone, the SQL queries per
request, and the ratio 10,000 / 10. Layouts:

- realistic: bookings spread over past and future years, mostly back to back
  with gaps, "today" somewhere in the middle;
- worst case: every booking in the future, back to back, so the first free
  day comes after all of them and the whole history must be read.
"""
from __future__ import annotations

import datetime
import json
import random

from _django import median, percentile, setup, timed

setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bookings import selectors  # noqa: E402
from bookings.models import Booking  # noqa: E402
from bookings.selectors import today  # noqa: E402
from catalog import services as catalog_services  # noqa: E402
from catalog.models import Accommodation  # noqa: E402

from _dataset import ONE_DAY, back_to_back_stays, reset  # noqa: E402

SIZES = (10, 1_000, 10_000)
REPEATS = 40


def realistic_stays(count: int, rooms: int, rng: random.Random) -> list[tuple[datetime.date, datetime.date]]:
    """Per room, stays of 1-7 nights, back to back 70% of the time, else after a 1-10 day gap;
    half of them in the past, so 'today' falls inside the booked period."""
    per_room = count // rooms
    first = today() - datetime.timedelta(days=int(per_room * 2.9))
    return [stay for _ in range(rooms) for stay in back_to_back_stays(first, per_room, rng, max_gap=10)]


def worst_case_stays(count: int, rooms: int) -> list[tuple[datetime.date, datetime.date]]:
    per_room = count // rooms
    return [
        (today() + (2 * n) * ONE_DAY, today() + (2 * n + 2) * ONE_DAY) for _ in range(rooms) for n in range(per_room)
    ]


def place_with(kind: str, stays) -> Accommodation:
    if kind == "apartment":
        place = catalog_services.create_apartment(name="Bench flat", location="X", price=1, bedrooms=1, max_guests=2)
    else:
        place = catalog_services.create_hotel(name="Bench hotel", location="X", price=1, rooms=3)
    Booking.objects.bulk_create(
        (Booking(accommodation=place, start_date=s, end_date=e, guest_name="Bench", total_price=0, exclusive=kind == "apartment")
         for s, e in stays),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE bookings_booking")
    return place


def graphql_call(client: Client, query: str):
    def call():
        response = client.post("/graphql/", json.dumps({"query": query}), content_type="application/json")
        body = response.json()
        assert "errors" not in body, body

    return call


def measure(kind: str, layout: str, count: int) -> dict:
    rng = random.Random(count)
    rooms = 1 if kind == "apartment" else 3
    stays = realistic_stays(count, rooms, rng) if layout == "realistic" else worst_case_stays(count, rooms)
    place = place_with(kind, stays)
    start = today()
    end = start + 90 * ONE_DAY
    client = Client(HTTP_HOST="localhost")
    next_query = f'{{ nextAvailableDate(id: "{place.pk}", date: "{start}", nights: 3) }}'
    calendar_query = f'{{ availability(id: "{place.pk}", start: "{start}", end: "{end}") {{ date freeUnits }} }}'
    executed = []
    with connection.execute_wrapper(lambda execute, sql, params, many, context: executed.append(sql) or execute(sql, params, many, context)):
        graphql_call(client, next_query)()
    answer = selectors.next_available_date(accommodation=place, date=start, nights=3)
    result = {
        "next_gql": timed(repeats=REPEATS, call=graphql_call(client, next_query)),
        "calendar_gql": timed(repeats=REPEATS, call=graphql_call(client, calendar_query)),
        "next_selector": timed(repeats=REPEATS, call=lambda: selectors.next_available_date(accommodation=place, date=start, nights=3)),
        "calendar_selector": timed(repeats=REPEATS, call=lambda: selectors.availability(accommodation=place, start=start, end=end)),
        "queries": len(executed),
        "answer": answer,
    }
    reset()
    return result


def ms(values: list[float]) -> str:
    return f"{median(values) * 1000:7.2f} ms (p95 {percentile(values, 0.95) * 1000:6.2f})"


def main() -> None:
    reset()
    print(f"{REPEATS} runs each after a warm-up; median (p95). 'gql' = through the GraphQL view.\n")
    for layout in ("realistic", "worst-case"):
        for kind in ("apartment", "hotel"):
            print(f"== {kind}, {layout} layout")
            results = {}
            for count in SIZES:
                r = results[count] = measure(kind, layout, count)
                print(
                    f"  {count:>6} bookings  nextAvailableDate gql {ms(r['next_gql'])}  selector {ms(r['next_selector'])}"
                    f"  | 90-day availability gql {ms(r['calendar_gql'])}  selector {ms(r['calendar_selector'])}"
                    f"  | SQL/request {r['queries']}  answer {r['answer']}"
                )
            for metric in ("next_gql", "calendar_gql", "next_selector", "calendar_selector"):
                ratio = median(results[SIZES[-1]][metric]) / median(results[SIZES[0]][metric])
                print(f"  ratio {SIZES[-1]:,} / {SIZES[0]}  {metric:18s} {ratio:5.2f}")
            print()


if __name__ == "__main__":
    main()
