"""A booking's history: one revision per action with its actor, sequences 1..n per booking, personal
data only as "[personal data]", append-only for the ORM and for SQL written by hand (the trigger),
and a global id that only grows (what a partner feed pages by)."""
from __future__ import annotations

import json

import pytest
from django.db import DatabaseError, connection, transaction

from bookings import revisions, services
from bookings.models import Booking, BookingRevision, BookingStatus

pytestmark = pytest.mark.django_db

NAME, EMAIL = "Zoë Private-Name", "zoe.private@example.com"

BOOK = """
mutation($data: BookingInput!) { createBooking(data: $data) { __typename ... on Booking { id reference } } }"""
CONFIRM = """
mutation($r: String!, $e: String!) { confirmBooking(reference: $r, email: $e) { __typename } }"""
CHANGE = """
mutation($data: ChangeBookingInput!) { changeBooking(data: $data) { __typename } }"""
UPDATE = """
mutation($data: BookingPartialInput!) { updateBooking(data: $data) { __typename } }"""
CANCEL_STAFF = """mutation($id: ID!) { cancelBooking(id: $id) { __typename } }"""
HISTORY = """
query($id: ID!) { booking(id: $id) { history { sequence at actor action changes } } }"""


def rows(booking) -> list[tuple[int, str, str]]:
    return list(BookingRevision.objects.filter(booking_id=booking.pk).values_list("sequence", "action", "actor"))


def test_every_action_writes_one_revision_with_its_actor(gql, staff_gql, make_hotel, day, clock):
    hotel = make_hotel(rooms=3)
    data = {"accommodation": str(hotel.pk), "startDate": str(day(5)), "endDate": str(day(7)), "guestName": NAME,
            "guestEmail": EMAIL, "hold": True}
    held = gql(BOOK, {"data": data}).data["createBooking"]
    booking = Booking.objects.get(pk=held["id"])

    assert gql(CONFIRM, {"r": held["reference"], "e": EMAIL}).data["confirmBooking"]["__typename"] == "GuestBooking"
    assert gql(CHANGE, {"data": {"reference": held["reference"], "email": EMAIL, "endDate": str(day(8))}}).data[
        "changeBooking"]["__typename"] == "BookingChange"
    assert staff_gql(UPDATE, {"data": {"id": held["id"], "guests": 2, "guestName": "Another Private"}}).data[
        "updateBooking"]["__typename"] == "Booking"
    services.record_voice_note_added(booking_id=booking.pk, voice_note_id=4242, actor="staff:staff")
    assert staff_gql(CANCEL_STAFF, {"id": held["id"]}).data["cancelBooking"]["__typename"] == "Booking"
    services.anonymise_guest(booking_id=booking.pk)
    services.anonymise_guest(booking_id=booking.pk)  # idempotent: no second revision

    assert rows(booking) == [
        (1, "held", "guest"), (2, "confirmed", "guest"), (3, "changed", "guest"), (4, "changed", "staff:staff"),
        (5, "voice_note_added", "staff:staff"), (6, "cancelled", "staff:staff"), (7, "guest_data_erased", "system"),
    ]
    history = staff_gql(HISTORY, {"id": held["id"]}).data["booking"]["history"]
    assert [entry["sequence"] for entry in history] == list(range(1, 8))
    changes = [entry["changes"] for entry in history]
    assert changes[0]["status"] == [None, "HELD"] and changes[0]["guest_name"] == [None, "[personal data]"]
    assert changes[1]["status"] == ["HELD", "CONFIRMED"] and changes[1]["expires_at"][1] is None
    assert changes[2]["end_date"] == [str(day(7)), str(day(8))]
    assert changes[3]["guests"] == [1, 2] and changes[3]["guest_name"] == ["[personal data]", "[personal data]"]
    assert changes[4] == {"voice_note": [None, 4242]}
    assert changes[5]["status"] == ["CONFIRMED", "CANCELLED"] and changes[5]["cancellation_fee"] == [None, "0.00"]
    assert changes[6] == {"guest_name": ["[personal data]", "[personal data]"], "guest_email": ["[personal data]", None]}
    # The guest's name and e-mail were never copied into the history.
    text = json.dumps(list(BookingRevision.objects.values_list("changes", "actor", "action")))
    for secret in (NAME, EMAIL, "Another Private", "zoe.private"):
        assert secret not in text


def test_a_created_booking_and_a_system_expiry(make_hotel, day, clock):
    hotel = make_hotel(rooms=2)
    confirmed = services.create_booking(accommodation_id=hotel.pk, start_date=day(3), end_date=day(4), guest_name="A")
    held = services.create_booking(
        accommodation_id=hotel.pk, start_date=day(3), end_date=day(4), guest_name="B", guest_email="b@example.com", hold=True
    )
    clock.advance(minutes=15)

    assert services.expire_holds() == 1
    assert services.expire_holds() == 0

    assert rows(confirmed) == [(1, "created", "system")]
    assert rows(held) == [(1, "held", "system"), (2, "expired", "system")]
    expired = BookingRevision.objects.get(booking=held, action="expired")
    assert expired.changes == {"status": ["HELD", "EXPIRED"]}
    assert expired.at == clock.moment


