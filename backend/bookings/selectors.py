"""Read queries about bookings: occupancy, availability, next available date.

Occupancy of a night = confirmed bookings whose stay [start, end) contains it.
A night is free while occupancy < capacity (hotel: rooms; apartment: 1).
"""
from __future__ import annotations

import datetime
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate
from typing import NamedTuple

from django.db import connection
from django.db.backends.postgresql.psycopg_any import DateRange
from django.db.models import Q, QuerySet
from django.utils import timezone

from booking_graph.domain import get_or_not_found
from catalog.models import Accommodation, AccommodationKind, Apartment, Hotel, RatePlan
from catalog.selectors import (
    DAYS_TO_PARAMETER,
    DEFAULT_PLANS_OF_PLACES,
    PLANS_BY_ID,
    RATE_DAY_COLUMNS,
    RateDayValues,
    rate_days_cte,
)

from .models import REFERENCE_LENGTH, Booking, BookingStatus, StayRange

ONE_DAY = datetime.timedelta(days=1)
CENT = Decimal("0.01")


class AvailabilityDay(NamedTuple):
    """One night of a calendar. A named tuple: a 30-day calendar of 1,000 places is 30,000 of
    them, and a tuple is built in half the time of a frozen dataclass."""

    date: datetime.date
    free_units: int
    rate: RateDayValues | None = None

    @property
    def available(self) -> bool:
        """The night can be sold: a unit is free and the plan does not stop sales that day."""
        return self.free_units > 0 and not (self.rate is not None and self.rate.stop_sell)

    @property
    def price(self) -> Decimal | None:
        return self.rate.price if self.rate is not None else None

    @property
    def min_stay(self) -> int | None:
        return self.rate.min_stay if self.rate is not None else None

    @property
    def max_stay(self) -> int | None:
        return self.rate.max_stay if self.rate is not None else None

    @property
    def closed_to_arrival(self) -> bool | None:
        return self.rate.closed_to_arrival if self.rate is not None else None

    @property
    def closed_to_departure(self) -> bool | None:
        return self.rate.closed_to_departure if self.rate is not None else None

    @property
    def stop_sell(self) -> bool | None:
        return self.rate.stop_sell if self.rate is not None else None


# --- "Bookable", written once ----------------------------------------------------------------
# graded: catalog's plan_days (the effective rate calendar) with each night's free units, from the
# confirmed stays of the selected places touching [days_from, days_to) (GiST index on place + range).
_GRADED_SQL = """
stays AS (
    SELECT booking.accommodation_id, GREATEST(booking.start_date, %(days_from)s::date) AS first_night, booking.end_date
    FROM bookings_booking AS booking
    WHERE booking.accommodation_id = ANY(%(place_ids)s::bigint[]) AND {takes_capacity}
      AND daterange(booking.start_date, booking.end_date, '[)') && daterange(%(days_from)s, %(days_to)s, '[)')
      AND booking.id IS DISTINCT FROM %(exclude_booking_id)s
),
events AS (
    SELECT accommodation_id, day, SUM(delta) AS delta FROM (
        SELECT accommodation_id, first_night AS day, 1 AS delta FROM stays
        UNION ALL SELECT accommodation_id, end_date, -1 FROM stays
    ) AS edges GROUP BY accommodation_id, day
),
graded AS (
    SELECT plan_days.*,
           COALESCE(hotel.rooms, 1) - SUM(COALESCE(events.delta, 0)) OVER (
               PARTITION BY plan_days.rate_plan_id ORDER BY plan_days.day) AS free_units
    FROM plan_days
    LEFT JOIN catalog_hotel AS hotel ON hotel.accommodation_ptr_id = plan_days.accommodation_id
    LEFT JOIN events ON events.accommodation_id = plan_days.accommodation_id AND events.day = plan_days.day
)"""


