"""Rate plans and the rate calendar at scale: 10, 1,000 and 10,000 accommodations.

    BENCH_DB_NAME=bench_rates .venv/bin/python bench/rates.py      # about 6 minutes

Uses its own database (`bench_rates` unless BENCH_DB_NAME says otherwise), emptied first.
Each place (hotels with 1-5 rooms and apartments, six cities) sells through two plans: the
default STANDARD (own prices) and NONREF, derived from it at -10 % and non-refundable. The
STANDARD plan has a year of RateDay rows (weekend and season prices, a minimum stay on summer
weekends and over New Year, a few closed-to-arrival, closed-to-departure and stop-sell days):
3.65 million rows at 10,000 places. Each place holds 100 bookings, from about a year ago to a few
months ahead (4 % cancelled). Everything is written by set-based SQL (INSERT ... SELECT over
generate_series), then ANALYZEd.

For each size it prints, for `searchStays` (3 nights Thursday to Sunday about three weeks ahead, 2 guests, page of 20,
with ratePlan, nightlyPrices, totalPrice and the cancellation terms), `nextAvailableDate` (3
nights, default plan and the derived NONREF plan) and a 90-day `availability` with prices and
rules: SQL statements per request and median / p95 latency through the project's GraphQL view
(Django test client), and the selector alone; then the ratio 10,000 / 10 of the p95s. Last, a
staff `setRates` mutation writing a price on one year of one plan (runs alternate two prices, so
every run changes 365 rows). Targets (issue 17): statements constant in the catalog size;
searchStays p95 at 10,000 places <= 5 x its p95 at 10; setRates of a year well under a second.
"""
from __future__ import annotations

import datetime
import json
import os
import re
import sys

from _django import median, percentile, setup, timed

setup(os.environ.get("BENCH_DB_NAME") or "bench_rates")

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bookings import selectors  # noqa: E402
from bookings.selectors import today  # noqa: E402
from catalog.models import Accommodation, RatePlan  # noqa: E402

ONE_DAY = datetime.timedelta(days=1)
SIZES = tuple(int(n) for n in os.environ.get("BENCH_SIZES", "10,1000,10000").split(","))
REPEATS = int(os.environ.get("BENCH_REPEATS", "40"))
WRITE_REPEATS = 15
BOOKINGS_EACH = 100
RATE_DAYS = 365
VERBOSE = "-v" in sys.argv  # print the statements of one request of each kind

# --- The data set, in SQL ----------------------------------------------------------------------
# h(x) = a well-mixed non-negative integer from x: deterministic "randomness" inside a statement.
H = "(hashint8(({x})::bigint) & 2147483647)"


def h(expression: str) -> str:
    return H.format(x=expression)


