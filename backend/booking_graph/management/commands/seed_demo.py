"""Demo data for `make run`: hotels and apartments in several cities, bookings over the
coming months, a transcribed voice note, and (DEBUG only) a demo staff login."""
from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand

from bookings import services as booking_services
from bookings.selectors import today
from catalog import services as catalog_services
from catalog.models import Accommodation, RatePlan

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-staff-2026"
# A staff-style sentence ("please prepare a baby cot for the family arriving on friday", flite's rms voice).
DEMO_AUDIO = Path(settings.PROJECT_DIR) / "tests" / "fixtures" / "audio" / "baby_cot_rms.wav"

HOTELS = [
    {"name": "Hotel Spreeblick", "location": "Berlin", "price": "149.00", "rooms": 3, "stars": 4,
     "description": "Riverside rooms five minutes from Museum Island."},
    {"name": "Casa do Fado", "location": "Lisbon", "price": "119.00", "rooms": 2, "stars": 3,
     "description": "Small family hotel in Alfama."},
    {"name": "Hotel Ringstrasse", "location": "Vienna", "price": "189.00", "rooms": 5, "stars": 5,
     "max_guests_per_room": 3, "description": "Grand hotel on the Ring."},
    {"name": "Canal House Inn", "location": "Amsterdam", "price": "165.00", "rooms": 4, "stars": None,
     "description": "Rooms in a 17th-century canal house."},
]
APARTMENTS = [
    {"name": "Loft Kreuzberg", "location": "Berlin", "price": "95.00", "bedrooms": 1, "max_guests": 2,
     "description": "Sunny loft with a balcony."},
    {"name": "Alfama Terrace", "location": "Lisbon", "price": "110.00", "bedrooms": 2, "max_guests": 4,
     "description": "Terrace with a view of the Tagus."},
    {"name": "Gràcia Studio", "location": "Barcelona", "price": "70.00", "bedrooms": 0, "max_guests": 2,
     "description": "Studio near Plaça del Sol."},
    {"name": "Eixample Family Flat", "location": "Barcelona", "price": "140.00", "bedrooms": 3, "max_guests": 6,
     "description": "Modernista building, lift, three bedrooms."},
    {"name": "Jordaan Houseboat", "location": "Amsterdam", "price": "130.00", "bedrooms": 1, "max_guests": 3,
     "description": "A houseboat on the Prinsengracht."},
]
NON_REFUNDABLE_CODE = "NONREF"
# Languages staff speak in voice notes, per city (Accommodation.voice_languages; others: the default).
VOICE_LANGUAGES = {"Lisbon": ["pt", "en"], "Berlin": ["de", "en"], "Vienna": ["de", "en"], "Barcelona": ["es", "en"]}
GUESTS = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov", "Ken Thompson",
          "Margaret Hamilton", "Donald Knuth", "Frances Allen", "John Backus", "Radia Perlman", "Tim Berners-Lee"]


class Command(BaseCommand):
    help = "Load demo accommodations, bookings and a voice note; with --if-empty only into an empty catalog."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="do nothing if accommodations exist")

    def handle(self, *args, if_empty: bool, **options) -> None:
        self.sync_demo_user()
        if if_empty and Accommodation.objects.exists():
            self.stdout.write("-- demo data already there (the catalog is not empty)")
            return
        hotels = [catalog_services.create_hotel(**_decimal_price(h)) for h in HOTELS]
        apartments = [catalog_services.create_apartment(**_decimal_price(a)) for a in APARTMENTS]
        seed_prices(hotels + apartments)
        for city, codes in VOICE_LANGUAGES.items():
            Accommodation.objects.filter(location=city).update(voice_languages=codes)
        bookings = seed_bookings(hotels, apartments)
        seed_stay_rules(hotels, apartments)
        note = seed_voice_note(bookings[0])
        self.stdout.write(
            self.style.SUCCESS(
                f"-- demo data: {len(hotels)} hotels, {len(apartments)} apartments, {len(bookings)} bookings, "
                f"voice note {note.pk} ({note.status}); weekend prices, a non-refundable plan per place, "
                "a New Year minimum stay and a closed day"
            )
        )

    def sync_demo_user(self) -> None:
        """The demo staff login exists only while DEBUG is on."""
        users = get_user_model().objects
        if not settings.DEBUG:
            deleted, _ = users.filter(username=DEMO_USERNAME).delete()
            if deleted:
                self.stdout.write("-- DEBUG is off: removed the demo user")
            return
        user, _ = users.get_or_create(username=DEMO_USERNAME, defaults={"email": "demo@example.com"})
        user.is_staff = user.is_superuser = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        self.stdout.write(f"-- demo staff login: {DEMO_USERNAME} / {DEMO_PASSWORD} (DEBUG only)")


