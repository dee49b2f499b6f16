"""A guest's own booking by reference + e-mail: what matches, what does not (indistinguishably), the
anonymous limits, what a reference is and where it never appears (logs), what a hold requires, and
what stays staff-only."""
from __future__ import annotations

import json
import logging

import pytest

from bookings import services
from bookings.models import REFERENCE_ALPHABET, REFERENCE_LENGTH, Booking, BookingStatus
from graphql_client import client_from

pytestmark = pytest.mark.django_db

EMAIL = "Ana.Guest@Example.com"

BOOK = """
mutation($data: BookingInput!) {
  createBooking(data: $data) {
    __typename
    ... on Booking { id reference status }
    ... on OperationInfo { messages { kind code field message } }
  }
}"""
GUEST = """
query($reference: String!, $email: String!) {
  guestBooking(reference: $reference, email: $email) {
    reference status startDate endDate nights guests totalPrice nightlyPrices { date price }
    ratePlan { code } freeCancellationUntil cancellationFee expiresAt accommodation { name }
  }
}"""
CONFIRM = """
mutation($reference: String!, $email: String!) {
  confirmBooking(reference: $reference, email: $email) {
    __typename
    ... on GuestBooking { reference status }
    ... on OperationInfo { messages { kind code field message } }
  }
}"""
CANCEL = """
mutation($reference: String!, $email: String!) {
  cancelGuestBooking(reference: $reference, email: $email) {
    __typename
    ... on GuestBooking { reference status cancellationFee }
    ... on OperationInfo { messages { kind code field message } }
  }
}"""
CHANGE = """
mutation($data: ChangeBookingInput!) {
  changeBooking(data: $data) {
    __typename
    ... on BookingChange { totalPrice difference booking { startDate endDate } }
    ... on OperationInfo { messages { kind code field message } }
  }
}"""


@pytest.fixture
def booked(make_hotel, day):
    hotel = make_hotel(rooms=3, price=100)
    return services.create_booking(
        accommodation_id=hotel.pk, start_date=day(10), end_date=day(12), guest_name="Ana", guest_email=EMAIL
    )


@pytest.fixture
def held(make_hotel, day):
    hotel = make_hotel(rooms=3, price=100, name="Hold hotel")
    return services.create_booking(
        accommodation_id=hotel.pk, start_date=day(20), end_date=day(21), guest_name="Hal", guest_email="hal@example.com",
        hold=True,
    )


# --- guestBooking ---------------------------------------------------------------------------------

@pytest.mark.parametrize("reference_of, email", [
    (lambda ref: ref, EMAIL),
    (lambda ref: ref, "ana.guest@example.com"),
    (lambda ref: ref, "  ANA.GUEST@EXAMPLE.COM \t"),
    (lambda ref: ref.lower(), EMAIL),
    (lambda ref: f"  {ref.lower()}  ", " ana.guest@example.com"),
], ids=["exact", "email-lowercase", "email-upper-spaces", "reference-lowercase", "both-folded-and-padded"])
def test_guest_booking_finds_the_booking_by_reference_and_email(gql, booked, day, reference_of, email):
    answer = gql(GUEST, {"reference": reference_of(booked.reference), "email": email}).data["guestBooking"]

    assert answer["reference"] == booked.reference
    assert (answer["status"], answer["startDate"], answer["endDate"], answer["nights"]) == ("CONFIRMED", str(day(10)), str(day(12)), 2)
    assert (answer["totalPrice"], answer["ratePlan"]["code"], answer["accommodation"]["name"]) == ("200.00", "STANDARD", "Hotel Adlon")
    assert answer["nightlyPrices"] == [{"date": str(day(10)), "price": "100.00"}, {"date": str(day(11)), "price": "100.00"}]


@pytest.mark.parametrize("reference, email", [
    ("WRONGREF22", EMAIL),
    (None, "someone.else@example.com"),
    ("WRONGREF22", "someone.else@example.com"),
    ("", ""),
    (None, ""),
    ("", EMAIL),
    ("X" * 100_000, EMAIL),
    (None, "a" * 100_000 + "@example.com"),
    ("%", "%"),
    (None, "ana.guest@example.co"),  # a prefix of the stored address
], ids=["wrong-reference", "wrong-email", "both-wrong", "both-empty", "empty-email", "empty-reference",
        "over-long-reference", "over-long-email", "wildcards",
        "email-prefix"])