PLACES_SQL = f"""
INSERT INTO catalog_accommodation (kind, name, description, price, location, time_zone, check_in_time,
                                   voice_languages, created_at, updated_at)
SELECT CASE WHEN n % 2 = 1 THEN 'HOTEL' ELSE 'APARTMENT' END,
       CASE WHEN n % 2 = 1 THEN 'Hotel ' ELSE 'Flat ' END || n, '',
       40 + {h("n")} % 261,
       (ARRAY['Lisbon', 'Porto', 'Berlin', 'Vienna', 'Barcelona', 'Amsterdam'])[1 + n % 6],
       (ARRAY['Europe/Lisbon', 'Europe/Lisbon', 'Europe/Berlin', 'Europe/Vienna', 'Europe/Madrid',
              'Europe/Amsterdam'])[1 + n % 6],
       '15:00', '{{}}', now(), now()
FROM generate_series(%(first)s, %(last)s - 1) AS n ORDER BY n
"""
HOTELS_SQL = f"""
INSERT INTO catalog_hotel (accommodation_ptr_id, rooms, stars, max_guests_per_room)
SELECT id, 1 + {h("id * 3 + 1")} % 5, 1 + {h("id * 3 + 2")} % 5, 2 + {h("id * 7")} % 2
FROM catalog_accommodation WHERE kind = 'HOTEL' AND id > %(after)s
"""
APARTMENTS_SQL = f"""
INSERT INTO catalog_apartment (accommodation_ptr_id, bedrooms, max_guests)
SELECT id, 1, 1 + {h("id * 5")} % 6 FROM catalog_accommodation WHERE kind = 'APARTMENT' AND id > %(after)s
"""
# The default plan as the catalog service makes it (refundable free of charge until check-in time,
# here until 2 days before), and a derived non-refundable plan 10 % below it.
PLANS_SQL = """
INSERT INTO catalog_rateplan (accommodation_id, code, name, active, is_default, parent_id, adjustment_percent,
                              refundable, free_cancellation_days, fee_percent, created_at, updated_at)
SELECT id, 'STANDARD', 'Standard rate', TRUE, TRUE, NULL, NULL, TRUE, 2, 50, now(), now()
FROM catalog_accommodation WHERE id > %(after)s
"""
DERIVED_PLANS_SQL = """
INSERT INTO catalog_rateplan (accommodation_id, code, name, active, is_default, parent_id, adjustment_percent,
                              refundable, free_cancellation_days, fee_percent, created_at, updated_at)
SELECT accommodation_id, 'NONREF', 'Non-refundable', TRUE, FALSE, id, -10, FALSE, NULL, 100, now(), now()
FROM catalog_rateplan WHERE is_default AND accommodation_id > %(after)s
"""
# A year of rows per own-priced plan. Friday and Saturday nights +20 %; July-August +30 %,
# 20 Dec - 5 Jan +40 %, Jan/Feb/Nov -15 %. Minimum stay 3 arriving 27 Dec - 1 Jan, 2 arriving on
# a summer Friday or Saturday, 2 on about one day in 50; about 6 closed-to-arrival, 6
# closed-to-departure and 3 stop-sell days a year. Everything else NULL (not set).
RATE_DAYS_SQL = f"""
INSERT INTO catalog_rateday (rate_plan_id, date, price, min_stay, max_stay, closed_to_arrival, closed_to_departure, stop_sell)
SELECT plan.id, day, ROUND(place.price * season * weekend, 2),
       CASE WHEN to_char(day, 'MMDD') BETWEEN '1227' AND '1231' OR to_char(day, 'MMDD') = '0101' THEN 3
            WHEN summer AND isodow IN (5, 6) THEN 2
            WHEN {h("plan.id * 1000 + i")} % 50 = 0 THEN 2 END,
       NULL,
       CASE WHEN {h("plan.id * 1000 + i")} % 60 = 7 THEN TRUE END,
       CASE WHEN {h("plan.id * 1000 + i")} % 60 = 13 THEN TRUE END,
       CASE WHEN {h("plan.id * 1000 + i")} % 120 = 17 THEN TRUE END
FROM catalog_rateplan AS plan
JOIN catalog_accommodation AS place ON place.id = plan.accommodation_id
CROSS JOIN generate_series(0, {RATE_DAYS - 1}) AS i
CROSS JOIN LATERAL (SELECT %(today)s::date + i AS day) AS d
CROSS JOIN LATERAL (SELECT EXTRACT(ISODOW FROM day) AS isodow, EXTRACT(MONTH FROM day) IN (7, 8) AS summer) AS e
CROSS JOIN LATERAL (SELECT CASE WHEN isodow IN (5, 6) THEN 1.20 ELSE 1 END AS weekend,
                           CASE WHEN summer THEN 1.30
                                WHEN to_char(day, 'MMDD') >= '1220' OR to_char(day, 'MMDD') <= '0105' THEN 1.40
                                WHEN EXTRACT(MONTH FROM day) IN (1, 2, 11) THEN 0.85 ELSE 1 END AS season) AS f
WHERE plan.is_default AND plan.accommodation_id > %(after)s
ORDER BY plan.id, day
"""
# BOOKINGS_EACH stays per place spread over its rooms (apartment: one), each room's stays back to
# back 60 % of the time (else after 1-5 days), 1-7 nights; a room's first stay starts so that about
# 70 % of its nights lie in the past. Never more stays on a night than rooms; 4 % cancelled.
BOOKINGS_SQL = f"""
INSERT INTO bookings_booking (accommodation_id, rate_plan_id, start_date, end_date, guest_name, guests, status,
    exclusive, total_price, nightly_prices, refundable, free_cancellation_until, cancellation_fee_percent,
    idempotency_fingerprint, reference, guest_email, created_at, updated_at)
SELECT accommodation_id, rate_plan_id, first_day + start_offset, first_day + start_offset + nights, 'Bench', 1,
       CASE WHEN {h("accommodation_id * 1000 + i + 7")} % 25 = 0 THEN 'CANCELLED' ELSE 'CONFIRMED' END, exclusive,
       price * nights, '[]'::jsonb, TRUE, NULL, 50, '',
       'BN' || (accommodation_id * 1000 + i), '', now(), now()  -- unique: i < 1,000
FROM (
    SELECT stay.*, (SUM(gap + nights) OVER (PARTITION BY accommodation_id, room ORDER BY i) - nights)::int AS start_offset
    FROM (
        SELECT place.id AS accommodation_id, plan.id AS rate_plan_id, place.price, place.kind = 'APARTMENT' AS exclusive,
               i, i % units AS room,
               1 + {h("place.id * 1000 + i")} % 7 AS nights,
               CASE WHEN {h("place.id * 1000 + i + 1")} % 10 < 4 THEN 1 + {h("place.id * 1000 + i + 2")} % 5 ELSE 0 END AS gap,
               %(today)s::date - (({BOOKINGS_EACH} / units) * 343 / 100 + {h("place.id * 10 + i % units")} % 30)::int AS first_day
        FROM catalog_accommodation AS place
        JOIN catalog_rateplan AS plan ON plan.accommodation_id = place.id AND plan.is_default
        LEFT JOIN catalog_hotel AS hotel ON hotel.accommodation_ptr_id = place.id
        CROSS JOIN LATERAL (SELECT COALESCE(hotel.rooms, 1) AS units) AS u
        CROSS JOIN generate_series(0, {BOOKINGS_EACH - 1}) AS i
        WHERE place.id > %(after)s
    ) AS stay
) AS placed
"""