def test_the_guest_cancelling_is_the_guest(gql, make_hotel, day):
    hotel = make_hotel()
    booking = services.create_booking(accommodation_id=hotel.pk, start_date=day(3), end_date=day(4), guest_name="A",
                                      guest_email="a@example.com")
    services.cancel_guest_booking(reference=booking.reference, email="a@example.com")

    assert rows(booking) == [(1, "created", "system"), (2, "cancelled", "guest")]


def test_sequences_count_per_booking_and_the_global_id_only_grows(make_hotel, day):
    hotel = make_hotel(rooms=5)
    first, second = (
        services.create_booking(accommodation_id=hotel.pk, start_date=day(3), end_date=day(4), guest_name=n, guest_email=f"{n}@example.com")
        for n in ("a", "b")
    )
    services.change_booking(booking_id=first.pk, guests=2)
    services.change_booking(booking_id=second.pk, guests=2)
    services.change_booking(booking_id=first.pk, end_date=day(5))
    services.cancel_booking(booking_id=second.pk)
    services.cancel_booking(booking_id=first.pk)

    written = list(BookingRevision.objects.order_by("id").values_list("booking_id", "sequence"))
    assert written == [(first.pk, 1), (second.pk, 1), (first.pk, 2), (second.pk, 2), (first.pk, 3), (second.pk, 3), (first.pk, 4)]
    ids = list(BookingRevision.objects.order_by("at", "booking_id", "sequence").values_list("id", flat=True))
    assert ids == sorted(ids)
    # A feed's cursor: everything after the last id seen, in id order, never an earlier row later.
    cursor = written and BookingRevision.objects.order_by("id").values_list("id", flat=True)[2]
    after = BookingRevision.objects.filter(id__gt=cursor).order_by("id")
    assert [(rev.booking_id, rev.sequence) for rev in after] == written[3:]


def test_a_refused_action_writes_no_revision(make_hotel, day):
    hotel = make_hotel(rooms=1)
    booking = services.create_booking(accommodation_id=hotel.pk, start_date=day(3), end_date=day(4), guest_name="A")
    services.create_booking(accommodation_id=hotel.pk, start_date=day(4), end_date=day(6), guest_name="B")

    with pytest.raises(Exception):
        services.change_booking(booking_id=booking.pk, end_date=day(6))
    services.cancel_booking(booking_id=booking.pk)
    with pytest.raises(Exception):
        services.cancel_booking(booking_id=booking.pk)

    assert rows(booking) == [(1, "created", "system"), (2, "cancelled", "system")]


# --- append-only -----------------------------------------------------------------------------------------------

@pytest.fixture
def revision(make_hotel, day):
    hotel = make_hotel()
    booking = services.create_booking(accommodation_id=hotel.pk, start_date=day(3), end_date=day(4), guest_name="A")
    return booking.revisions.get()


def test_the_orm_refuses_to_edit_or_delete_a_revision(revision):
    with pytest.raises(TypeError):
        BookingRevision.objects.filter(pk=revision.pk).update(action="forged")
    with pytest.raises(TypeError):
        BookingRevision.objects.all().delete()
    with pytest.raises(TypeError):
        revision.booking.revisions.update(actor="someone")
    with pytest.raises(TypeError):
        revision.booking.revisions.all().delete()
    revision.action = "forged"
    with pytest.raises(TypeError):
        revision.save()
    with pytest.raises(TypeError):
        revision.delete()
    with pytest.raises(Exception):  # the booking cannot take its history with it
        Booking.objects.filter(pk=revision.booking_id).delete()

    assert BookingRevision.objects.get(pk=revision.pk).action == "created"


@pytest.mark.parametrize("statement", [
    "UPDATE bookings_bookingrevision SET action = 'forged' WHERE id = %s",
    "UPDATE bookings_bookingrevision SET changes = '{}'::jsonb WHERE id = %s",
    "DELETE FROM bookings_bookingrevision WHERE id = %s",
    "DELETE FROM bookings_bookingrevision WHERE id <> %s",  # even one that matches nothing
])
def test_sql_written_by_hand_cannot_edit_or_delete_a_revision(revision, statement):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [revision.pk])

    stored = BookingRevision.objects.get(pk=revision.pk)
    assert (stored.action, stored.sequence) == ("created", 1)


def test_inserting_stays_possible_and_sequences_are_unique_per_booking(revision):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        BookingRevision.objects.create(booking_id=revision.booking_id, sequence=1, actor="system", action="forged")
    revisions.record(revision.booking, actor="system", action=revisions.Action.CHANGED, before=revisions.snapshot(revision.booking))
    assert list(revision.booking.revisions.values_list("sequence", flat=True)) == [1, 2]
    assert Booking.objects.get(pk=revision.booking_id).status == BookingStatus.CONFIRMED
