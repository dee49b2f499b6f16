"""Print real answers for docs/availability.md on a throwaway database.

    .venv/bin/python docs/examples/availability_examples.py
"""
from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from _django import setup  # noqa: E402

setup("booking_graph_docs")

from django.test import Client  # noqa: E402

from bookings import services as booking_services  # noqa: E402
from bookings.models import Booking  # noqa: E402
from bookings.selectors import today  # noqa: E402
from catalog import services as catalog_services  # noqa: E402
from catalog.models import Accommodation  # noqa: E402


def reset() -> None:
    Booking.objects.all().delete()
    Accommodation.objects.all().delete()


def run(query: str) -> dict:
    response = Client(HTTP_HOST="localhost").post("/graphql/", {"query": query}, content_type="application/json")
    return response.json()


def main() -> None:
    reset()
    start = today() + datetime.timedelta(days=7)
    day = lambda n: start + datetime.timedelta(days=n)  # noqa: E731
    loft = catalog_services.create_apartment(name="Loft Alfama", location="Lisbon", price=120, bedrooms=1, max_guests=2)
    for begin, end in [(0, 2), (2, 4), (5, 6)]:  # back to back, then a one-night gap, then one night
        booking_services.create_booking(accommodation_id=loft.pk, start_date=day(begin), end_date=day(end), guest_name="Guest")
    hotel = catalog_services.create_hotel(name="Hotel Miradouro", location="Lisbon", price=90, rooms=2, stars=3)
    for _ in range(2):
        booking_services.create_booking(accommodation_id=hotel.pk, start_date=day(1), end_date=day(3), guest_name="Guest")

    print(f"Apartment {loft.pk} is booked for the nights {day(0)}..{day(4)} (two stays back to back) and {day(5)}.")
    print(f"Hotel {hotel.pk} has 2 rooms, both taken for the nights {day(1)} and {day(2)}.\n")
    query = f"""{{
  oneNight: nextAvailableDate(id: "{loft.pk}", date: "{day(0)}")
  twoNights: nextAvailableDate(id: "{loft.pk}", date: "{day(0)}", nights: 2)
  hotel: nextAvailableDate(id: "{hotel.pk}", date: "{day(1)}")
  accommodation(id: "{loft.pk}") {{
    name
    availability(start: "{day(3)}", end: "{day(7)}") {{ date available freeUnits }}
  }}
}}"""
    print(query)
    print(json.dumps(run(query), indent=2))
    bad = f'{{ availability(id: "{loft.pk}", start: "{day(3)}", end: "{day(3)}") {{ date }} }}'
    print("\n" + bad)
    print(json.dumps(run(bad), indent=2))
    reset()


if __name__ == "__main__":
    main()
