"""searchStays as the catalog grows: 10, 100 and 1,000 accommodations with 100 bookings each.

    .venv/bin/python bench/search.py

Uses its own database (booking_graph_bench). A mix of hotels (1-5 rooms) and apartments
in six cities; each place holds 100 bookings, half in the past and half in the coming
months, so the searched nights are partly taken. For each catalog size it prints the
median and p95 latency of `searchStays` (page of 20) through the real GraphQL view and of
the selector alone, the SQL statements per request, how many offers came back, and the
ratio 1,000 / 10. Target: statements constant, ratio <= 5.
"""
from __future__ import annotations

import datetime
import json
import random
import sys
from decimal import Decimal

from _django import median, percentile, setup, timed

setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bookings import selectors  # noqa: E402
from bookings.models import Booking  # noqa: E402
from bookings.selectors import today  # noqa: E402
from catalog.models import Accommodation, Apartment, Hotel  # noqa: E402

from _dataset import ONE_DAY, back_to_back_stays, reset  # noqa: E402

SIZES = (10, 100, 1_000)
BOOKINGS_EACH = 100
REPEATS = 40
CITIES = ["Lisbon", "Porto", "Berlin", "Vienna", "Barcelona", "Amsterdam"]
VERBOSE = "-v" in sys.argv  # print the statements of one request


def stays_for(rooms: int, rng: random.Random) -> list[tuple[datetime.date, datetime.date]]:
    """BOOKINGS_EACH stays spread over the rooms: 1-7 nights, often back to back, from
    about a year ago to a few months ahead (never more than `rooms` on one night)."""
    stays = []
    per_room = BOOKINGS_EACH // rooms
    for room in range(rooms):
        count = per_room + (1 if room < BOOKINGS_EACH % rooms else 0)
        first = today() - datetime.timedelta(days=rng.randint(300, 420))
        stays += back_to_back_stays(first, count, rng, max_gap=5)
    return stays


def grow_to(total: int, rng: random.Random) -> None:
    """Add places (with their bookings) until the catalog holds `total`."""
    have = Accommodation.objects.count()
    rows = []
    for n in range(have, total):
        city = CITIES[n % len(CITIES)]
        price = Decimal(rng.randint(40, 300))
        if n % 2:
            rooms = rng.randint(1, 5)
            place = Hotel.objects.create(
                name=f"Hotel {n}", location=city, price=price, rooms=rooms, max_guests_per_room=rng.choice((2, 3))
            )
        else:
            rooms = 1
            place = Apartment.objects.create(
                name=f"Flat {n}", location=city, price=price, bedrooms=1, max_guests=rng.randint(1, 6)
            )
        rows.extend(
            Booking(accommodation=place, start_date=s, end_date=e, guest_name="Bench", guests=1,
                    total_price=price * (e - s).days, exclusive=place.is_apartment)
            for s, e in stays_for(rooms, rng)
        )
    Booking.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


QUERY = """query($i: Date!, $o: Date!) {
  searchStays(checkIn: $i, checkOut: $o, guests: 2, pagination: {limit: 20}) {
    nights nightlyPrice totalPrice freeUnits
    accommodation { __typename id name location ... on Hotel { rooms maxGuestsPerRoom } ... on Apartment { maxGuests } }
  }
}"""


def measure(total: int, check_in: datetime.date, check_out: datetime.date) -> dict:
    client = Client(HTTP_HOST="localhost")
    payload = json.dumps({"query": QUERY, "variables": {"i": str(check_in), "o": str(check_out)}})

    def request() -> list:
        body = client.post("/graphql/", payload, content_type="application/json").json()
        assert "errors" not in body, body
        return body["data"]["searchStays"]

    request()  # warm-up: the first request of a process also runs the metrics module's start-up reads
    executed: list[str] = []
    with connection.execute_wrapper(lambda run, sql, params, many, ctx: executed.append(sql) or run(sql, params, many, ctx)):
        offers = request()
    if VERBOSE:
        print("\n".join(f"    SQL: {sql[:100]}" for sql in executed))
    return {
        "gql": timed(repeats=REPEATS, call=request),
        "selector": timed(repeats=REPEATS, call=lambda: selectors.search_stays(check_in=check_in, check_out=check_out, guests=2, limit=20)),
        "statements": len(executed),
        "offers": len(offers),
        "free_places": len(
            selectors.search_stays(check_in=check_in, check_out=check_out, guests=2, limit=10**6)
        ),
    }


def ms(values: list[float]) -> str:
    return f"{median(values) * 1000:7.2f} ms (p95 {percentile(values, 0.95) * 1000:6.2f})"


def main() -> None:
    reset()
    rng = random.Random(11)
    check_in = today() + 10 * ONE_DAY
    check_out = check_in + 3 * ONE_DAY
    print(
        f"searchStays {check_in} -> {check_out} (3 nights), 2 guests, page of 20; {BOOKINGS_EACH} bookings per place; "
        f"{REPEATS} runs after a warm-up; median (p95).\n"
    )
    results = {}
    for total in SIZES:
        grow_to(total, rng)
        r = results[total] = measure(total, check_in, check_out)
        print(
            f"  {total:>5} places ({total * BOOKINGS_EACH:>6} bookings)  gql {ms(r['gql'])}  selector {ms(r['selector'])}"
            f"  | SQL/request {r['statements']}  offers {r['offers']} of {r['free_places']} free"
        )
    for metric in ("gql", "selector"):
        ratio = median(results[SIZES[-1]][metric]) / median(results[SIZES[0]][metric])
        print(f"  ratio {SIZES[-1]:,} / {SIZES[0]}  {metric:8s} {ratio:5.2f}")
    reset()


if __name__ == "__main__":
    main()