def escaped(sql: str) -> str:
    """The modulo signs doubled: the driver reads %(name)s as a parameter and % alone as an error."""
    return re.sub(r"%(?!\()", "%%", sql)


def reset() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE bookings_booking, catalog_rateday, catalog_rateplan, catalog_hotel, catalog_apartment,"
            " catalog_accommodation RESTART IDENTITY CASCADE"
        )


def grow_to(total: int) -> float:
    """Add places, plans, rate rows and bookings until the catalog holds `total` places; seconds taken."""
    started = datetime.datetime.now()
    have = Accommodation.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM catalog_accommodation")
        (after,) = cursor.fetchone()
        params = {"first": have, "last": total, "after": after, "today": today()}
        for sql in (PLACES_SQL, HOTELS_SQL, APARTMENTS_SQL, PLANS_SQL, DERIVED_PLANS_SQL, RATE_DAYS_SQL, BOOKINGS_SQL):
            cursor.execute(escaped(sql), params)
        cursor.execute("ANALYZE")
    return (datetime.datetime.now() - started).total_seconds()


def counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        found = {}
        for name, table in (("places", "catalog_accommodation"), ("plans", "catalog_rateplan"),
                            ("rate rows", "catalog_rateday"), ("bookings", "bookings_booking")):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            found[name] = cursor.fetchone()[0]
    return found


# --- Requests ---------------------------------------------------------------------------------

SEARCH = """query($i: Date!, $o: Date!) {
  searchStays(checkIn: $i, checkOut: $o, guests: 2, pagination: {limit: 20}) {
    nights totalPrice nightlyPrice freeUnits freeCancellationUntil cancellationFee
    nightlyPrices { date price }
    ratePlan { id code name cancellationPolicy { refundable freeCancellationDays feePercent } }
    accommodation { __typename id name location }
  }
}"""
NEXT = """query($id: ID!, $d: Date!, $plan: ID) { nextAvailableDate(id: $id, date: $d, nights: 3, ratePlan: $plan) }"""
CALENDAR = """query($id: ID!, $s: Date!, $e: Date!) {
  availability(id: $id, start: $s, end: $e) {
    date available freeUnits price minStay closedToArrival closedToDeparture stopSell
  }
}"""
SET_RATES = """mutation($plan: ID!, $s: Date!, $e: Date!, $price: Decimal!) {
  setRates(ratePlan: $plan, start: $s, end: $e, price: $price) {
    __typename ... on RateCalendar { days { date price } } ... on OperationInfo { messages { code message } }
  }
}"""


def graphql(client: Client, query: str, variables: dict, field: str):
    payload = json.dumps({"query": query, "variables": variables})

    def call():
        body = client.post("/graphql/", payload, content_type="application/json").json()
        assert "errors" not in body, body
        return body["data"][field]

    return call


def statements(call) -> tuple[int, object]:
    executed: list[str] = []
    with connection.execute_wrapper(lambda run, sql, params, many, ctx: executed.append(sql) or run(sql, params, many, ctx)):
        answer = call()
    if VERBOSE:
        print("\n".join(f"      SQL: {' '.join(sql.split())[:110]}" for sql in executed))
    return len(executed), answer


def thursday_after(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=(3 - day.weekday()) % 7)