def graded_days_sql(select_plans: str, *, days_to: str = DAYS_TO_PARAMETER) -> str:
    return rate_days_cte(select_plans, days_to=days_to) + "," + _GRADED_SQL.format(takes_capacity=takes_capacity_sql("booking"))


def stay_verdicts_sql(nights: int) -> str:
    """`verdicts`: for each graded day as the arrival of a stay of `nights` nights, what the rules
    look at: the arrival day's own rules, over the nights the fewest free units, any stop-sell and
    the prices, and the departure day's closed_to_departure (NULL when the grid ends before it)."""
    nights = int(nights)  # written into the frame clause: an integer, never client text
    return f"""
verdicts AS (
    SELECT rate_plan_id, accommodation_id, time_zone, day AS arrival, min_stay, max_stay, closed_to_arrival,
           COUNT(*) OVER stay AS nights_seen,
           MIN(free_units) OVER stay AS free_units,
           BOOL_OR(stop_sell) OVER stay AS stop_sell,
           SUM(price) OVER stay AS total_price,
           ARRAY_AGG(price) OVER stay AS nightly_prices,
           LEAD(closed_to_departure, {nights}) OVER by_day AS closed_to_departure
    FROM graded
    WINDOW by_day AS (PARTITION BY rate_plan_id ORDER BY day),
           stay AS (by_day ROWS BETWEEN CURRENT ROW AND {nights - 1} FOLLOWING)
)"""


# The rule itself: every night has a unit free and is not stop-sell; the arrival day is open for
# arrival and its minimum / maximum stay admit the nights; the departure day is open for departure.
BOOKABLE = """(verdicts.nights_seen = %(nights)s AND verdicts.free_units > 0 AND NOT verdicts.stop_sell
      AND NOT verdicts.closed_to_arrival AND verdicts.min_stay <= %(nights)s
      AND (verdicts.max_stay IS NULL OR verdicts.max_stay >= %(nights)s)
      AND verdicts.closed_to_departure IS FALSE)"""


def now() -> datetime.datetime:
    """The one clock of the booking rules (tests move it; SQL gets it as a parameter, never now())."""
    return timezone.now()


def today() -> datetime.date:
    """The business's date (settings.TIME_ZONE), not the server's UTC date. A property's own date
    is Accommodation.local_today(now())."""
    return timezone.localdate(now())


def earliest_local_today() -> datetime.date:
    """No property's today is before this (time zones lie within a day of UTC)."""
    return now().astimezone(datetime.timezone.utc).date() - ONE_DAY


# A row takes capacity while CONFIRMED, or HELD with its expiry still ahead: a lapsed hold blocks
# nobody, whether or not the sweep has marked it EXPIRED yet. The IN keeps the partial indexes usable.
def takes_capacity_sql(alias: str) -> str:
    held, confirmed = BookingStatus.HELD.value, BookingStatus.CONFIRMED.value
    return (
        f"{alias}.status IN ('{held}', '{confirmed}') "
        f"AND ({alias}.status = '{confirmed}' OR {alias}.expires_at > %(now)s)"
    )


def takes_capacity_q(at: datetime.datetime) -> Q:
    return Q(status=BookingStatus.CONFIRMED) | Q(status=BookingStatus.HELD, expires_at__gt=at)


def max_guests_of(accommodation: Accommodation) -> int:
    """Guests one booking may bring: the apartment's max_guests, or one hotel room's."""
    # A base row (not a Hotel/Apartment instance) costs one query to reach its child.
    if accommodation.is_hotel:
        hotel = accommodation if isinstance(accommodation, Hotel) else accommodation.hotel
        return hotel.max_guests_per_room
    apartment = accommodation if isinstance(accommodation, Apartment) else accommodation.apartment
    return apartment.max_guests


def capacity_of(accommodation: Accommodation) -> int:
    if not accommodation.is_hotel:
        return 1
    # A base row (not a Hotel instance) costs one query to reach its child.
    return accommodation.rooms if isinstance(accommodation, Hotel) else accommodation.hotel.rooms


