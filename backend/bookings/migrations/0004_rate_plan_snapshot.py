import datetime
from decimal import Decimal

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def snapshot_existing_bookings(apps, schema_editor):
    """Bookings made before rate plans were sold under the default plan at one price per night."""
    Booking = apps.get_model("bookings", "Booking")
    RatePlan = apps.get_model("catalog", "RatePlan")
    default_plans = dict(RatePlan.objects.filter(is_default=True).values_list("accommodation_id", "id"))
    check_in = datetime.time.fromisoformat(settings.BOOKING_CHECK_IN_TIME)
    zone = timezone.get_default_timezone()
    for booking in Booking.objects.all().iterator():
        if booking.accommodation_id not in default_plans:  # a place made without one (catalog 0004 gives every place one)
            default_plans[booking.accommodation_id] = RatePlan.objects.create(
                accommodation_id=booking.accommodation_id, code="STANDARD", name="Standard rate", is_default=True,
                active=True, refundable=True, free_cancellation_days=0, fee_percent=100,
            ).pk
        nights = (booking.end_date - booking.start_date).days
        each = (booking.total_price / nights).quantize(Decimal("0.01"))
        prices = [each] * nights
        prices[-1] = booking.total_price - each * (nights - 1)  # the cents that do not divide evenly
        booking.rate_plan_id = default_plans[booking.accommodation_id]
        booking.nightly_prices = [
            {"date": (booking.start_date + datetime.timedelta(days=n)).isoformat(), "price": str(price)}
            for n, price in enumerate(prices)
        ]
        booking.refundable = True
        booking.free_cancellation_until = datetime.datetime.combine(booking.start_date, check_in, tzinfo=zone)
        booking.cancellation_fee_percent = Decimal(100)
        booking.save(update_fields=["rate_plan", "nightly_prices", "refundable", "free_cancellation_until", "cancellation_fee_percent"])
    # Check the new foreign keys now: the ALTERs below cannot run with deferred checks pending.
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0003_stay_range_gist"),
        ("catalog", "0004_rate_plans"),
    ]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="rate_plan",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="bookings", to="catalog.rateplan",
                help_text="The plan the stay was sold under.",
            ),
        ),
        migrations.AddField(
            model_name="booking", name="nightly_prices",
            field=models.JSONField(default=list, editable=False, help_text='Each night\'s agreed price: [{"date": "2027-01-01", "price": "120.00"}, ...].'),
        ),
        migrations.AddField(model_name="booking", name="refundable", field=models.BooleanField(default=True, editable=False)),
        migrations.AddField(
            model_name="booking", name="free_cancellation_until",
            field=models.DateTimeField(blank=True, editable=False, null=True, help_text="Last moment cancelling is free (none for a non-refundable plan)."),
        ),
        migrations.AddField(
            model_name="booking", name="cancellation_fee_percent",
            field=models.DecimalField(decimal_places=2, default=100, editable=False, max_digits=5, help_text="Share of the total charged for a cancellation after the free window."),
        ),
        migrations.AddField(
            model_name="booking", name="cancellation_fee",
            field=models.DecimalField(blank=True, decimal_places=2, editable=False, max_digits=14, null=True, help_text="What the cancellation cost, computed from these terms when it happened."),
        ),
        migrations.AddField(model_name="booking", name="cancelled_at", field=models.DateTimeField(blank=True, editable=False, null=True)),
        migrations.RunPython(snapshot_existing_bookings, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="booking",
            name="rate_plan",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="bookings", to="catalog.rateplan",
                help_text="The plan the stay was sold under.",
            ),
        ),
        migrations.AddConstraint(
            model_name="booking",
            constraint=models.CheckConstraint(
                condition=models.Q(("cancellation_fee__isnull", True), models.Q(("cancellation_fee__gte", 0), ("cancellation_fee__lte", models.F("total_price"))), _connector="OR"),
                name="booking_cancellation_fee_within_total",
            ),
        ),
    ]
