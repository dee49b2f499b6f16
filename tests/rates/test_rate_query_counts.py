"""Rates add no N+1: plan lists and the stay search cost the same number of SQL statements for 2
places as for 20, and the calendar and next date cost the same whatever the rate rows and bookings."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings import services as booking_services
from catalog import services as catalog_services
from rates_gql import iso

pytestmark = pytest.mark.django_db

PLAN_LIST = """{ accommodations(pagination: {limit: 100}) {
  id name ratePlans { id code name active isDefault adjustmentPercent parent { code }
                      cancellationPolicy { refundable freeCancellationDays feePercent } }
} }"""
SEARCH = """query($in: Date!, $out: Date!) {
  searchStays(checkIn: $in, checkOut: $out, pagination: {limit: 100}) {
    accommodation { id name ... on Hotel { rooms } ... on Apartment { maxGuests } }
    ratePlan { id code parent { code } cancellationPolicy { refundable } }
    nightlyPrices { date price } nightlyPrice totalPrice freeUnits freeCancellationUntil cancellationFee
  }
}"""
NEXT_DATE = """query($id: ID!, $date: Date!, $plan: ID) {
  nextAvailableDate(id: $id, date: $date, nights: 3, ratePlan: $plan)
}"""
AVAILABILITY = """query($id: ID!, $start: Date!, $end: Date!, $plan: ID) {
  availability(id: $id, start: $start, end: $end, ratePlan: $plan) { date available freeUnits price minStay stopSell }
}"""
NESTED = """query($start: Date!, $end: Date!, $date: Date!) { accommodations(pagination: {limit: 100}) {
  id nextAvailableDate(date: $date, nights: 2) availability(start: $start, end: $end) { date price minStay }
} }"""


def statements(client, document: str, variables: dict | None = None) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        data = client(document, variables or {}).data
    return len(captured.captured_queries), data


@pytest.fixture
def grow(make_hotel, make_apartment, day):
    """grow(n): places (alternating kinds) until there are n, each with a derived non-refundable plan,
    an inactive plan, a weekend-like price and a minimum stay."""
    created = []

    def to(total: int) -> list:
        while len(created) < total:
            n = len(created)
            place = (make_hotel if n % 2 == 0 else make_apartment)(name=f"Place {n}", price=Decimal(100 + n))
            standard = place.rate_plans.get(is_default=True)
            catalog_services.create_rate_plan(
                accommodation_id=place.pk, code="NONREF", name="Non-refundable", parent_id=standard.pk,
                adjustment_percent=Decimal("-10"), refundable=False,
            )
            catalog_services.create_rate_plan(accommodation_id=place.pk, code="OLD", name="Old", active=False)
            catalog_services.set_rates(rate_plan_id=standard.pk, start=day(10), end=day(12), price=Decimal(150 + n))
            catalog_services.set_rates(rate_plan_id=standard.pk, start=day(20), end=day(21), min_stay=3)
            created.append(place)
        return created

    return to


@pytest.fixture
def warm(gql, staff_gql):
    """The first request of a process also reads the voice-note gauges of /metrics."""
    gql("{ __typename }")
    staff_gql("{ __typename }")


@pytest.mark.parametrize("client_name", ["gql", "staff_gql"])
def test_plan_lists_cost_the_same_for_2_and_20_places(request, warm, grow, client_name):
    client = request.getfixturevalue(client_name)
    grow(2)
    few, data = statements(client, PLAN_LIST)
    assert len(data["accommodations"]) == 2
    grow(20)
    many, data = statements(client, PLAN_LIST)

    assert len(data["accommodations"]) == 20
    assert {len(row["ratePlans"]) for row in data["accommodations"]} == ({3} if client_name == "staff_gql" else {2})
    assert many == few, f"{few} statements for 2 places, {many} for 20"


def test_search_costs_the_same_for_2_and_20_places(gql, warm, grow, day):
    variables = {"in": iso(day(9)), "out": iso(day(12))}
    grow(2)
    few, data = statements(gql, SEARCH, variables)
    assert len(data["searchStays"]) == 4  # two places x two plans on sale
    grow(20)
    many, data = statements(gql, SEARCH, variables)

    assert len(data["searchStays"]) == 40
    assert all(len(offer["nightlyPrices"]) == 3 for offer in data["searchStays"])
    assert many == few, f"{few} statements for 2 places, {many} for 20"


def test_next_date_and_calendar_of_a_list_cost_the_same_for_2_and_20_places(gql, warm, grow, day):
    variables = {"start": iso(day(0)), "end": iso(day(30)), "date": iso(day(19))}
    grow(2)
    few, _ = statements(gql, NESTED, variables)
    grow(20)
    many, data = statements(gql, NESTED, variables)

    assert {row["nextAvailableDate"] for row in data["accommodations"]} == {iso(day(19))}
    assert many == few, f"{few} statements for 2 places, {many} for 20"


@pytest.mark.parametrize("named_plan", [False, True], ids=["default-plan", "named-derived-plan"])
def test_next_date_and_availability_cost_the_same_whatever_the_rates_and_bookings(gql, warm, make_hotel, day, named_plan):
    hotel = make_hotel(rooms=2, price=Decimal("120.00"))
    standard = hotel.rate_plans.get(is_default=True)
    derived = catalog_services.create_rate_plan(
        accommodation_id=hotel.pk, code="NONREF", name="Non-refundable", parent_id=standard.pk,
        adjustment_percent=Decimal("-10"), refundable=False,
    )
    plan = str(derived.pk) if named_plan else None
    ask_next = {"id": str(hotel.pk), "date": iso(day(0)), "plan": plan}
    ask_days = {"id": str(hotel.pk), "start": iso(day(0)), "end": iso(day(90)), "plan": plan}

    few_next, _ = statements(gql, NEXT_DATE, ask_next)
    few_days, _ = statements(gql, AVAILABILITY, ask_days)

    # A year of rate rows on both plans, stop-sell and a minimum stay on the first weeks, and many bookings.
    catalog_services.set_rates(rate_plan_id=standard.pk, start=day(0), end=day(365), price=Decimal("130.00"), min_stay=2)
    catalog_services.set_rates(rate_plan_id=derived.pk, start=day(0), end=day(365), closed_to_departure=False)
    catalog_services.set_rates(rate_plan_id=standard.pk, start=day(0), end=day(14), stop_sell=True)
    for start in range(14, 74, 3):
        for _ in range(2):
            booking_services.create_booking(
                accommodation_id=hotel.pk, start_date=day(start), end_date=day(start + 3), guest_name="Guest"
            )
    many_next, next_data = statements(gql, NEXT_DATE, ask_next)
    many_days, days_data = statements(gql, AVAILABILITY, ask_days)

    assert next_data["nextAvailableDate"] == iso(day(74))  # full from day 14 to 73 (two rooms, two bookings)
    assert [entry["freeUnits"] for entry in days_data["availability"][14:17]] == [0, 0, 0]
    assert (many_next, many_days) == (few_next, few_days)


def test_staff_booking_lists_with_their_plans_cost_the_same_for_2_and_20_places(staff_gql, warm, grow, day):
    document = """{ bookings(pagination: {limit: 100}) {
      id totalPrice nightlyPrices { date price } ratePlan { code parent { code } cancellationPolicy { refundable } }
    } }"""

    def book_every_place(places) -> None:
        """One booking under each plan on sale, on different nights, at every place not booked yet."""
        for place in places:
            if place.bookings.exists():
                continue
            for offset, code in ((30, "STANDARD"), (40, "NONREF")):
                booking_services.create_booking(
                    accommodation_id=place.pk, start_date=day(offset), end_date=day(offset + 1), guest_name="Guest",
                    rate_plan_id=place.rate_plans.get(code=code).pk,
                )

    book_every_place(grow(2))
    few, _ = statements(staff_gql, document)
    book_every_place(grow(20))
    many, data = statements(staff_gql, document)

    assert len(data["bookings"]) == 40
    assert {row["ratePlan"]["parent"]["code"] for row in data["bookings"] if row["ratePlan"]["code"] == "NONREF"} == {"STANDARD"}
    assert many == few, f"{few} statements for 2 places, {many} for 20"