def test_guest_booking_is_null_for_any_mismatch_without_an_error(gql, booked, reference, email):
    reference = booked.reference if reference is None else reference
    answer = gql(GUEST, {"reference": reference, "email": email})

    assert answer.status_code == 200
    assert answer.body == {"data": {"guestBooking": None}}


@pytest.mark.parametrize("query, name", [(GUEST, "guestBooking"), (CONFIRM, "confirmBooking"), (CANCEL, "cancelGuestBooking")])
def test_a_nul_character_is_refused_alike_for_a_right_or_a_wrong_reference(gql, booked, query, name):
    """Text cannot hold U+0000 (refused everywhere, tests/booking_graph/test_nul_characters.py): the refusal is the
    same whether the rest of the pair matches a booking or not, and never a 500."""
    answers = [
        gql(query, {"reference": reference, "email": email})
        for reference, email in ((booked.reference, EMAIL + "\x00"), ("NOSUCHREF2", EMAIL + "\x00"),
                                 (booked.reference + "\x00", EMAIL), ("NOSUCHRE\x00", EMAIL))
    ]

    assert {answer.status_code for answer in answers} == {200}
    assert booked.reference not in json.dumps([answer.body for answer in answers])
    assert answers[0].body == answers[1].body and answers[2].body == answers[3].body
    assert Booking.objects.get(pk=booked.pk).status == BookingStatus.CONFIRMED


def test_a_booking_without_an_email_is_found_by_no_email(gql, make_hotel, day):
    hotel = make_hotel()
    silent = services.create_booking(accommodation_id=hotel.pk, start_date=day(3), end_date=day(4), guest_name="No mail")

    for email in ("", " ", "no-booking@invalid"):
        assert gql(GUEST, {"reference": silent.reference, "email": email}).body == {"data": {"guestBooking": None}}


def test_guest_booking_says_nothing_about_other_guests(gql):
    fields = gql('{ __type(name: "GuestBooking") { fields { name } } }').data["__type"]["fields"]
    names = {field["name"] for field in fields}

    assert names.isdisjoint({"id", "guestName", "guestEmail", "history", "voiceNotes", "createdAt"})


# --- wrong reference and wrong e-mail are indistinguishable ----------------------------------------

@pytest.mark.parametrize("mutation, name", [(CONFIRM, "confirmBooking"), (CANCEL, "cancelGuestBooking")])
def test_confirm_and_cancel_answer_a_wrong_reference_and_a_wrong_email_alike(gql, booked, held, mutation, name):
    answers = []
    for target in (booked, held):
        email = booked.guest_email if target is booked else "hal@example.com"
        for reference, mail in ((target.reference[:-1] + ("2" if target.reference[-1] != "2" else "3"), email),
                                (target.reference, "other@example.com"),
                                ("NOSUCHREF2", "nobody@example.com"), ("", ""), ("X" * 5000, email)):
            answers.append(gql(mutation, {"reference": reference, "email": mail}).data[name])

    assert {json.dumps(answer, sort_keys=True) for answer in answers} == {json.dumps({
        "__typename": "OperationInfo",
        "messages": [{"kind": "VALIDATION", "code": "not_found", "field": "reference",
                      "message": services.GUEST_NOT_FOUND_MESSAGE}],
    }, sort_keys=True)}
    assert Booking.objects.get(pk=booked.pk).status == BookingStatus.CONFIRMED
    assert Booking.objects.get(pk=held.pk).status == BookingStatus.HELD


def test_a_guest_change_answers_a_wrong_reference_and_a_wrong_email_alike(gql, booked, day):
    def change(reference, email):
        return gql(CHANGE, {"data": {"reference": reference, "email": email, "endDate": str(day(13))}}).data["changeBooking"]

    wrong_reference = change("NOSUCHREF2", EMAIL)
    wrong_email = change(booked.reference, "other@example.com")
    neither = change(None, None)

    assert wrong_reference == wrong_email == neither
    assert wrong_reference["messages"][0]["code"] == "not_found"
    assert Booking.objects.get(pk=booked.pk).end_date == day(12)


# --- the anonymous limits -----------------------------------------------------------------------------