def measure(total: int) -> dict:
    client = Client(HTTP_HOST="localhost")
    check_in = thursday_after(today() + 21 * ONE_DAY)
    check_out = check_in + 3 * ONE_DAY
    start, end = today(), today() + 90 * ONE_DAY
    # The middle place of the catalog, an apartment (one unit: its next free 3 nights are rarer).
    place = Accommodation.objects.filter(kind="APARTMENT").order_by("id")[total // 4]
    derived = RatePlan.objects.get(accommodation=place, code="NONREF")
    results: dict[str, dict] = {}

    cases = {
        "searchStays": (
            graphql(client, SEARCH, {"i": str(check_in), "o": str(check_out)}, "searchStays"),
            lambda: selectors.search_stays(check_in=check_in, check_out=check_out, guests=2, limit=20),
        ),
        "nextAvailableDate default plan": (
            graphql(client, NEXT, {"id": str(place.pk), "d": str(start), "plan": None}, "nextAvailableDate"),
            lambda: selectors.next_available_date(accommodation=place, date=start, nights=3),
        ),
        "nextAvailableDate NONREF (derived)": (
            graphql(client, NEXT, {"id": str(place.pk), "d": str(start), "plan": str(derived.pk)}, "nextAvailableDate"),
            lambda: selectors.next_available_date(accommodation=place, date=start, nights=3, rate_plan=derived),
        ),
        "90-day availability": (
            graphql(client, CALENDAR, {"id": str(place.pk), "s": str(start), "e": str(end)}, "availability"),
            lambda: selectors.availability(accommodation=place, start=start, end=end),
        ),
    }
    for name, (request, selector) in cases.items():
        request()  # warm-up (the first request of a process also runs start-up reads)
        if VERBOSE:
            print(f"    {name}:")
        count, answer = statements(request)
        results[name] = {
            "gql": timed(repeats=REPEATS, call=request),
            "selector": timed(repeats=REPEATS, call=selector),
            "statements": count,
            "answer": len(answer) if isinstance(answer, list) else answer,
        }
    results["searchStays"]["bookable"] = len(
        selectors.search_stays(check_in=check_in, check_out=check_out, guests=2, limit=10**6)
    )
    results["setRates"] = measure_set_rates(place)
    return results


def measure_set_rates(place: Accommodation) -> dict:
    staff = get_user_model().objects.filter(username="bench-rates-staff").first() or get_user_model().objects.create_user(
        "bench-rates-staff", password="bench-rates-pass", is_staff=True
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(staff)
    plan = RatePlan.objects.get(accommodation=place, is_default=True)
    start = today()
    end = start + RATE_DAYS * ONE_DAY
    prices = iter(["151.00", "152.00"] * (WRITE_REPEATS + 2))

    def write():
        answer = graphql(client, SET_RATES, {"plan": str(plan.pk), "s": str(start), "e": str(end), "price": next(prices)},
                         "setRates")()
        assert answer["__typename"] == "RateCalendar" and len(answer["days"]) == RATE_DAYS, answer

    count, _ = statements(write)
    return {"gql": timed(repeats=WRITE_REPEATS, call=write), "statements": count}


def ms(values: list[float]) -> str:
    return f"{median(values) * 1000:8.2f} ms (p95 {percentile(values, 0.95) * 1000:8.2f})"


def main() -> None:
    reset()
    with open("/proc/loadavg") as f:
        load_before = f.read().split()[:3]
    print(
        f"{REPEATS} runs per request after a warm-up ({WRITE_REPEATS} for setRates); median (p95). 'gql' = through the "
        f"GraphQL view, 'selector' = the database work alone. Load average at start: {' '.join(load_before)}.\n"
    )
    results = {}
    for total in SIZES:
        seconds = grow_to(total)
        found = counts()
        print(f"== {total:,} places: {found['plans']:,} plans, {found['rate rows']:,} rate rows, "
              f"{found['bookings']:,} bookings (built in {seconds:.1f} s)")
        r = results[total] = measure(total)
        for name in ("searchStays", "nextAvailableDate default plan", "nextAvailableDate NONREF (derived)", "90-day availability"):
            row = r[name]
            extra = f"offers {row['answer']} of {row['bookable']} bookable" if name == "searchStays" else f"answer {row['answer']}"
            print(f"  {name:36s} gql {ms(row['gql'])}  selector {ms(row['selector'])}  | SQL/request {row['statements']}  {extra}")
        w = r["setRates"]
        print(f"  {'setRates, one year of one plan':36s} gql {ms(w['gql'])}  | SQL/request {w['statements']}")
        with open("/proc/loadavg") as f:
            print(f"  load average: {' '.join(f.read().split()[:3])}")
    print(f"\nratio of p95s, {SIZES[-1]:,} / {SIZES[0]}:")
    for name in ("searchStays", "nextAvailableDate default plan", "nextAvailableDate NONREF (derived)", "90-day availability", "setRates"):
        for metric in ("gql", "selector"):
            if metric in results[SIZES[0]][name]:
                ratio = percentile(results[SIZES[-1]][name][metric], 0.95) / percentile(results[SIZES[0]][name][metric], 0.95)
                print(f"  {name:36s} {metric:8s} {ratio:6.2f}")
    if "--keep" not in sys.argv:
        reset()


if __name__ == "__main__":
    main()
