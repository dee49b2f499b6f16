"""bookings 0005 (the lifecycle): existing bookings get distinct random references, the status gains
HELD and EXPIRED, and the append-only trigger guards the revisions table; it also unapplies cleanly."""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from bookings.models import REFERENCE_ALPHABET, REFERENCE_LENGTH

# Only bookings goes back: catalog stays at its latest (time zones), as on a deployed database.
def _catalog_now() -> tuple[str, str]:
    """Only bookings migrate back here: the catalog stays at its latest migration."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph  # no database needed at import
    return next(node for node in graph.leaf_nodes() if node[0] == "catalog")


BEFORE = [("bookings", "0004_rate_plan_snapshot"), _catalog_now()]
AFTER = [("bookings", "0005_lifecycle"), _catalog_now()]


def trigger_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname = 'bookings_revision_append_only' "
            "AND tgrelid = 'bookings_bookingrevision'::regclass"
        )
        return cursor.fetchone()[0] == 1


def table_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        return name in connection.introspection.table_names(cursor)


@pytest.mark.django_db(transaction=True)
def test_existing_bookings_get_distinct_references_and_the_trigger_guards_revisions(back_to_latest_afterwards):
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE[0]])
    assert not table_exists("bookings_bookingrevision")
    old = executor.loader.project_state(BEFORE).apps
    hotel = old.get_model("catalog", "Hotel").objects.create(
        kind="HOTEL", name="Old hotel", location="Berlin", price=Decimal("80.00"), rooms=5,
        time_zone="Europe/Berlin", check_in_time=datetime.time(15, 0),
    )
    plan = old.get_model("catalog", "RatePlan").objects.create(
        accommodation_id=hotel.pk, code="STANDARD", name="Standard rate", is_default=True, active=True,
        refundable=True, free_cancellation_days=0, fee_percent=100,
    )
    Booking = old.get_model("bookings", "Booking")
    start = datetime.date(2027, 3, 10)
    made = [
        Booking.objects.create(
            accommodation_id=hotel.pk, rate_plan_id=plan.pk, start_date=start, end_date=start + datetime.timedelta(days=1),
            guest_name=f"Old {n}", exclusive=False, total_price=Decimal("80.00"),
            status="CANCELLED" if n == 0 else "CONFIRMED",
        )
        for n in range(25)
    ]

    executor = MigrationExecutor(connection)
    executor.migrate([AFTER[0]])
    new = executor.loader.project_state(AFTER).apps
    Migrated = new.get_model("bookings", "Booking")

    rows = list(Migrated.objects.order_by("pk").values_list("pk", "reference", "status", "guest_email", "expires_at"))
    assert [pk for pk, *_ in rows] == [booking.pk for booking in made]
    references = [reference for _, reference, *_ in rows]
    assert len(set(references)) == len(references)
    assert all(len(ref) == REFERENCE_LENGTH and set(ref) <= set(REFERENCE_ALPHABET) for ref in references)
    assert references != sorted(references)  # random, not counted up from the id
    assert [status for _, _, status, *_ in rows] == ["CANCELLED"] + ["CONFIRMED"] * 24  # untouched
    assert {(email, expires) for *_, email, expires in rows} == {("", None)}
    assert [value for value, _ in Migrated._meta.get_field("status").choices] == ["HELD", "CONFIRMED", "CANCELLED", "EXPIRED"]
    assert Migrated._meta.get_field("reference").unique

    # The trigger is there and refuses edits; inserts stay possible.
    assert trigger_exists()
    Revision = new.get_model("bookings", "BookingRevision")
    revision = Revision.objects.create(booking_id=made[1].pk, sequence=1, actor="system", action="created", changes={})
    for statement in ("UPDATE bookings_bookingrevision SET action = 'x'", "DELETE FROM bookings_bookingrevision"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert Revision.objects.get(pk=revision.pk).action == "created"
    # A held row needs its expiry and e-mail (the database says so too).
    with pytest.raises(DatabaseError), transaction.atomic():
        Migrated.objects.filter(pk=made[2].pk).update(status="HELD")


@pytest.mark.django_db(transaction=True)
def test_the_lifecycle_migration_unapplies_and_reapplies(back_to_latest_afterwards):
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE[0]])
    assert not table_exists("bookings_bookingrevision")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_proc WHERE proname = 'bookings_revision_append_only'")
        assert cursor.fetchone()[0] == 0

    executor = MigrationExecutor(connection)
    executor.migrate([AFTER[0]])
    assert table_exists("bookings_bookingrevision") and trigger_exists()