def confirmed_overlapping(
    *, accommodation_id: int, start: datetime.date, end: datetime.date, exclude_booking_id: int | None = None
) -> QuerySet[Booking]:
    """Confirmed stays sharing at least one night with [start, end); served by the GiST index."""
    qs = Booking.objects.alias(stay=StayRange()).filter(
        takes_capacity_q(now()),
        accommodation_id=accommodation_id,
        stay__overlap=DateRange(start, end, "[)"),
    )
    if exclude_booking_id is not None:
        qs = qs.exclude(pk=exclude_booking_id)
    return qs


def nightly_occupancy(stays: list[tuple[datetime.date, datetime.date]], start: datetime.date, end: datetime.date) -> list[int]:
    """Bookings covering each night of [start, end), by a difference array: O(stays + nights)."""
    nights = (end - start).days
    delta = [0] * (nights + 1)
    for stay_start, stay_end in stays:
        first = max((stay_start - start).days, 0)
        last = min((stay_end - start).days, nights)
        if first < last:
            delta[first] += 1
            delta[last] -= 1
    return list(accumulate(delta[:nights]))


def peak_occupancy(
    *, accommodation_id: int, start: datetime.date, end: datetime.date, exclude_booking_id: int | None = None
) -> int:
    stays = list(
        confirmed_overlapping(
            accommodation_id=accommodation_id, start=start, end=end, exclude_booking_id=exclude_booking_id
        ).values_list("start_date", "end_date")
    )
    return max(nightly_occupancy(stays, start, end), default=0)


def availability(
    *, accommodation: Accommodation, start: datetime.date, end: datetime.date, rate_plan: RatePlan | None = None
) -> list[AvailabilityDay]:
    """One entry per day of [start, end): units still free that night, and the plan's price and
    arrival rules that day (the default plan's unless one is given). One statement."""
    return availabilities(accommodations=[accommodation], start=start, end=end, rate_plan=rate_plan)[accommodation.pk]


def _grid_params(
    *, place_ids: Sequence[int], days_from: datetime.date, days_to: datetime.date,
    plan_ids: Sequence[int] = (), exclude_booking_id: int | None = None,
) -> dict:
    return {
        "place_ids": sorted(set(place_ids)), "plan_ids": sorted(set(plan_ids)), "days_from": days_from,
        "days_to": days_to, "now": now(), "exclude_booking_id": exclude_booking_id,
    }


def availabilities(
    *, accommodations: Sequence[Accommodation], start: datetime.date, end: datetime.date,
    rate_plan: RatePlan | None = None,
) -> dict[int, list[AvailabilityDay]]:
    """`availability` of many places at once (each under its default plan), by id: one statement."""
    ids = sorted({place.pk for place in accommodations})
    select_plans = PLANS_BY_ID if rate_plan is not None else DEFAULT_PLANS_OF_PLACES
    params = _grid_params(
        place_ids=ids, days_from=start, days_to=end, plan_ids=[rate_plan.pk] if rate_plan is not None else []
    )
    calendars: dict[int, list[AvailabilityDay]] = {place_id: [] for place_id in ids}
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {graded_days_sql(select_plans)} "
            f"SELECT accommodation_id, free_units, {RATE_DAY_COLUMNS} FROM graded ORDER BY accommodation_id, day",
            params,
        )
        for place_id, free_units, *rate_day in cursor.fetchall():
            calendars[place_id].append(AvailabilityDay(rate_day[0], max(free_units, 0), RateDayValues(*rate_day)))
    return calendars


def next_available_date(
    *, accommodation: Accommodation, date: datetime.date, nights: int = 1, rate_plan: RatePlan | None = None
) -> datetime.date:
    """Earliest day d >= max(date, today) such that a stay [d, d + nights) is bookable (capacity and
    every rule of the plan). At most three SQL statements, however many bookings and rate days exist."""
    return next_available_dates(accommodations=[accommodation], date=date, nights=nights, rate_plan=rate_plan)[accommodation.pk]


