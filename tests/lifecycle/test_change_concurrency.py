"""changeBooking under real parallel transactions: a booking moving onto the last free nights races a
new booking for them (exactly one gets them), and while a change is in flight its old nights are
never free to anyone else: a third booking waits for it, and takes them only if the change commits."""
from __future__ import annotations

import threading
from collections import Counter
from decimal import Decimal

import pytest

from bookings import revisions, services
from bookings.models import Booking, BookingStatus

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "mover@example.com"


def place_of(kind, make_hotel, make_apartment, name):
    return make_hotel(rooms=1, name=name) if kind == "hotel" else make_apartment(name=name)


def full_code(kind: str) -> str:
    return "no_rooms_available" if kind == "hotel" else "booking_overlap"


def first_booking(place, day):
    return services.create_booking(
        accommodation_id=place.pk, start_date=day(10), end_date=day(12), guest_name="Mover", guest_email=EMAIL
    )


@pytest.mark.parametrize("kind", ["hotel", "apartment"])
def test_a_move_onto_the_last_free_nights_races_a_new_booking_and_exactly_one_gets_them(
    make_hotel, make_apartment, day, parallel, code_of, kind
):
    results = Counter()
    for round_ in range(4):  # a race: several rounds make a regression show
        place = place_of(kind, make_hotel, make_apartment, f"Move race {round_}")
        mover = first_booking(place, day)
        services.create_booking(accommodation_id=place.pk, start_date=day(12), end_date=day(20), guest_name="Middle")
        # Free: [20, 22). Both want exactly those nights; the guest by reference, the staff by id alternately.
        if round_ % 2:
            change = lambda: services.change_booking(reference=mover.reference, email=EMAIL, start_date=day(20), end_date=day(22))  # noqa: E731
        else:
            change = lambda: services.change_booking(booking_id=mover.pk, start_date=day(20), end_date=day(22), actor="staff:x")  # noqa: E731
        newcomer = lambda: services.create_booking(accommodation_id=place.pk, start_date=day(20), end_date=day(22), guest_name="New")  # noqa: E731

        moved, booked = parallel([change, newcomer])

        mover.refresh_from_db()
        on_free_nights = Booking.objects.filter(
            accommodation=place, status=BookingStatus.CONFIRMED, start_date__lt=day(22), end_date__gt=day(20)
        )
        assert on_free_nights.count() == 1
        if isinstance(moved, services.BookingChange):
            results["change"] += 1
            assert code_of(booked) == full_code(kind)
            assert (mover.start_date, mover.end_date) == (day(20), day(22))
            # The old nights are free again, for anyone.
            assert services.create_booking(accommodation_id=place.pk, start_date=day(10), end_date=day(12), guest_name="Next")
        else:
            results["booking"] += 1
            assert code_of(moved) == full_code(kind) and isinstance(booked, Booking)
            assert (mover.start_date, mover.end_date) == (day(10), day(12))
            assert [action for action in mover.revisions.values_list("action", flat=True)] == ["created"]
    assert sum(results.values()) == 4


class PausedChange:
    """Pauses change_booking in the thread named "changer" right after it wrote the moved booking
    (before its revision and commit), then lets it commit or fail."""

    def __init__(self, monkeypatch, *, fail: bool) -> None:
        self.written = threading.Event()
        self.go_on = threading.Event()
        self.fail = fail
        original = revisions.record

        def record(booking, **kwargs):
            if threading.current_thread().name == "changer" and kwargs.get("action") == revisions.Action.CHANGED:
                self.written.set()
                assert self.go_on.wait(20), "the test never released the change"
                if self.fail:
                    raise RuntimeError("the change fails after writing (e.g. the connection drops)")
            return original(booking, **kwargs)

        monkeypatch.setattr(revisions, "record", record)


