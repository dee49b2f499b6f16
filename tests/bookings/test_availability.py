"""nextAvailableDate and availability: table-driven cases, a brute-force oracle, query counts."""
from __future__ import annotations

import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings import selectors, services
from bookings.models import Booking, BookingStatus

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)


def add(place, day, start: int, end: int, *, cancelled: bool = False) -> Booking:
    """Rows straight through the ORM: tests here set up states, the rules are tested elsewhere."""
    return Booking.objects.create(
        accommodation=place, start_date=day(start), end_date=day(end), guest_name="Guest",
        total_price=0, exclusive=place.is_apartment, status=BookingStatus.CANCELLED if cancelled else BookingStatus.CONFIRMED,
    )


# (existing stays as (start, end, cancelled?), query day, nights, expected day) for an apartment.
APARTMENT_CASES = [
    pytest.param([], 5, 1, 5, id="no-bookings"),
    pytest.param([(10, 14)], 5, 1, 5, id="free-date"),
    pytest.param([(10, 14)], 10, 1, 14, id="on-check-in-day"),
    pytest.param([(10, 14)], 12, 1, 14, id="inside-a-booking"),
    pytest.param([(10, 14)], 14, 1, 14, id="on-check-out-day"),
    pytest.param([(10, 12), (12, 15), (15, 20)], 11, 1, 20, id="chained-back-to-back"),
    pytest.param([(10, 12), (13, 20)], 10, 1, 12, id="one-night-gap-fits-one-night"),
    pytest.param([(10, 12), (13, 20)], 10, 2, 20, id="gap-shorter-than-nights"),
    pytest.param([(10, 12), (15, 20)], 10, 3, 12, id="gap-exactly-nights"),
    pytest.param([(10, 12), (14, 20)], 8, 3, 20, id="before-first-too-short-then-gap-too-short"),
    pytest.param([(10, 12)], 7, 3, 7, id="fits-before-a-booking"),
    pytest.param([(10, 14, True)], 11, 1, 11, id="cancelled-ignored"),
    pytest.param([(0, 3)], -5, 1, 3, id="past-date-answers-from-today"),
    pytest.param([(2, 5)], -5, 1, 0, id="past-date-free-today"),
]


@pytest.mark.parametrize(("stays", "date", "nights", "expected"), APARTMENT_CASES)
def test_next_available_date_for_an_apartment(make_apartment, day, stays, date, nights, expected):
    apartment = make_apartment()
    for stay in stays:
        add(apartment, day, stay[0], stay[1], cancelled=len(stay) == 3)

    assert selectors.next_available_date(accommodation=apartment, date=day(date), nights=nights) == day(expected)


HOTEL_CASES = [
    pytest.param(2, [(10, 14)], 10, 1, 10, id="partly-occupied"),
    pytest.param(2, [(10, 14), (10, 12)], 10, 1, 12, id="full-then-one-leaves"),
    pytest.param(2, [(10, 14), (11, 13)], 10, 1, 10, id="full-only-later"),
    pytest.param(2, [(10, 14), (11, 13)], 10, 2, 13, id="full-night-inside-wanted-stay"),
    pytest.param(1, [(10, 14)], 12, 1, 14, id="one-room"),
    pytest.param(3, [(10, 20), (10, 20), (12, 15, True), (12, 15)], 12, 1, 15, id="cancelled-frees-a-room"),
]


@pytest.mark.parametrize(("rooms", "stays", "date", "nights", "expected"), HOTEL_CASES)
def test_next_available_date_for_a_hotel(make_hotel, day, rooms, stays, date, nights, expected):
    hotel = make_hotel(rooms=rooms)
    for stay in stays:
        add(hotel, day, stay[0], stay[1], cancelled=len(stay) == 3)

    assert selectors.next_available_date(accommodation=hotel, date=day(date), nights=nights) == day(expected)


def test_availability_calendar_for_a_hotel(make_hotel, day):
    hotel = make_hotel(rooms=2)
    add(hotel, day, 10, 12)
    add(hotel, day, 11, 13)
    add(hotel, day, 11, 12, cancelled=True)

    calendar = selectors.availability(accommodation=hotel, start=day(9), end=day(14))

    assert [(d.date, d.free_units, d.available) for d in calendar] == [
        (day(9), 2, True), (day(10), 1, True), (day(11), 0, False), (day(12), 1, True), (day(13), 2, True),
    ]


