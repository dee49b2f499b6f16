"""Real parallel transactions on rates: threads with their own connections, released together."""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bookings import services as booking_services
from bookings.models import Booking, BookingStatus
from catalog import services as catalog_services
from catalog.models import RateDay, RatePlan
from concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 12


def kind(outcome) -> str:
    if isinstance(outcome, ValidationError):
        return next(iter(outcome.error_dict.values()))[0].code
    if isinstance(outcome, BaseException):
        return repr(outcome)
    return "ok"


@pytest.fixture
def hotel_with_a_derived_plan(make_hotel):
    hotel = make_hotel(rooms=3, price=Decimal("200.00"))
    standard = hotel.rate_plans.get(is_default=True)
    nonref = catalog_services.create_rate_plan(
        accommodation_id=hotel.pk, code="NONREF", name="Non-refundable", parent_id=standard.pk,
        adjustment_percent=Decimal("-10"), refundable=False,
    )
    return hotel, standard, nonref


def test_the_last_rooms_go_to_exactly_as_many_bookings_whatever_the_plan(hotel_with_a_derived_plan, day):
    hotel, standard, nonref = hotel_with_a_derived_plan
    booking_services.create_booking(accommodation_id=hotel.pk, start_date=day(10), end_date=day(11), guest_name="Early")
    plans = [standard.pk, nonref.pk]

    outcomes = run_together([
        (lambda plan=plans[n % 2]: booking_services.create_booking(
            accommodation_id=hotel.pk, start_date=day(9), end_date=day(12), guest_name="Racer", rate_plan_id=plan
        ))
        for n in range(PARALLEL)
    ])

    assert Counter(kind(outcome) for outcome in outcomes) == Counter({"ok": 2, "no_rooms_available": PARALLEL - 2})
    confirmed = Booking.objects.filter(accommodation=hotel, status=BookingStatus.CONFIRMED)
    assert confirmed.count() == 3
    # Each winner kept the price of its own plan.
    for booking in confirmed.exclude(guest_name="Early"):
        assert booking.total_price == (Decimal("600.00") if booking.rate_plan_id == standard.pk else Decimal("540.00"))


def test_parallel_bookings_never_get_past_a_rule_set_before_them(hotel_with_a_derived_plan, day):
    hotel, standard, nonref = hotel_with_a_derived_plan
    catalog_services.set_rates(rate_plan_id=standard.pk, start=day(9), end=day(10), min_stay=4)

    outcomes = run_together([
        (lambda nights=1 + n % 5: booking_services.create_booking(
            accommodation_id=hotel.pk, start_date=day(9), end_date=day(9 + nights), guest_name="Racer",
            rate_plan_id=nonref.pk,  # the derived plan inherits the minimum stay
        ))
        for n in range(PARALLEL)
    ])

    for n, outcome in enumerate(outcomes):
        nights = 1 + n % 5
        assert kind(outcome) in ({"ok", "no_rooms_available"} if nights >= 4 else {"min_stay_not_met"}), (nights, outcome)
    assert Booking.objects.filter(accommodation=hotel).count() <= 3
    assert all(booking.nights >= 4 for booking in Booking.objects.filter(accommodation=hotel))


def test_parallel_set_rates_on_one_plan_leave_one_whole_write_per_day(make_apartment, day):
    flat = make_apartment(price=Decimal("100.00"))
    plan = flat.rate_plans.get(is_default=True)
    # Writer n sets price 100 + n and minimum stay 1 + n % 5 together; ranges overlap on days 6..19.
    writes = {n: (Decimal(100 + n), 1 + n % 5, n % 7, 20 + n % 7) for n in range(PARALLEL)}

    outcomes = run_together([
        (lambda price=price, min_stay=min_stay, first=first, last=last: catalog_services.set_rates(
            rate_plan_id=plan.pk, start=day(first), end=day(last), price=price, min_stay=min_stay
        ))
        for price, min_stay, first, last in writes.values()
    ])

    assert [kind(outcome) for outcome in outcomes] == ["ok"] * PARALLEL
    pairs = {(price, min_stay) for price, min_stay, _, _ in writes.values()}
    rows = {row.date: (row.price, row.min_stay) for row in RateDay.objects.filter(rate_plan=plan)}
    assert set(rows) == {day(n) for n in range(0, 26)}
    # Never a mix: each day's price and minimum stay come from the same write ...
    assert set(rows.values()) <= pairs
    # ... and the writes went one at a time: on the days every write covered, one write won them all.
    assert len({rows[day(n)] for n in range(6, 20)}) == 1
    # Each writer's own answer showed its whole write (read inside its transaction, under the lock).
    for (price, min_stay, first, last), (_, answered) in zip(writes.values(), outcomes):
        assert {(entry.price, entry.min_stay) for entry in answered} == {(price, min_stay)}
        assert len(answered) == last - first


def test_parallel_plans_with_one_code_give_one_plan(make_apartment):
    flat = make_apartment()

    outcomes = run_together([
        (lambda n=n: catalog_services.create_rate_plan(accommodation_id=flat.pk, code="PROMO", name=f"Promo {n}"))
        for n in range(PARALLEL)
    ])

    assert Counter(kind(outcome) for outcome in outcomes) == Counter({"ok": 1, "rate_plan_code_taken": PARALLEL - 1})
    assert RatePlan.objects.filter(accommodation=flat, code="PROMO").count() == 1


def test_parallel_min_and_max_stay_writes_never_store_a_minimum_above_the_maximum(make_apartment, day):
    """Each write checks the stored rows before writing; writers of one plan go one at a time, so two
    writes that are fine alone but not together (max 2, then min 4) cannot both land."""
    flat = make_apartment()
    plan = flat.rate_plans.get(is_default=True)

    for round_ in range(3):  # a race: a few rounds make a regression show reliably
        target = day(5 + round_)
        outcomes = run_together([
            (lambda n=n: catalog_services.set_rates(
                rate_plan_id=plan.pk, start=target, end=day(6 + round_), **({"max_stay": 2} if n % 2 else {"min_stay": 4})
            ))
            for n in range(PARALLEL)
        ])

        kinds = Counter(kind(outcome) for outcome in outcomes)
        assert set(kinds) <= {"ok", "invalid_stay_rule"}, kinds
        assert kinds["invalid_stay_rule"] == PARALLEL // 2  # the kind that came second is refused every time
        row = RateDay.objects.get(rate_plan=plan, date=target)
        assert (row.min_stay is None) != (row.max_stay is None), (row.min_stay, row.max_stay)