def _decimal_price(fields: dict) -> dict:
    return {**fields, "price": Decimal(fields["price"])}


def seed_bookings(hotels: list, apartments: list) -> list:
    start = today() + datetime.timedelta(days=1)
    guests = iter(GUESTS * 20)
    made = []

    def book(place, first: int, nights: int, party: int = 1):
        booking = booking_services.create_booking(
            accommodation_id=place.pk,
            start_date=start + datetime.timedelta(days=first),
            end_date=start + datetime.timedelta(days=first + nights),
            guest_name=next(guests),
            guests=party,
        )
        made.append(booking)
        return booking

    loft, terrace, studio, family, boat = apartments
    for first in (0, 3, 6, 9):  # back to back: each check-out day is the next check-in
        book(loft, first, 3)
    book(loft, 20, 7)
    for first, nights, party in ((2, 5, 4), (7, 2, 2), (30, 14, 3), (60, 7, 1)):
        book(terrace, first, nights, party)
    book(studio, 5, 2, 2)
    book(family, 45, 10, 6)
    book(boat, 10, 4, 3)
    spree, fado, ring, canal = hotels
    for _ in range(3):  # Spreeblick full on nights 14-16: nextAvailableDate skips them
        book(spree, 14, 3)
    book(spree, 40, 2)
    book(fado, 7, 4)
    book(fado, 8, 2)  # both rooms taken on nights 8-9
    for offset in (0, 30, 90):
        book(ring, offset, 3, 3)
    book(canal, 100, 5)
    cancelled = book(canal, 21, 2)
    booking_services.cancel_booking(booking_id=cancelled.pk)
    return made


def seed_prices(places: list) -> None:
    """Fridays and Saturdays 25 % dearer for half a year on every default plan, and beside it a
    non-refundable plan 10 % below (derived: it follows every later change of the standard one)."""
    first, last = today(), today() + datetime.timedelta(days=183)
    for place in places:
        standard = RatePlan.objects.get(accommodation=place, is_default=True)
        weekend = (place.price * Decimal("1.25")).quantize(Decimal("1"))
        catalog_services.set_rates(rate_plan_id=standard.pk, start=first, end=last, weekdays=[5, 6], price=weekend)
        catalog_services.create_rate_plan(
            accommodation_id=place.pk, code=NON_REFUNDABLE_CODE, name="Non-refundable", parent_id=standard.pk,
            adjustment_percent=Decimal("-10"), refundable=False,
        )


def new_years_eve() -> datetime.date:
    eve = datetime.date(today().year, 12, 31)
    return eve if eve > today() else eve.replace(year=eve.year + 1)


def seed_stay_rules(hotels: list, apartments: list) -> None:
    """After the bookings (rules bind new bookings only): arrivals from 30 December to 1 January
    stay three nights or more at Hotel Spreeblick (judged on the arrival day), and Loft Kreuzberg
    is closed for maintenance one day (stop-sell: no stay may include that night)."""
    spreeblick, loft = hotels[0], apartments[0]
    eve = new_years_eve()
    catalog_services.set_rates(
        rate_plan_id=RatePlan.objects.get(accommodation=spreeblick, is_default=True).pk,
        start=eve - datetime.timedelta(days=1), end=eve + datetime.timedelta(days=2), min_stay=3,
    )
    closed = today() + datetime.timedelta(days=50)
    catalog_services.set_rates(
        rate_plan_id=RatePlan.objects.get(accommodation=loft, is_default=True).pk,
        start=closed, end=closed + datetime.timedelta(days=1), stop_sell=True,
    )


def seed_voice_note(booking):
    """A note made from a shipped recording, transcribed right away by the offline Whisper provider
    (the default without an AssemblyAI key: no key or network needed), so GraphiQL shows a transcript,
    its confidence and segment timings on the first query."""
    from voice.services.transcription import run_transcription
    from voice.services.uploads import add_voice_note
    from voice.transcribers import get_transcriber

    upload = SimpleUploadedFile("baby-cot.wav", DEMO_AUDIO.read_bytes(), content_type="audio/wav")
    note = add_voice_note(booking_id=booking.pk, upload=upload, author=None)
    run_transcription(note_id=note.pk, transcriber=get_transcriber("whisper"))
    note.refresh_from_db()
    return note
