"""Real parallel transactions: threads with their own connections, released together."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from bookings import services
from bookings.models import Booking, BookingStatus
from concurrency import PARALLEL, run_copies

pytestmark = pytest.mark.django_db(transaction=True)

def outcome_kinds(outcomes: list) -> Counter:
    def kind(outcome) -> str:
        if isinstance(outcome, Booking):
            return "booked"
        if isinstance(outcome, ValidationError):
            return next(iter(outcome.error_dict.values()))[0].code
        return repr(outcome)

    return Counter(kind(o) for o in outcomes)


def test_twenty_identical_requests_on_an_apartment_give_one_booking(make_apartment, day):
    apartment = make_apartment()

    outcomes = run_copies(
        lambda: services.create_booking(
            accommodation_id=apartment.pk, start_date=day(10), end_date=day(12), guest_name="Racer"
        )
    )

    assert outcome_kinds(outcomes) == Counter({"booked": 1, "booking_overlap": PARALLEL - 1})
    assert Booking.objects.filter(accommodation=apartment, status=BookingStatus.CONFIRMED).count() == 1


def test_twenty_identical_requests_on_a_three_room_hotel_give_three(make_hotel, day):
    hotel = make_hotel(rooms=3)

    outcomes = run_copies(
        lambda: services.create_booking(
            accommodation_id=hotel.pk, start_date=day(10), end_date=day(12), guest_name="Racer"
        )
    )

    assert outcome_kinds(outcomes) == Counter({"booked": 3, "no_rooms_available": PARALLEL - 3})
    assert Booking.objects.filter(accommodation=hotel).count() == 3


def test_overlapping_but_different_requests_on_a_hotel_never_overbook_a_night(make_hotel, day):
    hotel = make_hotel(rooms=2)
    shapes = [(10 + n % 4, 12 + n % 5) for n in range(PARALLEL)]
    shapes_iter = iter(shapes)
    lock = threading.Lock()

    def next_shape():
        with lock:
            return next(shapes_iter)

    def attempt():
        start, end = next_shape()
        return services.create_booking(
            accommodation_id=hotel.pk, start_date=day(start), end_date=day(end), guest_name="Racer"
        )

    run_copies(attempt)

    from bookings.selectors import peak_occupancy

    assert peak_occupancy(accommodation_id=hotel.pk, start=day(0), end=day(30)) <= 2
    assert Booking.objects.filter(accommodation=hotel).count() >= 2


def test_twenty_parallel_graphql_requests_give_one_booking(make_apartment, day):
    apartment = make_apartment()
    query = """mutation($a: ID!, $s: Date!, $e: Date!) {
      createBooking(data: {accommodation: $a, startDate: $s, endDate: $e, guestName: "Web racer"}) {
        __typename ... on OperationInfo { messages { code } } } }"""
    variables = {"a": str(apartment.pk), "s": str(day(3)), "e": str(day(4))}

    def post():
        response = Client().post("/graphql/", {"query": query, "variables": variables}, content_type="application/json")
        return response.status_code, response.json()["data"]["createBooking"]

    outcomes = run_copies(post)

    assert all(status == 200 for status, _ in outcomes)
    typenames = Counter(answer["__typename"] for _, answer in outcomes)
    assert typenames == Counter({"Booking": 1, "OperationInfo": PARALLEL - 1})
    assert {answer["messages"][0]["code"] for _, answer in outcomes if answer["__typename"] == "OperationInfo"} == {
        "booking_overlap"
    }
    assert Booking.objects.filter(accommodation=apartment).count() == 1


@pytest.mark.parametrize("round_", range(5))  # a race: several rounds make a regression show reliably
def test_lowering_rooms_while_bookings_race_never_leaves_a_night_overbooked(make_hotel, day, round_):
    from catalog import services as catalog_services

    hotel = make_hotel(rooms=3, name=f"Race {round_}")
    count = 10

    def attempt(index: int):
        if index == 0:
            return catalog_services.update_hotel(hotel_id=hotel.pk, rooms=1)
        return services.create_booking(accommodation_id=hotel.pk, start_date=day(5), end_date=day(6), guest_name="R")

    indexes = iter(range(count))
    lock = threading.Lock()

    def task():
        with lock:
            index = next(indexes)
        return attempt(index)

    run_copies(task, count)

    hotel.refresh_from_db()
    booked = Booking.objects.filter(accommodation=hotel, status=BookingStatus.CONFIRMED).count()
    assert booked <= hotel.rooms
