"""Holds under real parallel transactions (threads, each with its own connection): a live hold takes
the last unit exactly like a confirmed booking; a lapsed one blocks nobody, even before any sweep
and even under the apartments' exclusion constraint; confirming races the expiry sweep cleanly."""
from __future__ import annotations

import datetime
import threading
from collections import Counter

import pytest
from decimal import Decimal

from django.db import IntegrityError, connection, transaction

from bookings import selectors, services
from bookings.models import Booking, BookingRevision, BookingStatus
from factories import make_booking

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 8
EMAIL = "holder@example.com"


def hold(place, day, start=10, end=12, **extra):
    return make_booking(place, day, start, end, guest_name="Holder", guest_email=EMAIL, hold=True, **extra)


def taking_capacity(place) -> list[str]:
    return sorted(
        Booking.objects.filter(accommodation=place, status__in=[BookingStatus.HELD, BookingStatus.CONFIRMED])
        .values_list("status", flat=True)
    )


def history(booking) -> list[tuple[int, str, str]]:
    return list(BookingRevision.objects.filter(booking_id=booking.pk).order_by("sequence").values_list("sequence", "action", "actor"))


# --- (a) a hold on the last unit vs concurrent confirmed bookings -----------------------------------

def test_a_hold_racing_bookings_for_the_last_hotel_room_lets_exactly_one_win(make_hotel, day, parallel, outcome_counts):
    for round_ in range(3):  # a race: several rounds make a regression show
        hotel = make_hotel(rooms=2, name=f"Last room {round_}")
        make_booking(hotel, day, 9, 13, guest_name="Already here")  # one of the two rooms is taken on every night raced for

        tasks = [lambda: hold(hotel, day)] + [lambda: make_booking(hotel, day, guest_name="Racer")] * RACERS
        outcomes = parallel(tasks)

        assert outcome_counts(outcomes) == Counter({"booked": 1, "no_rooms_available": RACERS})
        assert len(taking_capacity(hotel)) == 2
        winner = next(o for o in outcomes if isinstance(o, Booking))
        if winner.status == BookingStatus.HELD:  # the hold won: it is live and holds its room
            assert winner.expires_at > selectors.now()


def test_a_hold_racing_bookings_for_an_apartment_lets_exactly_one_win(make_apartment, day, parallel, outcome_counts):
    for round_ in range(3):  # a race: several rounds make a regression show
        apartment = make_apartment(name=f"Only flat {round_}")

        racers = [lambda: make_booking(apartment, day, 11, 13, guest_name="Racer")] * RACERS
        tasks = [lambda: hold(apartment, day)] + racers
        outcomes = parallel(tasks)

        assert outcome_counts(outcomes) == Counter({"booked": 1, "booking_overlap": RACERS})
        assert len(taking_capacity(apartment)) == 1


@pytest.mark.parametrize("kind", ["hotel", "apartment"])
def test_a_live_hold_refuses_every_concurrent_booking(make_hotel, make_apartment, day, parallel, outcome_counts, kind):
    place = make_hotel(rooms=1) if kind == "hotel" else make_apartment()
    held = hold(place, day)

    outcomes = parallel([lambda: make_booking(place, day, 11, 12, guest_name="Racer")] * RACERS)

    code = "no_rooms_available" if kind == "hotel" else "booking_overlap"
    assert outcome_counts(outcomes) == Counter({code: RACERS})
    held.refresh_from_db()
    assert held.status == BookingStatus.HELD
    assert taking_capacity(place) == [BookingStatus.HELD]


def test_the_database_holds_a_live_hold_against_writes_that_skip_the_service(make_apartment, day):
    apartment = make_apartment()
    held = hold(apartment, day)

    with pytest.raises(IntegrityError, match="booking_apartment_no_overlap"), transaction.atomic():
        Booking.objects.create(
            accommodation=apartment, start_date=day(11), end_date=day(13), guest_name="Script",
            total_price=0, exclusive=True, status=BookingStatus.CONFIRMED,
        )
    assert taking_capacity(apartment) == [BookingStatus.HELD] and held.pk


# --- (b) the hold lapses (controlled clock): the room sells, the old hold cannot be confirmed ---------

@pytest.mark.parametrize("kind", ["hotel", "apartment"])
def test_after_the_hold_lapses_the_room_sells_and_confirming_the_old_hold_fails(
    make_hotel, make_apartment, day, clock, parallel, outcome_counts, code_of, kind
):
    place = make_hotel(rooms=1) if kind == "hotel" else make_apartment()
    held = hold(place, day)
    clock.set(held.expires_at)  # the expiry instant: from now on the hold holds nothing; no sweep ran

    confirm = lambda: services.confirm_booking(reference=held.reference, email=EMAIL)  # noqa: E731
    outcomes = parallel([confirm] + [lambda: make_booking(place, day, guest_name="Racer")] * RACERS)

    assert code_of(outcomes[0]) == "hold_expired"
    assert outcome_counts(outcomes[1:]) == Counter(
        {"booked": 1, ("no_rooms_available" if kind == "hotel" else "booking_overlap"): RACERS - 1}
    )
    held.refresh_from_db()
    assert held.status == BookingStatus.EXPIRED
    assert taking_capacity(place) == [BookingStatus.CONFIRMED]
    # Expired once, by the system, whichever transaction met the lapsed hold first.
    assert history(held) == [(1, "held", "system"), (2, "expired", "system")]