def local_today_sql(time_zone_column: str) -> str:
    """A property's date at the request's moment, from a column holding its time zone."""
    return f"(%(now)s::timestamptz AT TIME ZONE {time_zone_column})::date"

# Most answers lie within a few months: look there first, further only if needed.
NEXT_AVAILABLE_HORIZON_DAYS = 120

# Past the last booking and the last rate row of a plan (and of its parent) every day is a default
# day with every unit free, so a stay arriving the day after is bookable: the grid never goes further.
_PAST_LAST_CONSTRAINED_DAY_SQL = """(SELECT GREATEST(
    %(days_from)s::date,
    (SELECT MAX(end_date) FROM bookings_booking
     WHERE accommodation_id = ANY(%(place_ids)s::bigint[]) AND {takes_capacity}),
    (SELECT MAX(rate_day.date) FROM catalog_rateday AS rate_day JOIN catalog_rateplan AS plan
         ON rate_day.rate_plan_id = plan.id OR rate_day.rate_plan_id = plan.parent_id
     WHERE {select_plans})
) + %(nights)s + 2)"""


def next_available_dates(
    *, accommodations: Sequence[Accommodation], date: datetime.date, nights: int = 1,
    rate_plan: RatePlan | None = None,
) -> dict[int, datetime.date]:
    """`next_available_date` of many places at once (each under its default plan), by id: at most
    two statements whatever their number (the second only for places with no answer within the
    horizon; it reads up to the last day any booking or rate row constrains)."""
    # Each place's own today bounds its answer (in SQL); the grid starts where the earliest could.
    start = max(date, earliest_local_today())
    ids = sorted({place.pk for place in accommodations})
    select_plans = PLANS_BY_ID if rate_plan is not None else DEFAULT_PLANS_OF_PLACES
    plan_ids = [rate_plan.pk] if rate_plan is not None else []
    horizon = start + datetime.timedelta(days=NEXT_AVAILABLE_HORIZON_DAYS + nights + 1)

    def first_arrivals(place_ids: list[int], days_to: str, days_to_value: datetime.date | None) -> dict[int, datetime.date]:
        params = _grid_params(place_ids=place_ids, plan_ids=plan_ids, days_from=start, days_to=days_to_value)
        cursor.execute(
            f"WITH {graded_days_sql(select_plans, days_to=days_to)}, {stay_verdicts_sql(nights)} "
            f"SELECT verdicts.accommodation_id, MIN(arrival) FROM verdicts "
            # The time zone plan_days carries, not a join back to the places after the window
            # functions: PostgreSQL guessed 2 rows for ~100,000 there and compared every pair
            # (1,000 places x 112,733 verdicts: 4.4 s for nextAvailableDate on 1,000 places).
            f"WHERE {BOOKABLE} AND arrival >= GREATEST(%(date)s::date, {local_today_sql('verdicts.time_zone')}) "
            f"GROUP BY verdicts.accommodation_id",
            params | {"nights": nights, "date": date},
        )
        return dict(cursor.fetchall())

    with connection.cursor() as cursor:
        answers = first_arrivals(ids, DAYS_TO_PARAMETER, horizon)
        if further := [place_id for place_id in ids if place_id not in answers]:
            # days_to NULL: the stays filter reads every later stay (an unbounded range).
            past_last = _PAST_LAST_CONSTRAINED_DAY_SQL.format(select_plans=select_plans, takes_capacity=takes_capacity_sql("bookings_booking"))
            answers.update(first_arrivals(further, past_last, None))
    return answers


