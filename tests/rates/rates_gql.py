"""GraphQL documents and answer readers shared by the rate suites (tests/rates)."""
from __future__ import annotations

import datetime
from typing import Any

from factories import booking_input
from graphql_client import GraphQLClient

OPERATION_INFO = "... on OperationInfo { messages { kind field message code } }"
PLAN_FIELDS = """id code name active isDefault parent { id code } adjustmentPercent
  cancellationPolicy { refundable freeCancellationDays feePercent }"""
RATE_DAY_FIELDS = "date price minStay maxStay closedToArrival closedToDeparture stopSell"

CREATE_PLAN = f"""mutation($data: RatePlanInput!) {{
  createRatePlan(data: $data) {{ __typename ... on RatePlan {{ {PLAN_FIELDS} }} {OPERATION_INFO} }}
}}"""
UPDATE_PLAN = f"""mutation($data: RatePlanPartialInput!) {{
  updateRatePlan(data: $data) {{ __typename ... on RatePlan {{ {PLAN_FIELDS} }} {OPERATION_INFO} }}
}}"""
SET_RATES = f"""mutation($plan: ID!, $start: Date!, $end: Date!, $weekdays: [Int!], $price: Decimal, $minStay: Int,
    $maxStay: Int, $closedToArrival: Boolean, $closedToDeparture: Boolean, $stopSell: Boolean) {{
  setRates(ratePlan: $plan, start: $start, end: $end, weekdays: $weekdays, price: $price, minStay: $minStay,
           maxStay: $maxStay, closedToArrival: $closedToArrival, closedToDeparture: $closedToDeparture,
           stopSell: $stopSell) {{
    __typename ... on RateCalendar {{ ratePlan {{ id code }} days {{ {RATE_DAY_FIELDS} }} }} {OPERATION_INFO}
  }}
}}"""
PLANS_OF = f"""query($id: ID!) {{ accommodation(id: $id) {{ ratePlans {{ {PLAN_FIELDS} }} }} }}"""
RATE_PLAN = f"""query($id: ID!) {{ ratePlan(id: $id) {{ {PLAN_FIELDS} }} }}"""
CALENDAR = f"""query($id: ID!, $start: Date!, $end: Date!) {{
  ratePlan(id: $id) {{ code calendar(start: $start, end: $end) {{ {RATE_DAY_FIELDS} }} }}
}}"""
AVAILABILITY = """query($id: ID!, $start: Date!, $end: Date!, $plan: ID) {
  availability(id: $id, start: $start, end: $end, ratePlan: $plan) {
    date available freeUnits price minStay maxStay closedToArrival closedToDeparture stopSell
  }
}"""
NEXT_DATE = """query($id: ID!, $date: Date!, $nights: Int!, $plan: ID) {
  nextAvailableDate(id: $id, date: $date, nights: $nights, ratePlan: $plan)
}"""
BOOKING_FIELDS = """id status startDate endDate totalPrice ratePlan { id code } nightlyPrices { date price }
  freeCancellationUntil cancellationFeePercent cancellationFee cancelledAt"""
BOOK = f"""mutation($data: BookingInput!) {{
  createBooking(data: $data) {{ __typename ... on Booking {{ {BOOKING_FIELDS} }} {OPERATION_INFO} }}
}}"""
UPDATE_BOOKING = f"""mutation($data: BookingPartialInput!) {{
  updateBooking(data: $data) {{ __typename ... on Booking {{ {BOOKING_FIELDS} }} {OPERATION_INFO} }}
}}"""
CANCEL = f"""mutation($id: ID!) {{
  cancelBooking(id: $id) {{ __typename ... on Booking {{ {BOOKING_FIELDS} }} {OPERATION_INFO} }}
}}"""
BOOKING = f"""query($id: ID!) {{ booking(id: $id) {{ {BOOKING_FIELDS} }} }}"""


def iso(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


def answer_of(client: GraphQLClient, document: str, variables: dict[str, Any]) -> dict:
    """The single root field's answer of a document that must resolve without GraphQL errors."""
    response = client(document, variables)
    assert response.status_code == 200, response.body
    (value,) = response.data.values()
    return value


def set_rates(client: GraphQLClient, plan_id, start: datetime.date, end: datetime.date, **values) -> dict:
    return answer_of(client, SET_RATES, {"plan": str(plan_id), "start": iso(start), "end": iso(end), **values})


def create_plan(client: GraphQLClient, **data) -> dict:
    return answer_of(client, CREATE_PLAN, {"data": data})


def update_plan(client: GraphQLClient, **data) -> dict:
    return answer_of(client, UPDATE_PLAN, {"data": data})


def book(client: GraphQLClient, place, start: datetime.date, end: datetime.date, **extra) -> dict:
    return answer_of(client, BOOK, {"data": booking_input(place, start, end, guest_name="Ada", **extra)})


def problems(answer: dict) -> set[tuple[str | None, str | None]]:
    """(field, code) of every message of an OperationInfo answer."""
    assert answer["__typename"] == "OperationInfo", answer
    assert answer["messages"], answer
    return {(message["field"], message["code"]) for message in answer["messages"]}


def codes(answer: dict) -> set[str]:
    return {code for _, code in problems(answer)}


def message_kinds(answer: dict) -> set[str]:
    assert answer["__typename"] == "OperationInfo", answer
    return {message["kind"] for message in answer["messages"]}


def next_weekday(after: datetime.date, iso_weekday: int) -> datetime.date:
    """The first day strictly after `after` that falls on this ISO weekday (1 = Monday)."""
    return after + datetime.timedelta(days=(iso_weekday - after.isoweekday()) % 7 or 7)