def test_guest_lookups_are_limited_per_address(limits, booked):
    limits(guest_booking_address="3/h", guest_booking_reference="off")
    client = client_from("203.0.113.9")
    variables = {"reference": "NOSUCHREF2", "email": "x@example.com"}

    assert [client(GUEST, variables).body for _ in range(3)] == [{"data": {"guestBooking": None}}] * 3
    refused = client(GUEST, {"reference": booked.reference, "email": EMAIL})  # even the right pair

    assert refused.body["data"] == {"guestBooking": None}
    assert refused.errors[0]["extensions"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) >= 1
    # The mutations spend the same budget and answer in their OperationInfo.
    for mutation, name in ((CONFIRM, "confirmBooking"), (CANCEL, "cancelGuestBooking")):
        answer = client(mutation, variables).data[name]
        assert answer["messages"][0]["code"] == "rate_limited"
    assert client_from("203.0.113.10")(GUEST, {"reference": booked.reference, "email": EMAIL}).data["guestBooking"]


def test_guest_lookups_are_limited_per_reference_from_any_address(limits, booked, held):
    limits(guest_booking_address="off", guest_booking_reference="2/h")
    for n in range(2):
        assert client_from(f"198.51.100.{n}")(GUEST, {"reference": booked.reference, "email": f"guess{n}@example.com"}).body == {
            "data": {"guestBooking": None}}

    # The same reference, however it is written, from a new address: refused, even with the right e-mail.
    refused = client_from("198.51.100.50")(GUEST, {"reference": f" {booked.reference.lower()} ", "email": EMAIL})
    assert refused.errors[0]["extensions"]["code"] == "rate_limited"
    cancel = client_from("198.51.100.51")(CANCEL, {"reference": booked.reference, "email": EMAIL}).data["cancelGuestBooking"]
    assert cancel["messages"][0]["code"] == "rate_limited"
    assert Booking.objects.get(pk=booked.pk).status == BookingStatus.CONFIRMED
    # Another reference keeps its own budget.
    assert client_from("198.51.100.52")(GUEST, {"reference": held.reference, "email": "hal@example.com"}).data["guestBooking"]


def test_guest_changes_are_limited_per_reference_not_all_together(limits, booked, held, day):
    """changeBooking takes its reference inside `data`: each reference has its own budget."""
    limits(guest_booking_address="off", guest_booking_reference="1/h")
    first = client_from("198.51.100.1")(CHANGE, {"data": {"reference": booked.reference, "email": EMAIL, "guests": 2}})
    assert first.data["changeBooking"]["__typename"] == "BookingChange"

    other = client_from("198.51.100.2")(CHANGE, {"data": {"reference": held.reference, "email": "hal@example.com", "guests": 2}})
    assert other.data["changeBooking"]["__typename"] == "BookingChange", other.data

    again = client_from("198.51.100.3")(CHANGE, {"data": {"reference": booked.reference, "email": EMAIL, "guests": 1}})
    assert again.data["changeBooking"]["messages"][0]["code"] == "rate_limited"


def test_staff_are_not_limited_by_the_guest_budgets(limits, staff_gql, booked):
    limits(guest_booking_address="1/h", guest_booking_reference="1/h")
    for _ in range(3):
        assert staff_gql(GUEST, {"reference": booked.reference, "email": EMAIL}).data["guestBooking"]


# --- references ----------------------------------------------------------------------------------------

def test_references_are_ten_unambiguous_characters_unique_and_not_derived_from_the_id(make_hotel, day):
    hotel = make_hotel(rooms=60)
    made = [
        services.create_booking(accommodation_id=hotel.pk, start_date=day(5), end_date=day(6), guest_name=f"G{n}")
        for n in range(60)
    ]
    references = [booking.reference for booking in made]

    assert all(len(ref) == REFERENCE_LENGTH == 10 and set(ref) <= set(REFERENCE_ALPHABET) for ref in references)
    assert not set("01OILU") & set(REFERENCE_ALPHABET)
    assert len(set(references)) == len(references)
    # Random, not a function of the id: consecutive ids do not give ordered or similar references.
    assert references != sorted(references)
    assert len({ref[:3] for ref in references}) > 50
    # Stored as made; the database keeps them unique.
    assert Booking._meta.get_field("reference").unique


