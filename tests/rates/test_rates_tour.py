"""The issue's walk-through over GraphQL: a weekend price, a minimum stay and a closed day set by
staff, seen in the calendar and the search, enforced on booking; a non-refundable offer booked at
the price shown and cancelled with its fee."""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

SET_RATES = """
mutation($plan: ID!, $start: Date!, $end: Date!, $weekdays: [Int!], $price: Decimal, $minStay: Int, $stopSell: Boolean) {
  setRates(ratePlan: $plan, start: $start, end: $end, weekdays: $weekdays, price: $price, minStay: $minStay, stopSell: $stopSell) {
    __typename
    ... on RateCalendar { ratePlan { code } days { date price minStay stopSell } }
    ... on OperationInfo { messages { code field message } }
  }
}"""
PLANS = "query($id: ID!) { accommodation(id: $id) { ratePlans { id code active isDefault } } }"
CREATE_PLAN = """
mutation($data: RatePlanInput!) {
  createRatePlan(data: $data) {
    __typename
    ... on RatePlan { id code parent { code } adjustmentPercent cancellationPolicy { refundable freeCancellationDays feePercent } }
    ... on OperationInfo { messages { code field message } }
  }
}"""
CALENDAR = """
query($id: ID!, $start: Date!, $end: Date!, $plan: ID) {
  availability(id: $id, start: $start, end: $end, ratePlan: $plan) {
    date available freeUnits price minStay closedToArrival closedToDeparture stopSell
  }
}"""
SEARCH = """
query($in: Date!, $out: Date!) {
  searchStays(checkIn: $in, checkOut: $out, guests: 2) {
    accommodation { id } ratePlan { code } nightlyPrices { date price } totalPrice freeCancellationUntil cancellationFee
  }
}"""
BOOK = """
mutation($data: BookingInput!) {
  createBooking(data: $data) {
    __typename
    ... on Booking { id totalPrice ratePlan { code } nightlyPrices { date price } freeCancellationUntil cancellationFee }
    ... on OperationInfo { messages { code field } }
  }
}"""
CANCEL = """
mutation($id: ID!) { cancelBooking(id: $id) { ... on Booking { status cancellationFee totalPrice } ... on OperationInfo { messages { code } } } }
"""


def next_weekday(after: datetime.date, iso_weekday: int) -> datetime.date:
    return after + datetime.timedelta(days=(iso_weekday - after.isoweekday()) % 7 or 7)


@pytest.fixture
def thursday(day) -> datetime.date:
    return next_weekday(day(7), 4)


def test_staff_set_rules_that_the_calendar_search_and_booking_all_honour(staff_gql, gql, make_apartment, thursday):
    flat = make_apartment(name="Alfama flat", location="Lisbon", price=Decimal("100.00"), max_guests=2)
    standard = staff_gql(PLANS, {"id": str(flat.pk)}).data["accommodation"]["ratePlans"]
    assert [plan["code"] for plan in standard] == ["STANDARD"]
    plan_id = standard[0]["id"]
    friday, sunday = thursday + datetime.timedelta(days=1), thursday + datetime.timedelta(days=3)
    window_end = thursday + datetime.timedelta(days=28)

    weekend = staff_gql(SET_RATES, {"plan": plan_id, "start": str(thursday), "end": str(window_end),
                                    "weekdays": [5, 6], "price": "150.00"}).data["setRates"]
    assert weekend["__typename"] == "RateCalendar"
    assert {day["date"]: day["price"] for day in weekend["days"]}[str(friday)] == "150.00"
    staff_gql(SET_RATES, {"plan": plan_id, "start": str(thursday), "end": str(friday), "minStay": 3})
    closed = thursday + datetime.timedelta(days=10)
    staff_gql(SET_RATES, {"plan": plan_id, "start": str(closed), "end": str(closed + datetime.timedelta(days=1)),
                          "stopSell": True})

    days = {d["date"]: d for d in gql(CALENDAR, {"id": str(flat.pk), "start": str(thursday), "end": str(window_end)}).data["availability"]}
    assert days[str(thursday)]["minStay"] == 3 and days[str(thursday)]["price"] == "100.00"
    assert days[str(friday)]["price"] == "150.00"
    assert days[str(closed)]["stopSell"] is True and days[str(closed)]["available"] is False

    # Thursday to Sunday: 100 + 150 + 150.
    offers = gql(SEARCH, {"in": str(thursday), "out": str(sunday)}).data["searchStays"]
    assert [(o["ratePlan"]["code"], o["totalPrice"]) for o in offers] == [("STANDARD", "400.00")]
    assert [n["price"] for n in offers[0]["nightlyPrices"]] == ["100.00", "150.00", "150.00"]
    # Two nights from Thursday break the three-night minimum: no offer, and booking is refused.
    assert gql(SEARCH, {"in": str(thursday), "out": str(thursday + datetime.timedelta(days=2))}).data["searchStays"] == []
    short = gql(BOOK, {"data": {"accommodation": str(flat.pk), "startDate": str(thursday),
                                "endDate": str(thursday + datetime.timedelta(days=2)), "guestName": "Ana"}}).data["createBooking"]
    assert short["messages"][0]["code"] == "min_stay_not_met"
    over_closed = gql(BOOK, {"data": {"accommodation": str(flat.pk), "startDate": str(closed - datetime.timedelta(days=1)),
                                      "endDate": str(closed + datetime.timedelta(days=1)), "guestName": "Ana"}}).data["createBooking"]
    assert over_closed["messages"][0]["code"] == "stop_sell"

    # A non-refundable plan 10 % under the standard one, booked at the price the search showed.
    nonref = staff_gql(CREATE_PLAN, {"data": {"accommodation": str(flat.pk), "code": "NONREF", "name": "Non-refundable",
                                              "parent": plan_id, "adjustmentPercent": "-10", "refundable": False}}).data["createRatePlan"]
    assert nonref["cancellationPolicy"] == {"refundable": False, "freeCancellationDays": None, "feePercent": "100.00"}
    offers = gql(SEARCH, {"in": str(thursday), "out": str(sunday)}).data["searchStays"]
    assert [(o["ratePlan"]["code"], o["totalPrice"]) for o in offers] == [("NONREF", "360.00"), ("STANDARD", "400.00")]
    assert offers[0]["freeCancellationUntil"] is None and offers[0]["cancellationFee"] == "360.00"
    booked = gql(BOOK, {"data": {"accommodation": str(flat.pk), "startDate": str(thursday), "endDate": str(sunday),
                                 "guestName": "Ana", "guests": 2, "ratePlan": nonref["id"]}}).data["createBooking"]
    assert booked["__typename"] == "Booking", booked
    assert booked["totalPrice"] == offers[0]["totalPrice"]
    assert booked["nightlyPrices"] == offers[0]["nightlyPrices"]

    # A later price change does not touch the booking; cancelling charges the whole total.
    staff_gql(SET_RATES, {"plan": plan_id, "start": str(thursday), "end": str(sunday), "price": "999.00"})
    cancelled = staff_gql(CANCEL, {"id": booked["id"]}).data["cancelBooking"]
    assert cancelled == {"status": "CANCELLED", "cancellationFee": "360.00", "totalPrice": "360.00"}
