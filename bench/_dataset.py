"""The bench data set: places with bookings around today (and voice notes), built fast.
Imported after Django is set up (see _django.setup)."""
from __future__ import annotations

import datetime
import random

from django.db import connection
from django.utils import timezone

from bookings.models import Booking
from catalog.models import Accommodation, Apartment, Hotel
from voice.models import VoiceNote

ONE_DAY = datetime.timedelta(days=1)
# The "before" figures come from an older commit (no stored total price): the same file runs on both.
HAS_TOTAL_PRICE = any(field.name == "total_price" for field in Booking._meta.get_fields())


def add_places(first: int, count: int, *, voice_notes: bool) -> None:
    """Half hotels (2 rooms, stays in pairs, so some nights are full), half apartments;
    five stays per place around today, back to back or after a short gap."""
    rng = random.Random(first)
    today = timezone.localdate()
    bookings = []
    for n in range(first, first + count):
        if n % 2 == 0:
            place = Hotel.objects.create(name=f"Hotel {n}", location="Berlin", price=120 + n % 50, rooms=2, stars=n % 5 + 1)
        else:
            place = Apartment.objects.create(name=f"Flat {n}", location="Lisbon", price=80 + n % 40, bedrooms=n % 3, max_guests=4)
        cursor = today - rng.randint(0, 3) * ONE_DAY
        for i in range(5):
            # A hotel's odd booking takes the same nights as the one before (its other room): a full night.
            if not (place.is_hotel and i % 2 == 1):
                start = cursor
                end = start + rng.randint(1, 4) * ONE_DAY
                cursor = end + rng.choice([0, 0, 0, 1, 2]) * ONE_DAY
            priced = {"total_price": place.price * (end - start).days} if HAS_TOTAL_PRICE else {}
            bookings.append(Booking(accommodation=place, start_date=start, end_date=end, guest_name=f"Guest {n}.{i}",
                                    exclusive=place.is_apartment, **priced))
    Booking.objects.bulk_create(bookings)
    if voice_notes:
        now = timezone.now()
        VoiceNote.objects.bulk_create(
            VoiceNote(booking=b, audio=f"voice-notes/{b.accommodation_id}/{b.pk}.wav", original_filename="note.wav",
                      content_type="audio/wav", size_bytes=48_000, duration_seconds=3.0, status="COMPLETED",
                      transcript="Late arrival, around eleven.", confidence=0.91, language="en", provider="bench",
                      transcribed_at=now)
            for b in bookings
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def back_to_back_stays(cursor: datetime.date, count: int, rng: random.Random, *, max_gap: int):
    """`count` stays of 1-7 nights from `cursor` on, back to back 70 % of the time, else after a
    gap of 1 to `max_gap` days: one room's bookings, as (start, end) pairs."""
    stays = []
    for _ in range(count):
        if rng.random() > 0.7:
            cursor += rng.randint(1, max_gap) * ONE_DAY
        nights = rng.randint(1, 7)
        stays.append((cursor, cursor + nights * ONE_DAY))
        cursor += nights * ONE_DAY
    return stays


def reset() -> None:
    """Empty the tables with TRUNCATE: deleting rows left them behind as dead tuples (45,000 in
    bookings after a few runs), which slowed every later run's statements."""
    tables = [model._meta.db_table for model in (VoiceNote, Booking, Hotel, Apartment, Accommodation)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