def peak_future_occupancy(*, accommodation_id: int) -> int:
    """Most bookings holding a room on any night from the property's today on (to check a lower room count)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH stays AS (
                SELECT GREATEST(start_date, %(from)s) AS first_night, end_date FROM bookings_booking
                WHERE accommodation_id = %(accommodation_id)s AND {takes_capacity} AND end_date > %(from)s
            ),
            points AS (
                SELECT day, SUM(delta) AS delta FROM (
                    SELECT first_night AS day, 1 AS delta FROM stays UNION ALL SELECT end_date, -1 FROM stays
                ) events GROUP BY day
            )
            SELECT COALESCE(MAX(level), 0) FROM (SELECT SUM(delta) OVER (ORDER BY day) AS level FROM points) levels
            """.replace("{takes_capacity}", takes_capacity_sql("bookings_booking")),
            {"accommodation_id": accommodation_id, "now": now(),
             "from": Accommodation.objects.get(pk=accommodation_id).local_today(now())},
        )
        (peak,) = cursor.fetchone()
    return int(peak)


def guest_booking(*, reference: str, email: str) -> Booking | None:
    """The booking with this reference whose guest e-mail is this one (case-insensitive), else None.
    The e-mail is compared in constant time, and against a stand-in when the reference names
    nothing, so a wrong reference and a wrong e-mail cost the same work."""
    reference = (reference or "").strip().upper()
    given = (email or "").strip().casefold()
    booking = None
    if 0 < len(reference) <= REFERENCE_LENGTH and "\x00" not in reference:
        booking = Booking.objects.filter(reference=reference).first()
    stored = booking.guest_email.strip().casefold() if booking is not None else _NO_EMAIL
    matches = hmac.compare_digest(stored.encode(), given.encode())
    return booking if booking is not None and matches and stored else None


_NO_EMAIL = "no-booking@invalid"


def concrete(place: Accommodation) -> Accommodation:
    """The Hotel or Apartment of a base row whose child came with select_related (no query)."""
    return place.hotel if place.is_hotel else place.apartment


def get_accommodation(accommodation_id: object) -> Accommodation:
    return get_or_not_found(Accommodation.objects.select_subclasses(), accommodation_id)


# --- Stay search ---------------------------------------------------------------------------

class NightPrice(NamedTuple):
    date: datetime.date
    price: Decimal


class CancellationTerms(NamedTuple):
    """What cancelling costs: free until `free_until` (None: never free), then `fee_percent` of the total."""

    refundable: bool
    free_until: datetime.datetime | None
    fee_percent: Decimal


def cancellation_terms(*, rate_plan: RatePlan, accommodation: Accommodation, check_in: datetime.date) -> CancellationTerms:
    """Free until N days before the check-in time on the arrival day, in the property's zone
    (a DST change in between moves the UTC instant, not the local time)."""
    if not rate_plan.refundable:
        return CancellationTerms(False, None, Decimal("100.00"))
    deadline_day = check_in - datetime.timedelta(days=rate_plan.free_cancellation_days or 0)
    return CancellationTerms(True, accommodation.check_in_moment(deadline_day), rate_plan.fee_percent)