@pytest.mark.parametrize("change_commits", [False, True], ids=["change-fails", "change-commits"])
@pytest.mark.parametrize("kind", ["hotel", "apartment"])
def test_while_a_change_is_in_flight_its_old_nights_are_free_to_nobody(
    make_hotel, make_apartment, day, monkeypatch, lock_waiters, code_of, kind, change_commits
):
    place = place_of(kind, make_hotel, make_apartment, "In flight")
    mover = first_booking(place, day)
    paused = PausedChange(monkeypatch, fail=not change_commits)
    outcomes: dict[str, object] = {}

    def run(name, task):
        def body():
            try:
                outcomes[name] = task()
            except BaseException as exc:  # noqa: BLE001
                outcomes[name] = exc
            finally:
                from django.db import connection

                connection.close()

        thread = threading.Thread(target=body, name=name, daemon=True)
        thread.start()
        return thread

    changer = run("changer", lambda: services.change_booking(booking_id=mover.pk, start_date=day(14), end_date=day(16)))
    assert paused.written.wait(20), "the change never reached its write"
    # The moved row is written but not committed: the old nights [10, 12) look free in it.
    third = run("third", lambda: services.create_booking(
        accommodation_id=place.pk, start_date=day(10), end_date=day(12), guest_name="Third"))
    assert lock_waiters(1), "the third booking did not wait for the change"
    assert "third" not in outcomes  # still waiting, not booked over the old nights
    paused.go_on.set()
    changer.join(30)
    third.join(30)
    assert not changer.is_alive() and not third.is_alive()

    mover.refresh_from_db()
    if change_commits:
        assert isinstance(outcomes["changer"], services.BookingChange)
        assert (mover.start_date, mover.end_date) == (day(14), day(16))
        assert isinstance(outcomes["third"], Booking)  # the old nights became free when the change committed
    else:
        assert isinstance(outcomes["changer"], RuntimeError)
        assert (mover.start_date, mover.end_date) == (day(10), day(12))
        assert code_of(outcomes["third"]) == full_code(kind)
        assert list(mover.revisions.values_list("action", flat=True)) == ["created"]
    capacity = Booking.objects.filter(accommodation=place, status=BookingStatus.CONFIRMED)
    assert capacity.filter(start_date__lt=day(12), end_date__gt=day(10)).count() == 1


def test_a_write_that_skips_the_service_waits_for_the_change_and_then_meets_the_old_nights(
    make_apartment, day, monkeypatch, lock_waiters
):
    """The exclusion constraint, not only the service's lock: an uncommitted move does not free
    the apartment's old nights for a raw insert either."""
    from django.db import IntegrityError, connection, transaction

    apartment = make_apartment()
    mover = first_booking(apartment, day)
    paused = PausedChange(monkeypatch, fail=True)
    outcome = {}

    def changer():
        try:
            services.change_booking(booking_id=mover.pk, start_date=day(14), end_date=day(16))
        except BaseException as exc:  # noqa: BLE001
            outcome["changer"] = exc
        finally:
            connection.close()

    def raw_insert():
        try:
            with transaction.atomic():
                Booking.objects.create(
                    accommodation=apartment, start_date=day(10), end_date=day(12), guest_name="Script",
                    total_price=Decimal("0"), exclusive=True, status=BookingStatus.CONFIRMED,
                )
            outcome["raw"] = "inserted"
        except IntegrityError as exc:
            outcome["raw"] = exc
        finally:
            connection.close()

    change_thread = threading.Thread(target=changer, name="changer", daemon=True)
    change_thread.start()
    assert paused.written.wait(20)
    raw_thread = threading.Thread(target=raw_insert, daemon=True)
    raw_thread.start()
    assert lock_waiters(1), "the raw insert did not wait for the uncommitted move"
    paused.go_on.set()
    change_thread.join(30)
    raw_thread.join(30)

    assert isinstance(outcome["changer"], RuntimeError)
    assert isinstance(outcome["raw"], IntegrityError) and "booking_apartment_no_overlap" in str(outcome["raw"])
    assert Booking.objects.filter(accommodation=apartment).count() == 1


def test_a_change_and_a_booking_of_its_old_nights_never_both_hold_them(make_apartment, day, parallel, code_of):
    """The guest moves away from [10, 12) while another guest books exactly those nights: the newcomer
    gets them only after the move, never while the mover still holds them."""
    for round_ in range(4):
        apartment = make_apartment(name=f"Swap {round_}")
        mover = first_booking(apartment, day)
        moved, booked = parallel([
            lambda: services.change_booking(reference=mover.reference, email=EMAIL, start_date=day(14), end_date=day(16)),
            lambda: services.create_booking(accommodation_id=apartment.pk, start_date=day(10), end_date=day(12), guest_name="N"),
        ])
        assert isinstance(moved, services.BookingChange), moved
        assert isinstance(booked, Booking) or code_of(booked) == "booking_overlap"
        confirmed = Booking.objects.filter(accommodation=apartment, status=BookingStatus.CONFIRMED)
        assert confirmed.filter(start_date__lt=day(12), end_date__gt=day(10)).count() == (1 if isinstance(booked, Booking) else 0)
