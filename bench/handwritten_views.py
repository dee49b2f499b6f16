"""The yardstick for bench/graphql_overhead.py: plain Django views returning, as
`JsonResponse`, exactly the JSON the GraphQL requests return, with the queries a
Django developer would write by hand (select_related / prefetch_related, one
statement for the bookings of a whole page). Not part of the application.

They share nothing with the application's read paths on purpose: the bench
checks that both sides return the same JSON, so these views are also a second,
independent implementation of the availability rules.
"""
from __future__ import annotations

import datetime
from collections import defaultdict

from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from catalog.models import Accommodation

ONE_DAY = datetime.timedelta(days=1)


def _page(request: HttpRequest):
    limit = int(request.GET.get("limit", 20))
    return Accommodation.objects.select_related("hotel", "apartment").order_by("id")[:limit]


def _capacity(place: Accommodation) -> int:
    return place.hotel.rooms if place.is_hotel else 1


def _place_json(place: Accommodation) -> dict:
    row = {
        "__typename": "Hotel" if place.is_hotel else "Apartment",
        "id": str(place.pk),
        "kind": place.kind,
        "name": place.name,
        "description": place.description,
        "price": str(place.price),
        "location": place.location,
        "createdAt": place.created_at.isoformat(),
        "updatedAt": place.updated_at.isoformat(),
    }
    if place.is_hotel:
        row |= {"rooms": place.hotel.rooms, "stars": place.hotel.stars}
    else:
        row |= {"bedrooms": place.apartment.bedrooms, "maxGuests": place.apartment.max_guests}
    return row


def catalog_page(request: HttpRequest) -> JsonResponse:
    """One statement: the page with both child tables joined."""
    return JsonResponse({"data": {"accommodations": [_place_json(place) for place in _page(request)]}})


def _voice_note_json(request: HttpRequest, note) -> dict:
    return {
        "id": str(note.pk),
        "status": note.status,
        "transcript": note.transcript,
        "confidence": note.confidence,
        "language": note.language,
        "durationSeconds": note.duration_seconds,
        "contentType": note.content_type,
        "sizeBytes": note.size_bytes,
        "originalFilename": note.original_filename,
        "audioUrl": request.build_absolute_uri(f"/voice-notes/{note.pk}/audio/"),
        "createdAt": note.created_at.isoformat(),
        "transcribedAt": note.transcribed_at.isoformat() if note.transcribed_at else None,
    }


def staff_page(request: HttpRequest) -> JsonResponse:
    """Three statements: the page, its bookings, their voice notes."""
    if not request.user.is_staff:
        return JsonResponse({"error": "staff only"}, status=403)
    places = _page(request).prefetch_related("bookings__voice_notes")
    rows = []
    for place in places:
        row = _place_json(place)
        row["bookings"] = [
            {
                "id": str(booking.pk),
                "startDate": booking.start_date.isoformat(),
                "endDate": booking.end_date.isoformat(),
                "nights": (booking.end_date - booking.start_date).days,
                "guestName": booking.guest_name,
                "status": booking.status,
                "createdAt": booking.created_at.isoformat(),
                "voiceNotes": [_voice_note_json(request, note) for note in booking.voice_notes.all()],
            }
            for booking in place.bookings.all()
        ]
        rows.append(row)
    return JsonResponse({"data": {"accommodations": rows}})


def _stays_by_place(places, **filters) -> dict[int, list[tuple[datetime.date, datetime.date]]]:
    """One statement for the confirmed stays of every place on the page."""
    stays = defaultdict(list)
    for place_id, start, end in Booking.objects.filter(
        accommodation_id__in=[p.pk for p in places], status=BookingStatus.CONFIRMED, **filters
    ).values_list("accommodation_id", "start_date", "end_date"):
        stays[place_id].append((start, end))
    return stays


def _first_free_run(stays, capacity: int, start: datetime.date, nights: int) -> datetime.date:
    """Sweep the occupancy changes from `start` on; the first run of >= nights free nights."""
    changes: dict[datetime.date, int] = defaultdict(int)
    changes[start] += 0
    for first, end in stays:
        changes[max(first, start)] += 1
        changes[end] -= 1
    level, run_start = 0, None
    for day in sorted(changes):
        if run_start is not None and (day - run_start).days >= nights:
            return run_start
        level += changes[day]
        if level < capacity:
            run_start = run_start or day
        else:
            run_start = None
    return run_start


def next_available_dates(request: HttpRequest) -> JsonResponse:
    """Two statements: the page (with capacities), every future stay of its places."""
    date = datetime.date.fromisoformat(request.GET["date"])
    nights = int(request.GET.get("nights", 1))
    start = max(date, timezone.localdate())
    places = list(_page(request))
    stays = _stays_by_place(places, end_date__gt=start)
    rows = [
        {"id": str(p.pk), "nextAvailableDate": _first_free_run(stays[p.pk], _capacity(p), start, nights).isoformat()}
        for p in places
    ]
    return JsonResponse({"data": {"accommodations": rows}})


def availabilities(request: HttpRequest) -> JsonResponse:
    """Two statements: the page (with capacities), the stays touching the window."""
    start = datetime.date.fromisoformat(request.GET["start"])
    end = datetime.date.fromisoformat(request.GET["end"])
    days = (end - start).days
    places = list(_page(request))
    stays = _stays_by_place(places, start_date__lt=end, end_date__gt=start)
    rows = []
    for place in places:
        used = [0] * days
        for first, last in stays[place.pk]:
            for n in range(max((first - start).days, 0), min((last - start).days, days)):
                used[n] += 1
        capacity = _capacity(place)
        calendar = []
        for n in range(days):
            free = max(capacity - used[n], 0)
            calendar.append({"date": (start + n * ONE_DAY).isoformat(), "available": free > 0, "freeUnits": free})
        rows.append({"id": str(place.pk), "availability": calendar})
    return JsonResponse({"data": {"accommodations": rows}})