def late_cancellation_fee(*, total: Decimal, fee_percent: Decimal) -> Decimal:
    """The fee once the free window is over (rounded to the cent, half up)."""
    return (total * fee_percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def cancellation_fee_at(*, total: Decimal, terms: CancellationTerms, moment: datetime.datetime) -> Decimal:
    if terms.free_until is not None and moment < terms.free_until:
        return Decimal("0.00")
    return late_cancellation_fee(total=total, fee_percent=terms.fee_percent)


@dataclass(frozen=True)
class StayQuote:
    """The verdict on one stay under one plan: bookable or the first rule it breaks, and its price."""

    rate_plan_id: int
    nights_seen: int
    free_units: int
    stop_sell: bool
    closed_to_arrival: bool
    closed_to_departure: bool
    min_stay: int
    max_stay: int | None
    nightly_prices: list[NightPrice]

    @property
    def total_price(self) -> Decimal:
        return sum((night.price for night in self.nightly_prices), Decimal("0.00"))


def quote_stay(
    *, rate_plan: RatePlan, start: datetime.date, end: datetime.date, exclude_booking_id: int | None = None
) -> StayQuote:
    """The same verdict search and next date use (stay_verdicts_sql), for one plan and stay. Under the
    accommodation's lock (services) its capacity answer cannot change before the booking is written."""
    nights = (end - start).days
    params = _grid_params(
        place_ids=[rate_plan.accommodation_id], plan_ids=[rate_plan.pk], days_from=start,
        days_to=end + ONE_DAY, exclude_booking_id=exclude_booking_id,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {graded_days_sql(PLANS_BY_ID)}, {stay_verdicts_sql(nights)} "
            f"SELECT {VERDICT_COLUMNS} FROM verdicts WHERE arrival = %(days_from)s",
            params,
        )
        row = cursor.fetchone()
    return _quote(row, start)


VERDICT_COLUMNS = (
    "rate_plan_id, nights_seen, free_units, stop_sell, closed_to_arrival, closed_to_departure, min_stay, max_stay, nightly_prices"
)


def _quote(row: Sequence, start: datetime.date) -> StayQuote:
    *head, prices = row
    return StayQuote(
        *head, nightly_prices=[NightPrice(start + n * ONE_DAY, price) for n, price in enumerate(prices)]
    )


@dataclass(frozen=True)
class StayOffer:
    """A stay a booking under this plan would be accepted for now, and its price story."""

    accommodation: Accommodation
    rate_plan: RatePlan
    check_in: datetime.date
    check_out: datetime.date
    guests: int
    free_units: int
    nightly_prices: list[NightPrice]

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days

    @property
    def total_price(self) -> Decimal:
        return sum((night.price for night in self.nightly_prices), Decimal("0.00"))

    @property
    def nightly_price(self) -> Decimal:
        """The average price per night (what maxNightlyPrice compares with)."""
        return (self.total_price / self.nights).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def terms(self) -> CancellationTerms:
        return cancellation_terms(rate_plan=self.rate_plan, accommodation=self.accommodation, check_in=self.check_in)

    @property
    def free_cancellation_until(self) -> datetime.datetime | None:
        return self.terms.free_until

    @property
    def cancellation_fee(self) -> Decimal:
        return late_cancellation_fee(total=self.total_price, fee_percent=self.terms.fee_percent)


# One statement for the whole search:
#   peaks       - the most confirmed stays on one searched night, per place, from the stays touching
#                 [check_in, check_out) read through the range GiST index (booking_active_range_gist)
#   candidates  - places where the guests fit one booking, matching the filters, with a unit free
#   graded      - the plan_days of their active plans; every night's free units = units - peak
#   verdicts    - the stay arriving on check_in judged by the same rule as booking and next date
# then the bookable ones, cheapest total first (then place and plan), one page.
_SEARCH_SQL = """
WITH peaks AS (
    SELECT accommodation_id, MAX(level) AS peak FROM (
        SELECT stay.accommodation_id,
               SUM(SUM(event.delta)) OVER (PARTITION BY stay.accommodation_id ORDER BY event.day) AS level
        FROM bookings_booking AS stay
        CROSS JOIN LATERAL (VALUES (GREATEST(stay.start_date, %(days_from)s), 1), (stay.end_date, -1))
            AS event(day, delta)
        WHERE {takes_capacity}
          AND daterange(stay.start_date, stay.end_date, '[)') && daterange(%(days_from)s, %(check_out)s, '[)')
        GROUP BY stay.accommodation_id, event.day
    ) AS levels
    GROUP BY accommodation_id
),
candidates AS (
    SELECT place.id, (CASE WHEN place.kind = %(hotel)s THEN hotel.rooms ELSE 1 END) - COALESCE(peaks.peak, 0) AS free_units
    FROM catalog_accommodation AS place
    LEFT JOIN catalog_hotel AS hotel ON hotel.accommodation_ptr_id = place.id
    LEFT JOIN catalog_apartment AS apartment ON apartment.accommodation_ptr_id = place.id
    LEFT JOIN peaks ON peaks.accommodation_id = place.id
    WHERE ((place.kind = %(hotel)s AND hotel.max_guests_per_room >= %(guests)s)
           OR (place.kind = %(apartment)s AND apartment.max_guests >= %(guests)s))
      AND %(days_from)s::date >= {place_today}
      AND (CASE WHEN place.kind = %(hotel)s THEN hotel.rooms ELSE 1 END) - COALESCE(peaks.peak, 0) > 0
      {filters}
),
{plan_days},
graded AS (
    SELECT plan_days.*, candidates.free_units FROM plan_days JOIN candidates ON candidates.id = plan_days.accommodation_id
),
{verdicts}
SELECT accommodation_id, {columns} FROM verdicts
WHERE arrival = %(days_from)s AND {bookable} {price_filter}
ORDER BY total_price, accommodation_id, rate_plan_id
LIMIT %(limit)s OFFSET %(offset)s
"""
_ACTIVE_PLANS_OF_CANDIDATES = "plan.active AND plan.accommodation_id IN (SELECT id FROM candidates)"
# Case-insensitive substring without LIKE, so % and _ in the client's text are plain characters.
_LOCATION_FILTER = "AND strpos(upper(place.location), upper(%(location)s)) > 0"
_KIND_FILTER = "AND place.kind = %(kind)s"
# The average price per night, as the offer shows it: total / nights <= max.
_PRICE_FILTER = "AND total_price <= %(max_nightly_price)s * %(nights)s"


def search_stays(
    *,
    check_in: datetime.date,
    check_out: datetime.date,
    guests: int = 1,
    location: str | None = None,
    kind: str | None = None,
    max_nightly_price: Decimal | None = None,
    offset: int = 0,
    limit: int,
) -> list[StayOffer]:
    """One offer per (accommodation, active plan) where a booking of `guests` for [check_in,
    check_out) would be accepted now: capacity and every rule of the plan. Cheapest total first
    (then by place and plan), one page. Filters: location (case-insensitive substring), kind,
    average nightly price. The arguments are checked by services.search_stays, which callers
    use. Two SQL statements, whatever the data."""
    if limit <= 0:
        return []
    nights = (check_out - check_in).days
    filters = [sql for sql, given in ((_LOCATION_FILTER, location), (_KIND_FILTER, kind)) if given is not None and given != ""]
    sql = _SEARCH_SQL.format(
        filters="\n      ".join(filters),
        plan_days=rate_days_cte(_ACTIVE_PLANS_OF_CANDIDATES),
        verdicts=stay_verdicts_sql(nights),
        columns=VERDICT_COLUMNS,
        bookable=BOOKABLE,
        price_filter=_PRICE_FILTER if max_nightly_price is not None else "",
        takes_capacity=takes_capacity_sql("stay"),
        place_today=local_today_sql("place.time_zone"),
    )
    params = {
        "days_from": check_in, "days_to": check_out + ONE_DAY, "check_out": check_out, "nights": nights,
        "guests": guests, "now": now(),
        "hotel": AccommodationKind.HOTEL.value, "apartment": AccommodationKind.APARTMENT.value,
        "location": location, "kind": AccommodationKind(kind).value if kind else None,
        "max_nightly_price": max_nightly_price, "limit": limit, "offset": offset,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        page = [(place_id, _quote(rest, check_in)) for place_id, *rest in cursor.fetchall()]
    # The plans of the page with their concrete Hotel/Apartment and parent plan: a second statement, one page long.
    plans = RatePlan.objects.select_related("accommodation__hotel", "accommodation__apartment", "parent").in_bulk(
        [quote.rate_plan_id for _, quote in page]
    )
    return [
        StayOffer(
            accommodation=concrete(plans[quote.rate_plan_id].accommodation),
            rate_plan=plans[quote.rate_plan_id],
            check_in=check_in,
            check_out=check_out,
            guests=guests,
            free_units=quote.free_units,
            nightly_prices=quote.nightly_prices,
        )
        for _, quote in page
    ]