def test_availability_calendar_for_an_apartment(make_apartment, day):
    apartment = make_apartment()
    add(apartment, day, 10, 12)

    calendar = selectors.availability(accommodation=apartment, start=day(9), end=day(13))

    assert [d.free_units for d in calendar] == [1, 0, 0, 1]


def oracle_next(stays: list[tuple[int, int]], capacity: int, date: int, nights: int) -> int:
    """Brute force: walk the days one by one."""
    def free(night: int) -> bool:
        return sum(start <= night < end for start, end in stays) < capacity

    day = max(date, 0)
    while not all(free(n) for n in range(day, day + nights)):
        day += 1
    return day


@pytest.mark.parametrize("seed", range(8))
def test_next_available_date_matches_a_brute_force_oracle(make_hotel, make_apartment, day, seed):
    rng = random.Random(seed)
    checked = 0
    for case in range(25):
        capacity = rng.choice([1, 1, 2, 3])
        place = make_apartment(name=f"A{seed}-{case}") if capacity == 1 and rng.random() < 0.5 else make_hotel(
            name=f"H{seed}-{case}", rooms=capacity
        )
        stays = []
        for _ in range(rng.randint(0, 12)):
            start = rng.randint(-5, 40)
            end = start + rng.randint(1, 6)
            overlapping = sum(1 for s, e in stays if s < end and start < e)
            if place.is_apartment and overlapping:
                continue  # an apartment cannot hold overlapping rows (the constraint forbids it)
            if any(sum(s <= n < e for s, e in stays) >= capacity for n in range(start, end)):
                continue  # keep the stored state valid for hotels too
            stays.append((start, end))
            add(place, day, start, end)
        for _ in range(4):
            date, nights = rng.randint(-3, 45), rng.randint(1, 5)
            expected = oracle_next(stays, 1 if place.is_apartment else capacity, date, nights)
            got = selectors.next_available_date(accommodation=place, date=day(date), nights=nights)
            assert got == day(expected), (stays, capacity, date, nights)
            checked += 1
    assert checked == 100


def bulk_bookings(place, day, count: int, nights: int) -> None:
    """`count` back-to-back stays of `nights` nights from today."""
    Booking.objects.bulk_create(
        Booking(accommodation=place, start_date=day(nights * n), end_date=day(nights * (n + 1)), guest_name="Bulk",
                total_price=0, exclusive=place.is_apartment)
        for n in range(count)
    )


def queries_for_next_available(place, day) -> int:
    with CaptureQueriesContext(connection) as captured:
        selectors.next_available_date(accommodation=place, date=day(0), nights=2)
    return len(captured)


@pytest.mark.parametrize(
    ("small_nights", "large_nights", "expected_queries"),
    [
        pytest.param(30, 2, 2, id="answer-beyond-the-first-window"),  # 10 x 30 and 1,000 x 2 nights: 300 / 2,000 days
        pytest.param(1, 2, 2, id="mixed"),
    ],
)
def test_next_available_date_query_count_is_bounded(make_apartment, day, small_nights, large_nights, expected_queries):
    small, large = make_apartment(name="Small"), make_apartment(name="Large")
    bulk_bookings(small, day, 10, small_nights)
    bulk_bookings(large, day, 1000, large_nights)

    assert queries_for_next_available(small, day) <= expected_queries
    assert queries_for_next_available(large, day) == expected_queries
    assert selectors.next_available_date(accommodation=large, date=day(0)) == day(1000 * large_nights)


def test_next_available_date_query_count_is_the_same_for_10_and_1000_bookings(make_apartment, day):
    small, large = make_apartment(name="Small"), make_apartment(name="Large")
    bulk_bookings(small, day, 10, 30)
    bulk_bookings(large, day, 1000, 2)

    assert queries_for_next_available(small, day) == queries_for_next_available(large, day)


def test_graphql_query_count_is_the_same_for_10_and_1000_bookings(gql, make_apartment, day):
    small, large = make_apartment(name="Small"), make_apartment(name="Large")
    bulk_bookings(small, day, 10, 30)
    bulk_bookings(large, day, 1000, 2)
    query = "query($id: ID!, $d: Date!) { nextAvailableDate(id: $id, date: $d, nights: 3) }"

    counts = []
    for place in (small, large):
        with CaptureQueriesContext(connection) as captured:
            gql(query, {"id": place.pk, "d": str(day(0))}).data
        counts.append(len(captured))

    assert counts[0] == counts[1]


