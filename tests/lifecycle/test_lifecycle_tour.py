"""The lifecycle issue's walk-through over GraphQL: hold the last room, watch a second guest be
refused, let the hold lapse (a controlled clock) and see the room sell, confirm a hold at the
shown price, be told when the price moved, change a stay's dates, cancel as the guest by
reference and e-mail, and read the whole history as staff."""
from __future__ import annotations

BOOK = """
mutation($data: BookingInput!) {
  createBooking(data: $data) {
    __typename
    ... on Booking { id reference status expiresAt totalPrice nightlyPrices { date price } }
    ... on PriceChanged { code totalPrice expectedTotalPrice nightlyPrices { date price } }
    ... on OperationInfo { messages { code field message } }
  }
}"""
CONFIRM = """
mutation($reference: String!, $email: String!, $expected: Decimal) {
  confirmBooking(reference: $reference, email: $email, expectedTotalPrice: $expected) {
    __typename
    ... on GuestBooking { reference status totalPrice expiresAt }
    ... on PriceChanged { code totalPrice }
    ... on OperationInfo { messages { code message } }
  }
}"""
GUEST = """
query($reference: String!, $email: String!) {
  guestBooking(reference: $reference, email: $email) {
    reference status startDate endDate nights guests totalPrice freeCancellationUntil cancellationFee
    ratePlan { code } accommodation { name }
  }
}"""
CHANGE = """
mutation($data: ChangeBookingInput!) {
  changeBooking(data: $data) {
    __typename
    ... on BookingChange { previousTotalPrice totalPrice difference booking { startDate endDate totalPrice } }
    ... on PriceChanged { code totalPrice }
    ... on OperationInfo { messages { code field message } }
  }
}"""
CANCEL = """
mutation($reference: String!, $email: String!) {
  cancelGuestBooking(reference: $reference, email: $email) {
    __typename
    ... on GuestBooking { status cancellationFee }
    ... on OperationInfo { messages { code message } }
  }
}"""
HISTORY = """
query($id: ID!) { booking(id: $id) { reference status history { sequence actor action changes } } }"""


def booking_data(hotel, day, start: int, end: int, **extra) -> dict:
    return {"accommodation": str(hotel.pk), "startDate": str(day(start)), "endDate": str(day(end)),
            "guestName": "Guest", **extra}


def test_hold_expire_sell_confirm_price_check_change_cancel_history(gql, staff_gql, make_hotel, day, clock):
    hotel = make_hotel(rooms=1, price=100)

    held = gql(BOOK, {"data": booking_data(hotel, day, 5, 7, hold=True, guestEmail="ana@example.com")}).data["createBooking"]
    assert held["status"] == "HELD" and held["expiresAt"] is not None
    refused = gql(BOOK, {"data": booking_data(hotel, day, 6, 8)}).data["createBooking"]
    assert refused["messages"][0]["code"] == "no_rooms_available"

    clock.advance(minutes=16)  # past the 15-minute hold; no sweep has run
    sold = gql(BOOK, {"data": booking_data(hotel, day, 6, 8, guestEmail="bo@example.com")}).data["createBooking"]
    assert sold["status"] == "CONFIRMED"
    late = gql(CONFIRM, {"reference": held["reference"], "email": "ana@example.com"}).data["confirmBooking"]
    assert late["messages"][0]["code"] == "hold_expired"
    assert gql(GUEST, {"reference": held["reference"], "email": "ana@example.com"}).data["guestBooking"]["status"] == "EXPIRED"

    # Another hold, confirmed at the price shown; a wrong expected price is refused with the quote.
    second = gql(BOOK, {"data": booking_data(hotel, day, 10, 12, hold=True, guestEmail="cy@example.com",
                                             expectedTotalPrice="200.00")}).data["createBooking"]
    assert second["status"] == "HELD", second
    moved = gql(CONFIRM, {"reference": second["reference"], "email": "CY@example.com", "expected": "180.00"}).data["confirmBooking"]
    assert moved == {"__typename": "PriceChanged", "code": "price_changed", "totalPrice": "200.00"}
    confirmed = gql(CONFIRM, {"reference": second["reference"], "email": "cy@example.com", "expected": "200.00"}).data["confirmBooking"]
    assert (confirmed["status"], confirmed["totalPrice"], confirmed["expiresAt"]) == ("CONFIRMED", "200.00", None)

    stale = gql(BOOK, {"data": booking_data(hotel, day, 20, 22, expectedTotalPrice="150.00")}).data["createBooking"]
    assert stale["__typename"] == "PriceChanged" and stale["totalPrice"] == "200.00"
    assert [night["price"] for night in stale["nightlyPrices"]] == ["100.00", "100.00"]

    # The guest moves the stay one night later and one longer: the kept night keeps its price.
    change = gql(CHANGE, {"data": {"reference": second["reference"], "email": "cy@example.com",
                                   "startDate": str(day(11)), "endDate": str(day(14))}}).data["changeBooking"]
    assert change["__typename"] == "BookingChange", change
    assert (change["previousTotalPrice"], change["totalPrice"], change["difference"]) == ("200.00", "300.00", "100.00")

    cancelled = gql(CANCEL, {"reference": second["reference"], "email": "cy@example.com"}).data["cancelGuestBooking"]
    assert cancelled == {"__typename": "GuestBooking", "status": "CANCELLED", "cancellationFee": "0.00"}

    rows = staff_gql("{ bookings(pagination: {limit: 100}) { id reference } }").data["bookings"]
    (second_id,) = [row["id"] for row in rows if row["reference"] == second["reference"]]
    history = staff_gql(HISTORY, {"id": second_id}).data["booking"]["history"]
    assert [(rev["sequence"], rev["action"], rev["actor"]) for rev in history] == [
        (1, "held", "guest"), (2, "confirmed", "guest"), (3, "changed", "guest"), (4, "cancelled", "guest"),
    ]
    assert history[2]["changes"]["start_date"] == [str(day(10)), str(day(11))]
    assert history[3]["changes"]["status"] == ["CONFIRMED", "CANCELLED"]


def test_history_is_staff_only(gql, make_hotel, day):
    hotel = make_hotel()
    booked = gql(BOOK, {"data": booking_data(hotel, day, 3, 4)}).data["createBooking"]
    answer = gql(HISTORY, {"id": booked["id"]})
    assert answer.body["data"]["booking"] is None and answer.errors
