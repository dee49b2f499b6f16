"""The data migration gives bookings made before prices were kept a total_price."""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("bookings", "0001_initial")]
AFTER = [("bookings", "0002_guests_price_idempotency")]


@pytest.mark.django_db(transaction=True)
def test_existing_bookings_get_nights_times_the_nightly_price(back_to_latest_afterwards):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    catalog_now = [node for node in executor.loader.graph.leaf_nodes() if node[0] == "catalog"]
    old = executor.loader.project_state(BEFORE + catalog_now).apps
    hotel = old.get_model("catalog", "Hotel").objects.create(
        kind="HOTEL", name="Old hotel", location="Berlin", price=Decimal("80.25"), rooms=2
    )
    apartment = old.get_model("catalog", "Apartment").objects.create(
        kind="APARTMENT", name="Old flat", location="Berlin", price=Decimal("0"), bedrooms=1, max_guests=2
    )
    Booking = old.get_model("bookings", "Booking")
    start = datetime.date(2026, 1, 10)
    three_nights = Booking.objects.create(
        accommodation_id=hotel.pk, start_date=start, end_date=start + datetime.timedelta(days=3),
        guest_name="Old", exclusive=False,
    )
    free = Booking.objects.create(
        accommodation_id=apartment.pk, start_date=start, end_date=start + datetime.timedelta(days=1),
        guest_name="Old", exclusive=True, status="CANCELLED",
    )

    executor = MigrationExecutor(connection)  # a fresh graph, as `migrate` would load
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("bookings", "Booking")

    assert new.objects.get(pk=three_nights.pk).total_price == Decimal("240.75")
    assert new.objects.get(pk=free.pk).total_price == Decimal("0.00")
    assert new.objects.get(pk=three_nights.pk).guests == 1
