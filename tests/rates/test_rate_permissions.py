"""Who may do what with rate plans: staff manage plans and calendars; guests read the plans on
sale (and their calendars) but never an inactive plan."""
from __future__ import annotations

from decimal import Decimal

import pytest

from catalog import services as catalog_services
from catalog.models import RateDay, RatePlan
from rates_gql import (
    CALENDAR, CREATE_PLAN, PLANS_OF, RATE_PLAN, SET_RATES, UPDATE_PLAN, answer_of, iso, message_kinds,
)

pytestmark = pytest.mark.django_db

NOT_STAFF = ["gql", "user_gql"]


@pytest.fixture
def flat(make_apartment):
    return make_apartment(price=Decimal("100.00"))


@pytest.fixture
def plans(flat):
    """The flat's default plan, an active derived plan and an inactive one."""
    default = flat.rate_plans.get(is_default=True)
    nonref = catalog_services.create_rate_plan(
        accommodation_id=flat.pk, code="NONREF", name="Non-refundable", parent_id=default.pk,
        adjustment_percent=Decimal("-10"), refundable=False,
    )
    hidden = catalog_services.create_rate_plan(accommodation_id=flat.pk, code="CORPORATE", name="Corporate", active=False)
    return default, nonref, hidden


def plan_rows() -> tuple[list, list]:
    """Every plan and rate-day row, to prove a refused write changed nothing."""
    return (
        list(RatePlan.objects.order_by("pk").values()),
        list(RateDay.objects.order_by("pk").values()),
    )


def attempts(flat, plans, day) -> dict[str, tuple[str, dict]]:
    default, nonref, _ = plans
    return {
        "createRatePlan": (CREATE_PLAN, {"data": {"accommodation": str(flat.pk), "code": "PROMO", "name": "Promo"}}),
        "updateRatePlan": (UPDATE_PLAN, {"data": {"id": str(nonref.pk), "name": "Taken over", "active": False}}),
        "setRates": (SET_RATES, {"plan": str(default.pk), "start": iso(day(5)), "end": iso(day(9)), "price": "1.00"}),
    }


@pytest.mark.parametrize("client_name", NOT_STAFF)
@pytest.mark.parametrize("mutation", ["createRatePlan", "updateRatePlan", "setRates"])
def test_only_staff_manage_rate_plans_and_calendars(request, flat, plans, day, client_name, mutation):
    client = request.getfixturevalue(client_name)
    document, variables = attempts(flat, plans, day)[mutation]
    before = plan_rows()

    answer = answer_of(client, document, variables)

    assert message_kinds(answer) == {"PERMISSION"}
    assert plan_rows() == before


@pytest.mark.parametrize("client_name", NOT_STAFF)
def test_permission_is_checked_before_the_plan_id(request, day, client_name):
    """An outsider learns nothing about which plan ids exist."""
    client = request.getfixturevalue(client_name)

    unknown = answer_of(client, SET_RATES, {"plan": "987654321", "start": iso(day(1)), "end": iso(day(2)), "price": "1"})
    malformed = answer_of(client, UPDATE_PLAN, {"data": {"id": "abc", "name": "x"}})

    assert message_kinds(unknown) == message_kinds(malformed) == {"PERMISSION"}


def test_staff_run_every_rate_mutation(staff_gql, flat, plans, day):
    answers = {name: answer_of(staff_gql, document, variables) for name, (document, variables) in attempts(flat, plans, day).items()}

    assert {name: answer["__typename"] for name, answer in answers.items()} == {
        "createRatePlan": "RatePlan", "updateRatePlan": "RatePlan", "setRates": "RateCalendar",
    }
    assert RatePlan.objects.filter(accommodation=flat, code="PROMO").exists()
    assert RatePlan.objects.get(code="NONREF").active is False
    assert RateDay.objects.filter(rate_plan=plans[0], price=Decimal("1.00")).count() == 4


class TestReadingPlans:
    @pytest.mark.parametrize("client_name", NOT_STAFF)
    def test_guests_see_only_the_plans_on_sale(self, request, flat, plans, client_name):
        client = request.getfixturevalue(client_name)

        listed = answer_of(client, PLANS_OF, {"id": str(flat.pk)})["ratePlans"]

        assert [plan["code"] for plan in listed] == ["STANDARD", "NONREF"]  # the default first

    def test_staff_also_see_inactive_plans(self, staff_gql, flat, plans):
        listed = answer_of(staff_gql, PLANS_OF, {"id": str(flat.pk)})["ratePlans"]

        assert [(plan["code"], plan["active"]) for plan in listed] == [
            ("STANDARD", True), ("NONREF", True), ("CORPORATE", False),
        ]

    @pytest.mark.parametrize("client_name", NOT_STAFF)
    def test_an_inactive_plan_by_id_is_null_for_guests(self, request, plans, client_name):
        client = request.getfixturevalue(client_name)
        default, _, hidden = plans

        assert answer_of(client, RATE_PLAN, {"id": str(hidden.pk)}) is None
        assert answer_of(client, RATE_PLAN, {"id": str(default.pk)})["code"] == "STANDARD"

    def test_staff_read_an_inactive_plan_by_id(self, staff_gql, plans):
        _, _, hidden = plans

        assert answer_of(staff_gql, RATE_PLAN, {"id": str(hidden.pk)})["code"] == "CORPORATE"

    def test_the_calendar_of_a_plan_on_sale_is_public(self, gql, plans, day):
        default, nonref, _ = plans
        catalog_services.set_rates(rate_plan_id=default.pk, start=day(3), end=day(4), price=Decimal("150.00"), min_stay=2)

        calendar = answer_of(gql, CALENDAR, {"id": str(nonref.pk), "start": iso(day(2)), "end": iso(day(5))})["calendar"]

        assert [(entry["price"], entry["minStay"]) for entry in calendar] == [("90.00", 1), ("135.00", 2), ("90.00", 1)]

    def test_the_calendar_of_an_inactive_plan_is_not_public(self, gql, staff_gql, plans, day):
        _, _, hidden = plans
        variables = {"id": str(hidden.pk), "start": iso(day(2)), "end": iso(day(5))}

        assert answer_of(gql, CALENDAR, variables) is None
        assert len(answer_of(staff_gql, CALENDAR, variables)["calendar"]) == 3

    def test_a_list_of_places_hides_inactive_plans_from_guests(self, gql, staff_gql, flat, plans):
        document = "{ accommodations(pagination: {limit: 10}) { id ratePlans { code } } }"

        def codes_by_place(client):
            return {row["id"]: [plan["code"] for plan in row["ratePlans"]] for row in answer_of(client, document, {})}

        assert codes_by_place(gql) == {str(flat.pk): ["STANDARD", "NONREF"]}
        assert codes_by_place(staff_gql) == {str(flat.pk): ["STANDARD", "NONREF", "CORPORATE"]}

    def test_the_parent_of_a_plan_on_sale_is_hidden_from_guests_when_inactive(self, gql, staff_gql, flat, plans):
        _, _, hidden = plans
        child = catalog_services.create_rate_plan(
            accommodation_id=flat.pk, code="CORP-NONREF", name="Corporate non-refundable", parent_id=hidden.pk,
            adjustment_percent=Decimal("-5"),
        )
        document = "query($id: ID!) { ratePlan(id: $id) { code parent { code active } } }"

        assert answer_of(staff_gql, document, {"id": str(child.pk)})["parent"] == {"code": "CORPORATE", "active": False}
        assert answer_of(gql, document, {"id": str(child.pk)}) == {"code": "CORP-NONREF", "parent": None}
