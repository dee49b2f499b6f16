"""Read queries about bookings: occupancy, availability, next available date.

Occupancy of a night = confirmed bookings whose stay [start, end) contains it.
A night is free while occupancy < capacity (hotel: rooms; apartment: 1).
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate
from typing import NamedTuple

from django.db import connection
from django.db.backends.postgresql.psycopg_any import DateRange
from django.db.models import QuerySet
from django.utils import timezone

from booking_graph.domain import get_or_not_found
from catalog.models import Accommodation, AccommodationKind, Apartment, Hotel

from .models import Booking, BookingStatus, StayRange

ONE_DAY = datetime.timedelta(days=1)


class AvailabilityDay(NamedTuple):
    """One night of a calendar. A named tuple: a 30-day calendar of 1,000 places is 30,000 of
    them, and a tuple is built in half the time of a frozen dataclass."""

    date: datetime.date
    free_units: int

    @property
    def available(self) -> bool:
        return self.free_units > 0


def today() -> datetime.date:
    """The business's date (settings.TIME_ZONE), not the server's UTC date."""
    return timezone.localdate()


def max_guests_of(accommodation: Accommodation) -> int:
    """Guests one booking may bring: the apartment's max_guests, or one hotel room's."""
    # A base row (not a Hotel/Apartment instance) costs one query to reach its child.
    if accommodation.is_hotel:
        hotel = accommodation if isinstance(accommodation, Hotel) else accommodation.hotel
        return hotel.max_guests_per_room
    apartment = accommodation if isinstance(accommodation, Apartment) else accommodation.apartment
    return apartment.max_guests


def stay_price(*, nightly_price: Decimal, start: datetime.date, end: datetime.date) -> Decimal:
    """What the guest pays: nights x the nightly price of the moment (kept on the booking,
    shown on a search's offer)."""
    return nightly_price * (end - start).days


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
        accommodation_id=accommodation_id,
        status=BookingStatus.CONFIRMED,
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


def availability(*, accommodation: Accommodation, start: datetime.date, end: datetime.date) -> list[AvailabilityDay]:
    """One entry per day of [start, end) with the units still free that night (one statement)."""
    return availabilities(accommodations=[accommodation], start=start, end=end)[accommodation.pk]


# The capacity of each place comes with the stays: a hotel's rooms from its child row (an
# apartment has none: 1), so a list of base rows or rows with `rooms` deferred costs nothing more.
_AVAILABILITIES_SQL = """
SELECT place.id, COALESCE(hotel.rooms, 1), booking.start_date, booking.end_date
FROM unnest(%(ids)s::bigint[]) AS place(id)
LEFT JOIN catalog_hotel hotel ON hotel.accommodation_ptr_id = place.id
LEFT JOIN bookings_booking booking
       ON booking.accommodation_id = place.id AND booking.status = %(confirmed)s
      AND daterange(booking.start_date, booking.end_date, '[)') && daterange(%(start)s, %(end)s, '[)')
"""


def availabilities(
    *, accommodations: Sequence[Accommodation], start: datetime.date, end: datetime.date
) -> dict[int, list[AvailabilityDay]]:
    """`availability` of many places at once, by id: one statement whatever their number."""
    ids = sorted({place.pk for place in accommodations})
    capacities: dict[int, int] = {}
    stays: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(_AVAILABILITIES_SQL, {"ids": ids, "confirmed": BookingStatus.CONFIRMED.value,
                                             "start": start, "end": end})
        for place_id, capacity, stay_start, stay_end in cursor.fetchall():
            capacities[place_id] = capacity
            if stay_start is not None:
                stays[place_id].append((stay_start, stay_end))
    nights = [start + n * ONE_DAY for n in range((end - start).days)]  # shared by every calendar
    return {
        place_id: [
            AvailabilityDay(night, max(capacity - used, 0))
            for night, used in zip(nights, nightly_occupancy(stays[place_id], start, end), strict=True)
        ]
        for place_id, capacity in capacities.items()
    }


# Gaps and islands over each place's occupancy step function, all places in one statement
# (every window is PARTITION BY accommodation_id):
#   places  - the ids asked for and their capacity (a hotel's rooms, 1 otherwise)
#   events  - +1 at each stay's first night (clipped to :from), -1 at its check-out day
#   levels  - occupancy on each segment [day, next_day); the last segment is open-ended
#   runs    - consecutive free segments share a group number (it only grows on busy segments)
# A place's answer is the start of its first free run at least :nights long. With a :horizon
# only the stays touching [from, horizon) are read, and a run counts only up to the horizon: an
# answer then is exact (no later stay can touch those nights); no answer means "look further".
_NEXT_AVAILABLE_SQL = """
WITH places AS (
    SELECT place.id AS accommodation_id, COALESCE(hotel.rooms, 1) AS capacity
    FROM unnest(%(ids)s::bigint[]) AS place(id)
    LEFT JOIN catalog_hotel hotel ON hotel.accommodation_ptr_id = place.id
),
stays AS (
    SELECT booking.accommodation_id, GREATEST(booking.start_date, %(from)s) AS first_night, booking.end_date
    FROM places JOIN bookings_booking booking ON booking.accommodation_id = places.accommodation_id
    WHERE booking.status = %(confirmed)s AND booking.end_date > %(from)s
      {window}
),
events AS (
    SELECT accommodation_id, first_night AS day, 1 AS delta FROM stays
    UNION ALL SELECT accommodation_id, end_date, -1 FROM stays
    UNION ALL SELECT accommodation_id, %(from)s, 0 FROM places
),
points AS (SELECT accommodation_id, day, SUM(delta) AS delta FROM events GROUP BY accommodation_id, day),
levels AS (
    SELECT points.accommodation_id, day,
           LEAD(day) OVER place_days AS next_day,
           SUM(delta) OVER place_days < places.capacity AS free
    FROM points JOIN places USING (accommodation_id)
    WINDOW place_days AS (PARTITION BY points.accommodation_id ORDER BY day)
),
runs AS (
    SELECT accommodation_id, day, next_day, free,
           SUM(CASE WHEN free THEN 0 ELSE 1 END) OVER (PARTITION BY accommodation_id ORDER BY day) AS run
    FROM levels
),
free_runs AS (
    SELECT accommodation_id, MIN(day) AS run_start,
           CASE WHEN BOOL_OR(next_day IS NULL) THEN {open_end} ELSE MAX(next_day) END AS run_end
    FROM runs WHERE free GROUP BY accommodation_id, run
)
SELECT accommodation_id, MIN(run_start) FROM free_runs
WHERE run_end IS NULL OR run_end - run_start >= %(nights)s
GROUP BY accommodation_id
"""
_WITHIN_HORIZON = _NEXT_AVAILABLE_SQL.format(
    # The GiST index on (accommodation_id, stay range) serves this filter.
    window="AND daterange(booking.start_date, booking.end_date, '[)') && daterange(%(from)s, %(horizon)s, '[)')",
    open_end="%(horizon)s::date",
)
_UNBOUNDED = _NEXT_AVAILABLE_SQL.format(window="", open_end="NULL")

# Most answers lie within a few months: look there first, read everything only if needed.
NEXT_AVAILABLE_HORIZON_DAYS = 120


def next_available_date(*, accommodation: Accommodation, date: datetime.date, nights: int = 1) -> datetime.date:
    """Earliest day d >= max(date, today) such that every night of [d, d + nights) is free.
    At most two SQL statements, however many bookings exist."""
    return next_available_dates(accommodations=[accommodation], date=date, nights=nights)[accommodation.pk]


def next_available_dates(
    *, accommodations: Sequence[Accommodation], date: datetime.date, nights: int = 1
) -> dict[int, datetime.date]:
    """`next_available_date` of many places at once, by id: at most two statements whatever their
    number (the second only for the places with no answer within the horizon)."""
    start = max(date, today())
    params = {
        "ids": sorted({place.pk for place in accommodations}),
        "confirmed": BookingStatus.CONFIRMED.value,
        "from": start,
        "nights": nights,
        "horizon": start + datetime.timedelta(days=NEXT_AVAILABLE_HORIZON_DAYS + nights),
    }
    with connection.cursor() as cursor:
        cursor.execute(_WITHIN_HORIZON, params)
        answers = dict(cursor.fetchall())
        if further := [place_id for place_id in params["ids"] if answers.get(place_id) is None]:
            cursor.execute(_UNBOUNDED, params | {"ids": further})
            answers.update(cursor.fetchall())
    return answers


def peak_future_occupancy(*, accommodation_id: int) -> int:
    """Most confirmed bookings on any night from today on (to check a lower room count)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH stays AS (
                SELECT GREATEST(start_date, %(from)s) AS first_night, end_date FROM bookings_booking
                WHERE accommodation_id = %(accommodation_id)s AND status = %(confirmed)s AND end_date > %(from)s
            ),
            points AS (
                SELECT day, SUM(delta) AS delta FROM (
                    SELECT first_night AS day, 1 AS delta FROM stays UNION ALL SELECT end_date, -1 FROM stays
                ) events GROUP BY day
            )
            SELECT COALESCE(MAX(level), 0) FROM (SELECT SUM(delta) OVER (ORDER BY day) AS level FROM points) levels
            """,
            {"accommodation_id": accommodation_id, "confirmed": BookingStatus.CONFIRMED.value, "from": today()},
        )
        (peak,) = cursor.fetchone()
    return int(peak)


