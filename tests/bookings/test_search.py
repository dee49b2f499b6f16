"""Stay search (the selector): the places a booking with these dates and guests would be accepted at.

The property test at the end is the reference: on random catalogs and bookings, the search
must answer exactly what calling the booking service on every accommodation answers."""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings, strategies as st

from bookings import selectors, services
from bookings.models import Booking
from catalog import services as catalog_services
from catalog.models import Accommodation
from factories import make_booking

pytestmark = pytest.mark.django_db


def search(day, start: int, end: int, **options) -> list[selectors.StayOffer]:
    return services.search_stays(check_in=day(start), check_out=day(end), limit=100, **options)


def names(offers) -> list[str]:
    return [offer.accommodation.name for offer in offers]


def error_codes(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return {field: [e.code for e in errors] for field, errors in caught.value.error_dict.items()}


class TestRules:
    def test_an_offer_carries_nights_prices_and_free_units(self, make_hotel, day):
        hotel = make_hotel(rooms=3, price=Decimal("180.50"))
        make_booking(hotel, day, 10, 11)

        (offer,) = search(day, 10, 13, guests=2)

        assert offer.accommodation == hotel
        assert isinstance(offer.accommodation, type(hotel))  # the concrete kind, no extra query needed
        assert (offer.check_in, offer.check_out, offer.nights, offer.guests) == (day(10), day(13), 3, 2)
        assert (offer.nightly_price, offer.total_price) == (Decimal("180.50"), Decimal("541.50"))
        assert offer.free_units == 2

    def test_a_hotel_full_on_one_night_of_the_stay_is_left_out(self, make_hotel, day):
        full = make_hotel(name="Full on night 12", rooms=2)
        make_booking(full, day, 12, 13)
        make_booking(full, day, 11, 14)
        other = make_hotel(name="One room left", rooms=2)
        make_booking(other, day, 12, 13)

        assert names(search(day, 10, 15)) == ["One room left"]
        # The nights around the full one are fine on their own.
        assert set(names(search(day, 10, 12))) == {"Full on night 12", "One room left"}
        assert set(names(search(day, 14, 15))) == {"Full on night 12", "One room left"}

    def test_free_units_count_the_fullest_night(self, make_hotel, day):
        hotel = make_hotel(rooms=5)
        make_booking(hotel, day, 10, 11)
        for _ in range(3):
            make_booking(hotel, day, 12, 13)

        assert [o.free_units for o in search(day, 10, 14)] == [2]

    def test_an_apartment_free_but_too_small_is_left_out(self, make_apartment, day):
        make_apartment(name="Studio", max_guests=2)
        make_apartment(name="Family flat", max_guests=5)

        assert names(search(day, 10, 12, guests=3)) == ["Family flat"]
        assert set(names(search(day, 10, 12, guests=2))) == {"Studio", "Family flat"}

    def test_a_hotel_room_too_small_is_left_out_however_many_rooms_are_free(self, make_hotel, day):
        make_hotel(name="Doubles", rooms=50, max_guests_per_room=2)
        make_hotel(name="Suites", rooms=1, max_guests_per_room=4)

        assert names(search(day, 10, 12, guests=3)) == ["Suites"]

    def test_an_apartment_booked_on_any_night_is_left_out(self, make_apartment, day):
        taken = make_apartment(name="Taken")
        make_booking(taken, day, 12, 13)
        make_apartment(name="Free")

        assert names(search(day, 10, 14)) == ["Free"]

    def test_the_check_out_day_is_free_for_the_next_check_in(self, make_apartment, day):
        apartment = make_apartment()
        make_booking(apartment, day, 8, 10)
        make_booking(apartment, day, 12, 14)

        (offer,) = search(day, 10, 12)
        assert offer.free_units == 1

    def test_back_to_back_stays_inside_the_window_share_a_room(self, make_hotel, day):
        hotel = make_hotel(rooms=2)
        make_booking(hotel, day, 10, 11)
        make_booking(hotel, day, 11, 12)  # checks in on the day the first checks out: one room is enough

        assert [o.free_units for o in search(day, 10, 12)] == [1]

    def test_cancelled_bookings_block_nothing(self, make_apartment, day):
        apartment = make_apartment()
        services.cancel_booking(booking_id=make_booking(apartment, day, 10, 12).pk)

        assert names(search(day, 10, 12)) == [apartment.name]

    def test_a_check_in_in_the_past_is_bookable_nowhere(self, make_apartment, day):
        make_apartment()

        assert search(day, -1, 2) == []
        assert len(search(day, 0, 2)) == 1  # today is fine

    def test_the_longest_allowed_stay(self, make_apartment, day, settings):
        make_apartment()

        assert len(search(day, 1, 1 + settings.BOOKING_MAX_NIGHTS)) == 1


class TestFiltersAndOrder:
    def test_location_is_a_case_insensitive_substring(self, make_hotel, make_apartment, day):
        make_hotel(name="A", location="Lisbon, Alfama")
        make_apartment(name="B", location="LISBOA")
        make_apartment(name="C", location="Porto")

        assert names(search(day, 10, 12, location="lisbo")) == ["B", "A"]  # B is cheaper
        assert names(search(day, 10, 12, location="ALFAMA")) == ["A"]
        assert names(search(day, 10, 12, location="")) == ["B", "C", "A"]

    def test_like_wildcards_in_the_location_are_plain_characters(self, make_hotel, day):
        make_hotel(name="Percent", location="100% Lisbon")
        make_hotel(name="Plain", location="100 Lisbon")

        assert names(search(day, 10, 12, location="0%")) == ["Percent"]
        assert names(search(day, 10, 12, location="1_0")) == []

    def test_kind_and_max_nightly_price(self, make_hotel, make_apartment, day):
        make_hotel(name="Hotel 180", price=Decimal("180.00"))
        make_hotel(name="Hotel 90", price=Decimal("90.00"))
        make_apartment(name="Flat 95", price=Decimal("95.00"))

        assert names(search(day, 10, 12, kind="HOTEL")) == ["Hotel 90", "Hotel 180"]
        assert names(search(day, 10, 12, kind="APARTMENT")) == ["Flat 95"]
        assert names(search(day, 10, 12, max_nightly_price=Decimal("95.00"))) == ["Hotel 90", "Flat 95"]
        assert names(search(day, 10, 12, max_nightly_price=Decimal("89.99"))) == []

    def test_cheapest_first_then_by_id(self, make_hotel, make_apartment, day):
        first = make_apartment(name="Same price, older", price=Decimal("100"))
        make_hotel(name="Cheaper", price=Decimal("99.99"))
        make_hotel(name="Same price, newer", price=Decimal("100"))
        assert first.pk < Accommodation.objects.get(name="Same price, newer").pk

        assert names(search(day, 10, 12)) == ["Cheaper", "Same price, older", "Same price, newer"]

    def test_pages(self, make_apartment, day):
        for n in range(5):
            make_apartment(name=f"Flat {n}", price=Decimal(100 + n))
        make_booking(Accommodation.objects.get(name="Flat 1"), day, 10, 11)  # taken: pages skip it

        def page(offset: int, limit: int) -> list[str]:
            return names(services.search_stays(check_in=day(10), check_out=day(12), offset=offset, limit=limit))

        assert page(0, 2) == ["Flat 0", "Flat 2"]
        assert page(2, 2) == ["Flat 3", "Flat 4"]
        assert page(4, 2) == []
        assert page(0, 0) == []


class TestBadInput:
    @pytest.mark.parametrize(("start", "end"), [(12, 10), (10, 10)])
    def test_reversed_or_empty_range(self, day, start, end):
        assert error_codes(lambda: search(day, start, end)) == {"check_out": ["invalid_date_range"]}

    def test_stay_too_long(self, day, settings):
        assert error_codes(lambda: search(day, 1, 2 + settings.BOOKING_MAX_NIGHTS)) == {"check_out": ["stay_too_long"]}

    @pytest.mark.parametrize("guests", [0, -3])
    def test_fewer_than_one_guest(self, day, guests):
        assert error_codes(lambda: search(day, 1, 2, guests=guests)) == {"guests": ["invalid_guests"]}

    @pytest.mark.parametrize("price", ["NaN", "Infinity", "-Infinity", "sNaN"])
    def test_a_max_price_that_is_not_a_number(self, day, price):
        assert error_codes(lambda: search(day, 1, 2, max_nightly_price=Decimal(price))) == {
            "max_nightly_price": ["invalid"]
        }


def test_two_sql_statements_whatever_the_number_of_places_and_bookings(make_hotel, make_apartment, day):
    def statements() -> int:
        with CaptureQueriesContext(connection) as captured:
            offers = search(day, 10, 13, guests=2, location="lis")
        assert offers
        return len(captured.captured_queries)

    def grow(count: int) -> None:
        for n in range(count):
            if n % 2:
                place = make_hotel(name=f"P{n}", location="Lisbon", rooms=3)
            else:
                place = make_apartment(name=f"P{n}", location="Lisbon", max_guests=3)
            for start in (8, 11, 14):
                make_booking(place, day, start, start + 2)

    grow(4)
    few = statements()
    grow(40)

    assert statements() == few == 2  # the page of offers, then its Hotel/Apartment rows


def test_the_stays_are_read_through_the_range_gist_index(make_hotel, day):
    """The search's occupancy read uses booking_active_range_gist, not a scan of every booking."""
    hotels = [make_hotel(name=f"H{n}") for n in range(30)]
    Booking.objects.bulk_create(
        Booking(accommodation=hotel, start_date=day(start), end_date=day(start + 2), guest_name="G",
                total_price=0, exclusive=False)
        for hotel in hotels for start in range(2, 40, 3)
    )
    with CaptureQueriesContext(connection) as captured:
        search(day, 10, 12)
    search_sql = captured.captured_queries[0]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE bookings_booking")
        cursor.execute("SET LOCAL enable_seqscan = off")  # tiny tables: make the planner show its index choice
        cursor.execute("EXPLAIN " + search_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "booking_active_range_gist" in plan, plan


# --- The oracle: the booking service on every accommodation -------------------------------------

CITIES = ["Lisbon", "Porto", "Berlin"]

place_strategy = st.one_of(
    st.fixed_dictionaries({
        "kind": st.just("HOTEL"),
        "rooms": st.integers(1, 3),
        "max_guests_per_room": st.integers(1, 3),
        "price": st.integers(0, 4),
        "city": st.sampled_from(CITIES),
    }),
    st.fixed_dictionaries({
        "kind": st.just("APARTMENT"),
        "max_guests": st.integers(1, 4),
        "price": st.integers(0, 4),
        "city": st.sampled_from(CITIES),
    }),
)
stay_strategy = st.tuples(
    st.integers(0, 12),  # check-in offset from today: a short span, so stays meet and overlap often
    st.integers(1, 4),  # nights
    st.integers(1, 3),  # guests
    st.booleans(),  # cancelled afterwards
)


def accepted_by_the_service(place: Accommodation, check_in, check_out, guests: int) -> int:
    """How many bookings create_booking would accept in a row (0 = the place is not offered)."""
    accepted = 0
    with transaction.atomic():
        while True:
            try:
                with transaction.atomic():
                    services.create_booking(
                        accommodation_id=place.pk, start_date=check_in, end_date=check_out,
                        guest_name="Oracle", guests=guests,
                    )
            except ValidationError:
                break
            accepted += 1
        transaction.set_rollback(True)  # the oracle leaves no trace
    return accepted


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    places=st.lists(place_strategy, min_size=1, max_size=6),
    stays=st.lists(st.tuples(st.integers(0, 5), stay_strategy), max_size=25),
    query=st.fixed_dictionaries({
        "start": st.integers(-2, 12),
        "nights": st.integers(1, 6),
        "guests": st.integers(1, 4),
        "location": st.one_of(st.none(), st.sampled_from(["lis", "PORTO", "o", "x"])),
        "kind": st.one_of(st.none(), st.sampled_from(["HOTEL", "APARTMENT"])),
        "max_price": st.one_of(st.none(), st.integers(0, 4)),
    }),
)
def test_search_answers_what_the_booking_service_would_accept(db, places, stays, query):
    today = selectors.today()
    check_in = today + datetime.timedelta(days=query["start"])
    check_out = check_in + datetime.timedelta(days=query["nights"])
    with transaction.atomic():
        made = []
        for n, spec in enumerate(places):
            common = {"name": f"P{n}", "location": spec["city"], "price": Decimal(spec["price"] * 25)}
            if spec["kind"] == "HOTEL":
                made.append(catalog_services.create_hotel(
                    rooms=spec["rooms"], max_guests_per_room=spec["max_guests_per_room"], **common
                ))
            else:
                made.append(catalog_services.create_apartment(bedrooms=1, max_guests=spec["max_guests"], **common))
        for index, (start, nights, guests, cancel) in stays:
            place = made[index % len(made)]
            try:
                with transaction.atomic():
                    booking = services.create_booking(
                        accommodation_id=place.pk, start_date=today + datetime.timedelta(days=start),
                        end_date=today + datetime.timedelta(days=start + nights), guest_name="G", guests=guests,
                    )
            except ValidationError:
                continue  # full or too small: the data is whatever the rules let through
            if cancel:
                services.cancel_booking(booking_id=booking.pk)

        max_price = None if query["max_price"] is None else Decimal(query["max_price"] * 25)
        found = services.search_stays(
            check_in=check_in, check_out=check_out, guests=query["guests"], location=query["location"],
            kind=query["kind"], max_nightly_price=max_price, limit=100,
        )

        expected = []
        for place in made:
            if query["location"] and query["location"].lower() not in place.location.lower():
                continue
            if query["kind"] and place.kind != query["kind"]:
                continue
            if max_price is not None and place.price > max_price:
                continue
            free = accepted_by_the_service(place, check_in, check_out, query["guests"])
            if free:
                expected.append((place.price * query["nights"], place.pk, free))
        transaction.set_rollback(True)

    assert [(o.total_price, o.accommodation.pk, o.free_units) for o in found] == sorted(expected)
