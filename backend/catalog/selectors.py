"""Reads about what is sold: rate plans and the effective rate calendar.

The effective value of a (plan, day) is written once, in `RATE_DAYS_CTE`:
- price: an own-priced plan's row, else the accommodation's base price; a derived plan's is its
  parent's effective price x (1 + adjustment / 100), rounded to the cent per night;
- minStay, maxStay, closedToArrival, closedToDeparture, stopSell: the plan's own row, else (derived)
  the parent's row, else the default (1, none, false, false, false).
bookings.selectors builds "bookable" on it; staff calendars read it through `rate_calendar`.
"""
from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import QuerySet

from booking_graph.domain import find_or_none, get_or_not_found

from .models import RatePlan

ONE_DAY = datetime.timedelta(days=1)

# `plan_days`: one row per selected plan and day of [%(days_from)s, days_to). `{select_plans}` is e.g.
# PLANS_BY_ID or DEFAULT_PLANS_OF_PLACES. Rows are read by the unique (rate_plan_id, date) index.
# Each row carries its place's time zone, so readers can judge "on or after the place's today"
# without joining the places again after their window functions.
# The days come from an integer generate_series: PostgreSQL estimates its row count from constant
# bounds (4 days of a 3-night search), where generate_series over dates is always guessed at 1,000
# rows. With that guess the planner hashed the whole rate table twice (every plan's every day: 3.65
# million rows at 10,000 places) instead of probing the index for the few days asked.
RATE_DAYS_CTE = """
plan_days AS (
    SELECT plan.id AS rate_plan_id, plan.accommodation_id, place.time_zone, day::date AS day,
           CASE WHEN plan.parent_id IS NULL THEN COALESCE(own.price, place.price)
                ELSE ROUND(COALESCE(inherited.price, place.price) * (100 + plan.adjustment_percent) / 100, 2)
           END AS price,
           COALESCE(own.min_stay, inherited.min_stay, 1) AS min_stay,
           COALESCE(own.max_stay, inherited.max_stay) AS max_stay,
           COALESCE(own.closed_to_arrival, inherited.closed_to_arrival, FALSE) AS closed_to_arrival,
           COALESCE(own.closed_to_departure, inherited.closed_to_departure, FALSE) AS closed_to_departure,
           COALESCE(own.stop_sell, inherited.stop_sell, FALSE) AS stop_sell
    FROM catalog_rateplan AS plan
    JOIN catalog_accommodation AS place ON place.id = plan.accommodation_id
    CROSS JOIN (SELECT %(days_from)s::date + n AS day FROM generate_series(0, {days_to} - %(days_from)s::date - 1) AS n) AS day
    LEFT JOIN catalog_rateday AS own ON own.rate_plan_id = plan.id AND own.date = day::date
    LEFT JOIN catalog_rateday AS inherited ON inherited.rate_plan_id = plan.parent_id AND inherited.date = day::date
    WHERE {select_plans}
)"""
DAYS_TO_PARAMETER = "%(days_to)s::date"


def rate_days_cte(select_plans: str, *, days_to: str = DAYS_TO_PARAMETER) -> str:
    """`plan_days` for the plans `select_plans` picks, days from %(days_from)s to `days_to` (exclusive)."""
    return RATE_DAYS_CTE.format(select_plans=select_plans, days_to=days_to)


PLANS_BY_ID = "plan.id = ANY(%(plan_ids)s::bigint[])"
DEFAULT_PLANS_OF_PLACES = "plan.accommodation_id = ANY(%(place_ids)s::bigint[]) AND plan.is_default"


class RateDayValues(NamedTuple):
    """The effective values of one plan on one day."""

    date: datetime.date
    price: Decimal
    min_stay: int
    max_stay: int | None
    closed_to_arrival: bool
    closed_to_departure: bool
    stop_sell: bool


RATE_DAY_COLUMNS = "day, price, min_stay, max_stay, closed_to_arrival, closed_to_departure, stop_sell"


def rate_calendars(
    *, plan_ids: Sequence[int], start: datetime.date, end: datetime.date
) -> dict[int, list[RateDayValues]]:
    """The effective calendar of each plan over [start, end), by plan id: one statement."""
    calendars: dict[int, list[RateDayValues]] = {plan_id: [] for plan_id in plan_ids}
    sql = f"WITH {rate_days_cte(PLANS_BY_ID)} SELECT rate_plan_id, {RATE_DAY_COLUMNS} FROM plan_days ORDER BY rate_plan_id, day"
    with connection.cursor() as cursor:
        cursor.execute(sql, {"plan_ids": sorted(set(plan_ids)), "days_from": start, "days_to": end})
        for plan_id, *values in cursor.fetchall():
            calendars[plan_id].append(RateDayValues(*values))
    return calendars


def rate_calendar(*, rate_plan: RatePlan, start: datetime.date, end: datetime.date) -> list[RateDayValues]:
    return rate_calendars(plan_ids=[rate_plan.pk], start=start, end=end)[rate_plan.pk]


def visible_rate_plans(*, staff: bool) -> QuerySet[RatePlan]:
    """Guests see the plans on sale; staff also the inactive ones."""
    plans = RatePlan.objects.all()
    return plans if staff else plans.filter(active=True)


def default_rate_plan(*, accommodation_id: int) -> RatePlan:
    return RatePlan.objects.get(accommodation_id=accommodation_id, is_default=True)


def get_rate_plan(rate_plan_id: object, *, field: str = "id") -> RatePlan:
    return get_or_not_found(RatePlan.objects.select_related("accommodation", "parent"), rate_plan_id, field=field)


def find_rate_plan(*, accommodation_id: int, rate_plan_id: object | None) -> RatePlan | None:
    """The named plan of this accommodation (its default plan when none is named), or None: a
    malformed id, an unknown one and a plan of another place are all "no such plan here"."""
    if rate_plan_id is None:
        return RatePlan.objects.filter(accommodation_id=accommodation_id, is_default=True).first()
    return find_or_none(RatePlan.objects.filter(accommodation_id=accommodation_id), rate_plan_id)