def test_a_refused_confirmation_still_commits_the_expiry(make_hotel, day, clock, code_of):
    hotel = make_hotel(rooms=1)
    held = hold(hotel, day)
    clock.advance(minutes=16)

    with pytest.raises(Exception) as refused:
        services.confirm_booking(reference=held.reference, email=EMAIL)
    assert code_of(refused.value) == "hold_expired"

    # Read from another connection: the EXPIRED mark and its revision were committed.
    seen = {}

    def read() -> None:
        try:
            row = Booking.objects.get(pk=held.pk)
            seen["status"], seen["history"] = row.status, history(row)
        finally:
            connection.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert seen == {"status": BookingStatus.EXPIRED, "history": [(1, "held", "system"), (2, "expired", "system")]}

    with pytest.raises(Exception) as again:  # and stays refused
        services.confirm_booking(reference=held.reference, email=EMAIL)
    assert code_of(again.value) == "hold_expired"
    assert len(history(held)) == 2


# --- (d) confirm vs the expiry sweep at the expiry instant ----------------------------------------

def test_confirm_racing_the_sweep_at_the_expiry_instant_ends_confirmed_or_expired_never_both(
    make_hotel, day, clock, parallel, code_of
):
    for round_ in range(8):  # a race: several rounds make a regression show
        hotel = make_hotel(rooms=1, name=f"Sweep race {round_}")
        held = hold(hotel, day)
        # The confirmation's clock reads the last microsecond of the hold; the sweep's the expiry itself.
        clock.per_thread["confirm"] = held.expires_at - datetime.timedelta(microseconds=1)
        clock.per_thread["sweep"] = held.expires_at
        clock.set(held.expires_at)

        confirmed, swept = parallel(
            [lambda: services.confirm_booking(reference=held.reference, email=EMAIL), services.expire_holds],
            names=["confirm", "sweep"],
        )

        held.refresh_from_db()
        actions = [action for _, action, _ in history(held)]
        assert [seq for seq, _, _ in history(held)] == list(range(1, len(actions) + 1))
        if held.status == BookingStatus.CONFIRMED:
            assert isinstance(confirmed, Booking) and swept == 0, (confirmed, swept)
            assert actions == ["held", "confirmed"]
            assert held.expires_at is None and held.confirmed_at is not None
        else:
            assert held.status == BookingStatus.EXPIRED
            assert code_of(confirmed) == "hold_expired" and swept == 1, (confirmed, swept)
            assert history(held) == [(1, "held", "system"), (2, "expired", "system")]
            assert held.confirmed_at is None


def test_confirm_and_two_sweeps_after_the_instant_expire_the_hold_once(make_hotel, day, clock, parallel, code_of):
    for round_ in range(3):  # a race: several rounds make a regression show
        hotel = make_hotel(rooms=1, name=f"Late {round_}")
        held = hold(hotel, day)
        clock.set(held.expires_at)

        outcomes = parallel(
            [lambda: services.confirm_booking(reference=held.reference, email=EMAIL), services.expire_holds, services.expire_holds]
        )

        assert code_of(outcomes[0]) == "hold_expired"
        assert sorted(outcomes[1:]) in ([0, 0], [0, 1])  # the confirmation or one sweep marked it
        held.refresh_from_db()
        assert held.status == BookingStatus.EXPIRED
        assert history(held) == [(1, "held", "system"), (2, "expired", "system")]


# --- (e) an apartment's lapsed, unswept hold never blocks a new booking ----------------------------

def test_a_lapsed_unswept_hold_never_blocks_an_apartment_and_is_expired_by_the_booking(
    make_apartment, day, clock, parallel, outcome_counts
):
    for round_ in range(3):  # a race: several rounds make a regression show
        apartment = make_apartment(name=f"Lapsed {round_}")
        held = hold(apartment, day)
        clock.advance(minutes=15, seconds=1)
        assert Booking.objects.get(pk=held.pk).status == BookingStatus.HELD  # no sweep has run

        # The periodic sweep runs at the same time: the hold is still expired exactly once.
        racers = [lambda: make_booking(apartment, day, 11, 13, guest_name="Racer")] * RACERS
        *outcomes, swept = parallel(racers + [services.expire_holds])

        # Without expiring the stale row first, the exclusion constraint would refuse every one of them.
        assert outcome_counts(outcomes) == Counter({"booked": 1, "booking_overlap": RACERS - 1})
        assert swept in (0, 1)
        held.refresh_from_db()
        assert held.status == BookingStatus.EXPIRED
        assert history(held) == [(1, "held", "system"), (2, "expired", "system")]
        assert taking_capacity(apartment) == [BookingStatus.CONFIRMED]


def test_the_expiry_belongs_to_the_booking_that_met_the_hold(make_apartment, day, clock, code_of):
    """Same transaction: a booking refused after meeting the lapsed hold leaves it as it was."""
    apartment = make_apartment(price=100)
    held = hold(apartment, day)
    clock.advance(minutes=20)

    with pytest.raises(services.PriceChanged):
        services.create_booking(
            accommodation_id=apartment.pk, start_date=day(10), end_date=day(12), guest_name="Late",
            expected_total_price=Decimal("1.00"),
        )
    assert Booking.objects.get(pk=held.pk).status == BookingStatus.HELD
    assert len(history(held)) == 1

    booked = make_booking(apartment, day, guest_name="Racer")
    assert booked.status == BookingStatus.CONFIRMED
    revision = BookingRevision.objects.get(booking=held, action="expired")
    assert revision.at == clock.moment == booked.confirmed_at
