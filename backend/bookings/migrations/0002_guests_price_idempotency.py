"""Guests, a kept total price and an idempotency key on each booking.

Existing bookings get total_price = nights x their accommodation's current nightly price
(the price they were made at was never recorded; today's is the best figure there is)."""

import django.core.validators
from django.db import migrations, models

FILL_TOTAL_PRICE = """
UPDATE bookings_booking AS b
SET total_price = a.price * (b.end_date - b.start_date)
FROM catalog_accommodation AS a
WHERE a.id = b.accommodation_id AND b.total_price IS NULL
"""


class Migration(migrations.Migration):

    dependencies = [
        ('bookings', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='booking',
            name='guests',
            field=models.PositiveSmallIntegerField(default=1, help_text='Number of guests (at least 1).', validators=[django.core.validators.MinValueValidator(1)]),
        ),
        migrations.AddField(
            model_name='booking',
            name='idempotency_fingerprint',
            field=models.CharField(blank=True, default='', editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='booking',
            name='idempotency_key',
            field=models.CharField(blank=True, editable=False, max_length=255, null=True),
        ),
        migrations.AddField(
            model_name='booking',
            name='total_price',
            field=models.DecimalField(decimal_places=2, help_text='Nights x the nightly price when the booking was made or its dates were last moved.', max_digits=14, null=True, validators=[django.core.validators.MinValueValidator(0)]),
        ),
        migrations.RunSQL(FILL_TOTAL_PRICE, reverse_sql=migrations.RunSQL.noop, elidable=False),
        migrations.AlterField(
            model_name='booking',
            name='total_price',
            field=models.DecimalField(decimal_places=2, help_text='Nights x the nightly price when the booking was made or its dates were last moved.', max_digits=14, validators=[django.core.validators.MinValueValidator(0)]),
        ),
        migrations.AddConstraint(
            model_name='booking',
            constraint=models.CheckConstraint(condition=models.Q(('guests__gte', 1)), name='booking_guests_at_least_one'),
        ),
        migrations.AddConstraint(
            model_name='booking',
            constraint=models.CheckConstraint(condition=models.Q(('total_price__gte', 0)), name='booking_total_price_non_negative'),
        ),
        migrations.AddConstraint(
            model_name='booking',
            constraint=models.UniqueConstraint(fields=('idempotency_key',), name='booking_idempotency_key_unique'),
        ),
    ]
