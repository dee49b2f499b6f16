"""createBooking with an idempotency key: a retry gets the first booking; the key with other fields is refused."""
from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from bookings import selectors, services
from bookings.models import Booking
from factories import make_booking
from concurrency import PARALLEL, run_copies


def book(place, day, *, key: str | None = "retry-1", **fields) -> Booking:
    """make_booking (days 10-12 by default) with this file's idempotency key; key=None: without one."""
    return make_booking(place, day, idempotency_key=key, **fields)


def error_codes(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return {field: [e.code for e in errors] for field, errors in caught.value.error_dict.items()}


@pytest.mark.django_db
class TestKeys:
    def test_the_same_key_and_fields_return_the_first_booking(self, make_hotel, day):
        hotel = make_hotel(rooms=5)
        first = book(hotel, day)

        again = book(hotel, day)

        assert again.pk == first.pk
        assert Booking.objects.count() == 1
        assert (first.replayed, again.replayed) == (False, True)  # what a metric of bookings made goes by

    def test_the_guest_name_is_compared_as_stored(self, make_hotel, day):
        hotel = make_hotel(rooms=5)
        first = book(hotel, day, guest_name="Ada")

        assert book(hotel, day, guest_name="  Ada ").pk == first.pk

    @pytest.mark.parametrize(
        "change",
        [
            {"start": 9},
            {"end": 13},
            {"guest_name": "Somebody Else"},
            {"guests": 2},
        ],
    )
    def test_the_same_key_with_other_fields_is_refused(self, make_hotel, day, change):
        hotel = make_hotel(rooms=5)
        book(hotel, day)

        assert error_codes(lambda: book(hotel, day, **change)) == {"idempotency_key": ["idempotency_key_reused"]}
        assert Booking.objects.count() == 1

    def test_the_same_key_at_another_place_is_refused(self, make_hotel, make_apartment, day):
        book(make_hotel(), day)

        assert error_codes(lambda: book(make_apartment(), day)) == {"idempotency_key": ["idempotency_key_reused"]}

    def test_another_key_books_again(self, make_hotel, day):
        hotel = make_hotel(rooms=5)
        first = book(hotel, day, key="a")

        assert book(hotel, day, key="b").pk != first.pk
        assert Booking.objects.count() == 2

    def test_without_a_key_every_request_books(self, make_hotel, day):
        hotel = make_hotel(rooms=5)
        book(hotel, day, key=None)
        book(hotel, day, key=None)

        assert Booking.objects.count() == 2

    def test_a_retry_after_midnight_still_gets_its_booking(self, make_hotel, day, monkeypatch):
        hotel = make_hotel()
        first = book(hotel, day, start=0, end=2)
        monkeypatch.setattr(selectors, "today", lambda: day(1))  # the check-in day is now in the past

        assert book(hotel, day, start=0, end=2).pk == first.pk

    def test_a_retry_finds_the_booking_even_if_it_was_cancelled_or_moved(self, make_hotel, day):
        hotel = make_hotel()
        first = book(hotel, day)
        services.update_booking(booking_id=first.pk, end_date=day(14))
        services.cancel_booking(booking_id=first.pk)

        again = book(hotel, day)

        assert again.pk == first.pk
        assert (again.end_date, again.status) == (day(14), "CANCELLED")

    def test_a_refused_request_does_not_use_up_its_key(self, make_apartment, day):
        apartment = make_apartment()
        blocker = book(apartment, day, key=None)
        assert error_codes(lambda: book(apartment, day)) == {"start_date": ["booking_overlap"]}
        services.cancel_booking(booking_id=blocker.pk)

        assert book(apartment, day).is_confirmed

    @pytest.mark.parametrize("key", ["", "   "])
    def test_a_blank_key_is_refused(self, make_hotel, day, key):
        assert error_codes(lambda: book(make_hotel(), day, key=key)) == {"idempotency_key": ["blank"]}

    def test_keys_up_to_255_characters(self, make_hotel, day):
        hotel = make_hotel()
        assert book(hotel, day, key="k" * 255).idempotency_key == "k" * 255
        assert error_codes(lambda: book(hotel, day, key="k" * 256)) == {"idempotency_key": ["max_length"]}

    def test_the_database_holds_one_booking_per_key(self, make_hotel, day):
        hotel = make_hotel()
        book(hotel, day, key="dup")
        with pytest.raises(IntegrityError, match="booking_idempotency_key_unique"), transaction.atomic():
            Booking.objects.create(
                accommodation=hotel, start_date=day(1), end_date=day(2), guest_name="X", total_price=0,
                exclusive=False, idempotency_key="dup",
            )


@pytest.mark.django_db(transaction=True)
class TestParallelRetries:
    def test_twenty_parallel_requests_with_one_key_give_one_booking(self, make_hotel, day):
        hotel = make_hotel(rooms=10)

        outcomes = run_copies(lambda: book(hotel, day, key="parallel"))

        assert all(isinstance(outcome, Booking) for outcome in outcomes), outcomes
        assert len({outcome.pk for outcome in outcomes}) == 1
        assert Booking.objects.count() == 1

    def test_one_key_raced_at_different_places_books_once(self, make_hotel, day):
        """Different places take different locks: only the unique key can settle this race."""
        hotels = [make_hotel(name=f"Hotel {n}") for n in range(PARALLEL)]
        places = iter(hotels)

        def attempt():
            return book(next(places), day, key="contested")

        outcomes = run_copies(attempt)

        kinds = Counter(
            "booked" if isinstance(o, Booking) else next(iter(o.error_dict.values()))[0].code for o in outcomes
        )
        assert kinds == Counter({"booked": 1, "idempotency_key_reused": PARALLEL - 1})
        assert Booking.objects.count() == 1

    def test_twenty_parallel_graphql_requests_with_one_key_give_one_booking(self, make_hotel, day):
        hotel = make_hotel(rooms=10)
        query = """mutation($d: BookingInput!) { createBooking(data: $d) {
            __typename ... on Booking { id } ... on OperationInfo { messages { code } } } }"""
        data = {
            "accommodation": str(hotel.pk), "startDate": str(day(3)), "endDate": str(day(5)),
            "guestName": "Web retry", "guests": 2, "idempotencyKey": "web-retry-7f3a",
        }

        def post():
            response = Client().post(
                "/graphql/", {"query": query, "variables": {"d": data}}, content_type="application/json"
            )
            return response.status_code, response.json()["data"]["createBooking"]

        outcomes = run_copies(post)

        assert all(status == 200 for status, _ in outcomes)
        assert {answer["__typename"] for _, answer in outcomes} == {"Booking"}
        assert len({answer["id"] for _, answer in outcomes}) == 1
        assert Booking.objects.count() == 1
        assert Booking.objects.get().guests == 2
