"""The rate-plan migrations: every existing accommodation gets its default plan, and every existing
booking a snapshot of it (the plan, one price per night adding up to its total, the default terms)."""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("catalog", "0003_hotel_max_guests_per_room"), ("bookings", "0003_stay_range_gist")]
AFTER = [("catalog", "0004_rate_plans"), ("bookings", "0004_rate_plan_snapshot")]


@pytest.mark.django_db(transaction=True)
def test_existing_places_get_a_default_plan_and_bookings_its_snapshot(back_to_latest_afterwards):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    hotel = old.get_model("catalog", "Hotel").objects.create(
        kind="HOTEL", name="Old hotel", location="Berlin", price=Decimal("80.00"), rooms=2
    )
    flat = old.get_model("catalog", "Apartment").objects.create(
        kind="APARTMENT", name="Old flat", location="Lisbon", price=Decimal("50.00"), bedrooms=1, max_guests=2
    )
    Booking = old.get_model("bookings", "Booking")
    start = datetime.date(2027, 3, 10)
    # 100.00 over three nights does not divide into cents: the last night takes the remainder.
    uneven = Booking.objects.create(
        accommodation_id=hotel.pk, start_date=start, end_date=start + datetime.timedelta(days=3),
        guest_name="Old", exclusive=False, total_price=Decimal("100.00"),
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    plans = new.get_model("catalog", "RatePlan").objects

    assert sorted(plans.filter(is_default=True).values_list("accommodation_id", flat=True)) == sorted([hotel.pk, flat.pk])
    assert set(plans.values_list("code", "active", "refundable", "free_cancellation_days")) == {("STANDARD", True, True, 0)}
    booking = new.get_model("bookings", "Booking").objects.get(pk=uneven.pk)
    assert booking.rate_plan_id == plans.get(accommodation_id=hotel.pk).pk
    assert [night["price"] for night in booking.nightly_prices] == ["33.33", "33.33", "33.34"]
    assert [night["date"] for night in booking.nightly_prices] == ["2027-03-10", "2027-03-11", "2027-03-12"]
    assert booking.total_price == Decimal("100.00")
    assert booking.refundable and booking.cancellation_fee_percent == 100 and booking.cancellation_fee is None
    assert booking.free_cancellation_until.date() == start