def test_answer_inside_the_first_window_needs_one_statement(make_apartment, day):
    apartment = make_apartment()
    bulk_bookings(apartment, day, 1000, 2)
    Booking.objects.filter(accommodation=apartment, start_date=day(10)).delete()  # a gap 10 days out

    assert queries_for_next_available(apartment, day) == 1
    assert selectors.next_available_date(accommodation=apartment, date=day(0), nights=2) == day(10)


def mixed_places(make_hotel, make_apartment, day, rng: random.Random) -> dict:
    """Places of both kinds and capacities with valid random stays (some cancelled, some far out,
    so that both statements of next_available_dates have places to answer), as {place: stays}."""
    places = {}
    for n in range(14):
        capacity = rng.choice([1, 2, 3])
        place = make_apartment(name=f"A{n}") if capacity == 1 and n % 2 else make_hotel(name=f"H{n}", rooms=capacity)
        stays = []
        far = n % 4 == 0  # booked solid for half a year: the answer lies past the first window
        candidates = [(s, s + 3) for s in range(0, 180, 3)] * capacity if far else [
            (s, s + rng.randint(1, 6)) for s in (rng.randint(-5, 40) for _ in range(rng.randint(0, 12)))
        ]
        for start, end in candidates:
            if any(sum(s <= night < e for s, e in stays) >= capacity for night in range(start, end)):
                continue
            cancelled = rng.random() < 0.1
            add(place, day, start, end, cancelled=cancelled)
            if not cancelled:
                stays.append((start, end))
        places[place] = stays
    return places


@pytest.mark.parametrize("seed", range(3))
def test_a_list_gets_the_answers_each_place_gets_alone(make_hotel, make_apartment, day, seed):
    rng = random.Random(seed)
    places = mixed_places(make_hotel, make_apartment, day, rng)
    for date, nights in ((rng.randint(-3, 45), rng.randint(1, 5)) for _ in range(4)):
        together = selectors.next_available_dates(accommodations=list(places), date=day(date), nights=nights)
        for place, stays in places.items():
            capacity = 1 if place.is_apartment else place.rooms
            alone = selectors.next_available_date(accommodation=place, date=day(date), nights=nights)
            assert together[place.pk] == alone == day(oracle_next(stays, capacity, date, nights)), (place, stays)

    start, end = day(-2), day(40)
    calendars = selectors.availabilities(accommodations=list(places), start=start, end=end)
    for place, stays in places.items():
        capacity = 1 if place.is_apartment else place.rooms
        expected = [capacity - sum(s <= n < e for s, e in stays) for n in range(-2, 40)]
        assert [d.free_units for d in calendars[place.pk]] == expected
        assert calendars[place.pk] == selectors.availability(accommodation=place, start=start, end=end)


def test_graphql_lists_answer_as_the_single_place_queries(gql, make_hotel, make_apartment, day):
    places = mixed_places(make_hotel, make_apartment, day, random.Random(7))
    window = f'start: "{day(3)}", end: "{day(20)}"'
    rows = gql(f'{{ accommodations(pagination: {{limit: 100}}) {{ id nextAvailableDate(date: "{day(3)}", nights: 2) '
               f'availability({window}) {{ date available freeUnits }} }} }}').data["accommodations"]

    assert len(rows) == len(places)
    for row in rows:
        alone = gql(f'{{ nextAvailableDate(id: "{row["id"]}", date: "{day(3)}", nights: 2) '
                    f'availability(id: "{row["id"]}", {window}) {{ date available freeUnits }} }}').data
        assert (row["nextAvailableDate"], row["availability"]) == (alone["nextAvailableDate"], alone["availability"])


def test_an_unknown_id_in_a_batch_does_not_disturb_the_others(make_apartment, day):
    place = make_apartment()
    add(place, day, 0, 3)
    ghost = make_apartment(name="Ghost")
    ghost_pk = ghost.pk
    ghost.delete()
    ghost.pk = ghost_pk

    answers = selectors.next_available_dates(accommodations=[place, ghost], date=day(0))

    assert answers[place.pk] == day(3)
