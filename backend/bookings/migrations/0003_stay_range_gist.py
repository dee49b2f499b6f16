"""A GiST index on the stay range alone: the stay search reads the stays touching some nights at every place."""

import bookings.models
import django.contrib.postgres.indexes
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('bookings', '0002_guests_price_idempotency'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='booking',
            index=django.contrib.postgres.indexes.GistIndex(bookings.models.StayRange(), condition=models.Q(('status', 'CONFIRMED')), name='booking_confirmed_range_gist'),
        ),
    ]
