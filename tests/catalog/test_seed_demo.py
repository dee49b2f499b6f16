"""`manage.py seed_demo`: the picture `make run` shows a newcomer."""
from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from bookings.models import Booking, BookingStatus
from catalog.models import Apartment, Hotel
from voice.models import TranscriptionStatus, VoiceNote

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seeds_both_kinds_bookings_and_a_transcribed_note():
    seed()

    assert Hotel.objects.count() >= 3 and Apartment.objects.count() >= 3
    assert len(set(Hotel.objects.values_list("location", flat=True))) >= 3
    assert Booking.objects.filter(status=BookingStatus.CANCELLED).exists()
    note = VoiceNote.objects.get()
    assert (note.status, note.provider) == (TranscriptionStatus.COMPLETED, "whisper")  # the offline default
    heard = note.transcript.lower()
    assert "baby cot" in heard and "friday" in heard and note.extra["segments"]


def test_some_apartment_has_back_to_back_bookings():
    seed()

    stays = list(Booking.objects.filter(exclusive=True).values_list("accommodation_id", "start_date", "end_date"))
    touching = [(a, b) for a in stays for b in stays if a[0] == b[0] and a[2] == b[1]]
    assert touching


def test_some_hotel_is_full_on_some_night():
    from bookings.selectors import peak_future_occupancy

    seed()

    assert any(peak_future_occupancy(accommodation_id=h.pk) == h.rooms for h in Hotel.objects.all())


def test_if_empty_does_nothing_the_second_time():
    seed("--if-empty")
    counts = (Hotel.objects.count(), Apartment.objects.count(), Booking.objects.count())

    output = seed("--if-empty")

    assert "already there" in output
    assert (Hotel.objects.count(), Apartment.objects.count(), Booking.objects.count()) == counts


def test_demo_user_exists_only_while_debug_is_on(settings):
    settings.DEBUG = True
    seed("--if-empty")
    demo = get_user_model().objects.get(username="demo")
    assert demo.is_staff and demo.check_password("demo-staff-2026")

    settings.DEBUG = False
    seed("--if-empty")

    assert not get_user_model().objects.filter(username="demo").exists()


def test_seeds_weekend_prices_a_non_refundable_plan_a_minimum_stay_and_a_closed_day():
    from catalog.models import RateDay, RatePlan

    seed()

    assert RatePlan.objects.filter(code="NONREF", refundable=False, parent__isnull=False).count() == (
        Hotel.objects.count() + Apartment.objects.count()
    )
    weekend_days = RateDay.objects.filter(price__isnull=False).values_list("date", flat=True)
    assert weekend_days and {d.isoweekday() for d in weekend_days} == {5, 6}
    assert RateDay.objects.filter(min_stay=3).count() == 3
    assert RateDay.objects.filter(stop_sell=True).count() == 1