def test_the_full_reference_never_appears_in_logs(caplog, gql, staff_gql, make_hotel, day, limits):
    limits(guest_booking_reference="6/h")
    hotel = make_hotel(rooms=2)
    caplog.set_level(logging.DEBUG)

    held = gql(BOOK, {"data": {"accommodation": str(hotel.pk), "startDate": str(day(5)), "endDate": str(day(7)),
                               "guestName": "Logged", "guestEmail": "log@example.com", "hold": True}}).data["createBooking"]
    reference = held["reference"]
    assert len(reference) == 10
    gql(GUEST, {"reference": reference, "email": "log@example.com"})
    gql(GUEST, {"reference": reference, "email": "wrong@example.com"})
    gql(CONFIRM, {"reference": reference, "email": "log@example.com"})
    gql(CHANGE, {"data": {"reference": reference, "email": "log@example.com", "endDate": str(day(8))}})
    staff_gql(CHANGE, {"data": {"id": held["id"], "guests": 2}})
    gql(CANCEL, {"reference": reference, "email": "log@example.com"})
    gql(CANCEL, {"reference": reference, "email": "log@example.com"})  # already cancelled: a refusal
    for _ in range(3):  # spend the per-reference budget: the refusal is logged
        gql(GUEST, {"reference": reference, "email": "log@example.com"})

    assert any(record.getMessage() == "booking.confirmed" for record in caplog.records)
    assert any(record.getMessage() == "rate_limit.refused" for record in caplog.records)
    for record in caplog.records:
        text = " ".join([record.getMessage(), repr(record.args), repr(vars(record)), record.exc_text or ""])
        assert reference not in text and reference.lower() not in text, record
    assert reference not in caplog.text


# --- what a hold needs ---------------------------------------------------------------------------------

@pytest.mark.parametrize("email, code", [(None, "email_required"), ("", "email_required"), ("   ", "email_required"),
                                         ("not-an-address", "invalid"), ("a@b@example.com", "invalid"),
                                         ("x" * 250 + "@example.com", "max_length")])
def test_a_hold_needs_a_valid_email(gql, make_hotel, day, email, code):
    hotel = make_hotel()
    data = {"accommodation": str(hotel.pk), "startDate": str(day(5)), "endDate": str(day(6)), "guestName": "H", "hold": True}
    if email is not None:
        data["guestEmail"] = email

    answer = gql(BOOK, {"data": data}).data["createBooking"]

    assert answer["__typename"] == "OperationInfo"
    assert [(m["code"], m["field"]) for m in answer["messages"]] == [(code, "guestEmail")]
    assert not Booking.objects.exists()


def test_an_invalid_email_is_refused_without_a_hold_too_and_none_is_fine(gql, make_hotel, day):
    hotel = make_hotel()
    data = {"accommodation": str(hotel.pk), "startDate": str(day(5)), "endDate": str(day(6)), "guestName": "H"}

    bad = gql(BOOK, {"data": data | {"guestEmail": "nope"}}).data["createBooking"]
    fine = gql(BOOK, {"data": data}).data["createBooking"]

    assert bad["messages"][0]["code"] == "invalid"
    assert fine["status"] == "CONFIRMED" and len(fine["reference"]) == 10


# --- staff only ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("caller", ["gql", "user_gql"])
def test_change_by_id_is_staff_only(request, booked, day, caller):
    client = request.getfixturevalue(caller)

    answer = client(CHANGE, {"data": {"id": str(booked.pk), "endDate": str(day(14))}})

    body = answer.body
    refused = body.get("errors") or body["data"]["changeBooking"]["messages"]
    assert refused, body
    assert "BookingChange" not in json.dumps(body)
    booked.refresh_from_db()
    assert booked.end_date == day(12)
    assert list(booked.revisions.values_list("action", flat=True)) == ["created"]


def test_change_by_id_works_for_staff(staff_gql, booked, day):
    answer = staff_gql(CHANGE, {"data": {"id": str(booked.pk), "endDate": str(day(13))}}).data["changeBooking"]

    assert answer["__typename"] == "BookingChange" and answer["booking"]["endDate"] == str(day(13))
    assert booked.revisions.last().actor == "staff:staff"


@pytest.mark.parametrize("caller", ["gql", "user_gql"])
def test_history_is_staff_only_even_on_the_booking_a_guest_just_made(request, make_hotel, day, caller):
    client = request.getfixturevalue(caller)
    hotel = make_hotel()
    query = """mutation($data: BookingInput!) { createBooking(data: $data) {
        __typename ... on Booking { reference history { sequence action actor changes } } } }"""
    data = {"accommodation": str(hotel.pk), "startDate": str(day(5)), "endDate": str(day(6)), "guestName": "Peek"}

    answer = client(query, {"data": data})

    assert answer.errors
    assert '"action"' not in json.dumps(answer.body["data"])
    by_id = client("query($id: ID!) { booking(id: $id) { history { action } } }", {"id": str(Booking.objects.get().pk)})
    assert by_id.body["data"]["booking"] is None and by_id.errors