def get_accommodation(accommodation_id: object) -> Accommodation:
    return get_or_not_found(Accommodation.objects.select_subclasses(), accommodation_id)


# --- Stay search ---------------------------------------------------------------------------

@dataclass(frozen=True)
class StayOffer:
    """A place a booking with these dates and guests would be accepted at, and its price."""

    accommodation: Accommodation
    check_in: datetime.date
    check_out: datetime.date
    guests: int
    free_units: int

    @property
    def nightly_price(self) -> Decimal:
        return self.accommodation.price

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days

    @property
    def total_price(self) -> Decimal:
        return stay_price(nightly_price=self.nightly_price, start=self.check_in, end=self.check_out)


# One statement for the whole search. `peaks`: the confirmed stays touching [check_in, check_out)
# at any place, read through the range GiST index (booking_confirmed_range_gist), become +1 on
# their first night in the window and -1 on their check-out day; the running sum per place and
# day is the occupancy, its maximum the place's peak. The candidates (guests fit one booking,
# filters) are joined to their peak; free units = capacity - peak; cheapest first, one page.
_SEARCH_SQL = """
WITH peaks AS (
    SELECT accommodation_id, MAX(level) AS peak FROM (
        SELECT stay.accommodation_id,
               SUM(SUM(event.delta)) OVER (PARTITION BY stay.accommodation_id ORDER BY event.day) AS level
        FROM bookings_booking AS stay
        CROSS JOIN LATERAL (VALUES (GREATEST(stay.start_date, %(check_in)s), 1), (stay.end_date, -1))
            AS event(day, delta)
        WHERE stay.status = %(confirmed)s
          AND daterange(stay.start_date, stay.end_date, '[)') && daterange(%(check_in)s, %(check_out)s, '[)')
        GROUP BY stay.accommodation_id, event.day
    ) AS levels
    GROUP BY accommodation_id
),
candidates AS (
    SELECT place.id, place.price,
           CASE WHEN place.kind = %(hotel)s THEN hotel.rooms ELSE 1 END AS units
    FROM catalog_accommodation AS place
    LEFT JOIN catalog_hotel AS hotel ON hotel.accommodation_ptr_id = place.id
    LEFT JOIN catalog_apartment AS apartment ON apartment.accommodation_ptr_id = place.id
    WHERE ((place.kind = %(hotel)s AND hotel.max_guests_per_room >= %(guests)s)
           OR (place.kind = %(apartment)s AND apartment.max_guests >= %(guests)s))
      {filters}
)
SELECT candidates.id, candidates.units - COALESCE(peaks.peak, 0) AS free_units
FROM candidates LEFT JOIN peaks ON peaks.accommodation_id = candidates.id
WHERE candidates.units - COALESCE(peaks.peak, 0) > 0
ORDER BY candidates.price, candidates.id
LIMIT %(limit)s OFFSET %(offset)s
"""
# Case-insensitive substring without LIKE, so % and _ in the client's text are plain characters.
_LOCATION_FILTER = "AND strpos(upper(place.location), upper(%(location)s)) > 0"
_KIND_FILTER = "AND place.kind = %(kind)s"
_PRICE_FILTER = "AND place.price <= %(max_nightly_price)s"


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
    """The accommodations where `guests` fit one booking and every night of [check_in, check_out)
    has a free unit, cheapest stay first (then by id), one page of them.
    Filters: location (case-insensitive substring), kind, nightly price. The arguments are
    checked by services.search_stays, which callers use. Two SQL statements, whatever the data."""
    if limit <= 0:
        return []
    filters = [
        sql
        for sql, given in ((_LOCATION_FILTER, location), (_KIND_FILTER, kind), (_PRICE_FILTER, max_nightly_price))
        if given is not None and given != ""
    ]
    params = {
        "check_in": check_in, "check_out": check_out, "guests": guests, "confirmed": BookingStatus.CONFIRMED.value,
        "hotel": AccommodationKind.HOTEL.value, "apartment": AccommodationKind.APARTMENT.value,
        "location": location, "kind": AccommodationKind(kind).value if kind else None,
        "max_nightly_price": max_nightly_price, "limit": limit, "offset": offset,
    }
    with connection.cursor() as cursor:
        cursor.execute(_SEARCH_SQL.format(filters="\n      ".join(filters)), params)
        page = cursor.fetchall()
    # The concrete Hotel/Apartment rows of the page: a second statement, one page long.
    places = Accommodation.objects.select_subclasses().in_bulk([place_id for place_id, _ in page])
    return [
        StayOffer(
            accommodation=places[place_id],
            check_in=check_in,
            check_out=check_out,
            guests=guests,
            free_units=free_units,
        )
        for place_id, free_units in page
    ]
