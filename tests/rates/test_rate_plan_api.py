"""Rate plans and the rate calendar through GraphQL: every input validated with its code (and a
refused write changes nothing), the weekday filter, "fields left out keep their values" and
"a later write overrides an earlier one"."""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from bookings.models import Booking
from catalog import services as catalog_services
from catalog.models import RateDay, RatePlan
from rates_gql import (
    AVAILABILITY, NEXT_DATE, answer_of, book, create_plan, iso, message_kinds, next_weekday, problems, set_rates,
    update_plan,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def flat(make_apartment):
    return make_apartment(name="Alfama flat", price=Decimal("100.00"))


@pytest.fixture
def standard(flat) -> RatePlan:
    return flat.rate_plans.get(is_default=True)


@pytest.fixture
def derived(flat, standard) -> RatePlan:
    return catalog_services.create_rate_plan(
        accommodation_id=flat.pk, code="NONREF", name="Non-refundable", parent_id=standard.pk,
        adjustment_percent=Decimal("-10"), refundable=False,
    )


def rate_rows() -> list[dict]:
    return list(RateDay.objects.order_by("rate_plan_id", "date").values())


def plan_rows() -> list[dict]:
    return list(RatePlan.objects.order_by("pk").values())


def refused(answer: dict, expected: set) -> None:
    assert problems(answer) == expected
    assert message_kinds(answer) == {"VALIDATION"}


def by_date(days: list[dict]) -> dict[str, dict]:
    return {entry["date"]: entry for entry in days}


class TestSetRatesValidation:
    @pytest.mark.parametrize(
        ("first", "last"), [pytest.param(5, 5, id="end-equals-start"), pytest.param(6, 5, id="end-before-start")]
    )
    def test_end_must_be_after_start(self, staff_gql, standard, day, first, last):
        before = rate_rows()

        refused(set_rates(staff_gql, standard.pk, day(first), day(last), price="120"), {("end", "invalid_rate_range")})
        assert rate_rows() == before

    def test_a_range_longer_than_the_maximum_is_refused(self, staff_gql, standard, day, settings):
        settings.RATES_MAX_DAYS = 10

        refused(set_rates(staff_gql, standard.pk, day(1), day(12), minStay=2), {("end", "rate_range_too_long")})
        assert rate_rows() == []
        assert set_rates(staff_gql, standard.pk, day(1), day(11), minStay=2)["__typename"] == "RateCalendar"
        assert RateDay.objects.count() == 10

    def test_the_default_maximum_is_about_two_years(self, staff_gql, standard, day):
        refused(set_rates(staff_gql, standard.pk, day(0), day(732), stopSell=True), {("end", "rate_range_too_long")})
        assert rate_rows() == []

    @pytest.mark.parametrize("weekdays", [[], [0], [8], [1, 9], [-1]], ids=["empty", "zero", "eight", "one-bad", "negative"])
    def test_weekdays_are_iso_numbers_one_to_seven(self, staff_gql, standard, day, weekdays):
        refused(
            set_rates(staff_gql, standard.pk, day(1), day(8), weekdays=weekdays, price="90"),
            {("weekdays", "invalid_weekday")},
        )
        assert rate_rows() == []

    def test_at_least_one_value_is_given(self, staff_gql, standard, day):
        answer = set_rates(staff_gql, standard.pk, day(1), day(8), weekdays=[1])

        assert {code for _, code in problems(answer)} == {"nothing_to_set"}
        assert rate_rows() == []

    @pytest.mark.parametrize(
        ("price", "code"),
        [("-0.01", "min_value"), ("10.005", "max_decimal_places"), ("123456789012", "max_digits")],
    )
    def test_a_price_is_a_non_negative_amount_in_cents(self, staff_gql, standard, day, price, code):
        refused(set_rates(staff_gql, standard.pk, day(1), day(3), price=price), {("price", code)})
        assert rate_rows() == []

    @pytest.mark.parametrize("price", ["NaN", "Infinity", "-Infinity"])
    def test_a_price_that_is_no_number_is_refused_without_a_500(self, staff_gql, standard, day, price):
        response = staff_gql(
            "mutation($p: ID!, $s: Date!, $e: Date!, $price: Decimal) { setRates(ratePlan: $p, start: $s, end: $e, price: $price) "
            "{ __typename ... on OperationInfo { messages { field code } } } }",
            {"p": str(standard.pk), "s": iso(day(1)), "e": iso(day(2)), "price": price},
        )
        assert response.status_code in (200, 400), response.body
        assert response.errors or response.body["data"]["setRates"]["__typename"] == "OperationInfo"
        assert rate_rows() == []

    def test_a_derived_plan_takes_no_price(self, staff_gql, derived, day):
        refused(set_rates(staff_gql, derived.pk, day(1), day(3), price="80"), {("price", "derived_plan_price")})
        assert rate_rows() == []

    def test_a_derived_plan_takes_its_own_stay_rules(self, staff_gql, derived, day):
        answer = set_rates(staff_gql, derived.pk, day(1), day(3), minStay=2, closedToArrival=True)

        assert [(d["price"], d["minStay"], d["closedToArrival"]) for d in answer["days"]] == [("90.00", 2, True)] * 2

    def test_min_stay_above_max_stay_in_one_write(self, staff_gql, standard, day):
        refused(set_rates(staff_gql, standard.pk, day(1), day(3), minStay=4, maxStay=3), {("maxStay", "invalid_stay_rule")})
        assert rate_rows() == []

    def test_min_stay_above_a_stored_max_stay(self, staff_gql, standard, day):
        set_rates(staff_gql, standard.pk, day(5), day(6), maxStay=3)
        before = rate_rows()

        # The range covers day 5 (max 3) and days without rows: one stored day is enough to refuse all.
        refused(set_rates(staff_gql, standard.pk, day(1), day(10), minStay=4), {("minStay", "invalid_stay_rule")})
        assert rate_rows() == before

    def test_max_stay_below_a_stored_min_stay(self, staff_gql, standard, day):
        set_rates(staff_gql, standard.pk, day(5), day(6), minStay=5)
        before = rate_rows()

        refused(set_rates(staff_gql, standard.pk, day(5), day(7), maxStay=4), {("maxStay", "invalid_stay_rule")})
        assert rate_rows() == before

    def test_min_and_max_stay_equal_are_fine(self, staff_gql, standard, day):
        answer = set_rates(staff_gql, standard.pk, day(1), day(2), minStay=3, maxStay=3)

        assert [(d["minStay"], d["maxStay"]) for d in answer["days"]] == [(3, 3)]

    @pytest.mark.parametrize("field", ["minStay", "maxStay"])
    def test_stay_rules_are_between_one_night_and_the_longest_stay(self, staff_gql, standard, day, field, settings):
        zero = set_rates(staff_gql, standard.pk, day(1), day(2), **{field: 0})
        too_long = set_rates(staff_gql, standard.pk, day(1), day(2), **{field: settings.BOOKING_MAX_NIGHTS + 1})
        negative = set_rates(staff_gql, standard.pk, day(1), day(2), **{field: -3})

        for answer in (zero, too_long, negative):
            assert message_kinds(answer) == {"VALIDATION"}
            assert {name for name, _ in problems(answer)} == {field}
        assert problems(too_long) == {(field, "invalid_stay_rule")}
        assert rate_rows() == []
        longest = set_rates(staff_gql, standard.pk, day(1), day(2), **{field: settings.BOOKING_MAX_NIGHTS})
        assert longest["__typename"] == "RateCalendar"

    @pytest.mark.parametrize("plan_id", ["987654321", "abc", "-1", "1.5", "", str(2**70)])
    def test_an_unknown_or_malformed_plan(self, staff_gql, standard, day, plan_id):
        refused(set_rates(staff_gql, plan_id, day(1), day(2), price="10"), {("ratePlan", "not_found")})
        assert rate_rows() == []

    def test_an_out_of_range_int_is_a_graphql_error_not_a_500(self, staff_gql, standard, day):
        response = staff_gql(
            "mutation($p: ID!, $s: Date!, $e: Date!) { setRates(ratePlan: $p, start: $s, end: $e, minStay: 2147483648) { __typename } }",
            {"p": str(standard.pk), "s": iso(day(1)), "e": iso(day(2))},
        )

        assert response.status_code in (200, 400)
        assert response.errors
        assert rate_rows() == []


class TestSetRatesWrites:
    def test_the_weekday_filter_writes_only_those_days_and_answers_the_whole_range(self, staff_gql, standard, day):
        monday = next_weekday(day(0), 1)
        end = monday + datetime.timedelta(days=14)

        answer = set_rates(staff_gql, standard.pk, monday, end, weekdays=[6, 7], price="150.00")

        assert answer["ratePlan"]["code"] == "STANDARD"
        assert [entry["date"] for entry in answer["days"]] == [
            iso(monday + datetime.timedelta(days=n)) for n in range(14)
        ]
        for entry in answer["days"]:
            weekend = datetime.date.fromisoformat(entry["date"]).isoweekday() in (6, 7)
            assert entry["price"] == ("150.00" if weekend else "100.00"), entry
        assert sorted(RateDay.objects.values_list("date", flat=True)) == [
            monday + datetime.timedelta(days=n) for n in (5, 6, 12, 13)
        ]

    def test_fields_left_out_keep_their_values(self, staff_gql, standard, day):
        set_rates(staff_gql, standard.pk, day(1), day(5), price="150.00", maxStay=7)
        set_rates(staff_gql, standard.pk, day(1), day(5), minStay=2)
        answer = set_rates(staff_gql, standard.pk, day(3), day(5), closedToDeparture=True)

        assert answer["days"] == [
            {"date": iso(day(n)), "price": "150.00", "minStay": 2, "maxStay": 7, "closedToArrival": False,
             "closedToDeparture": True, "stopSell": False}
            for n in (3, 4)
        ]

    def test_a_later_write_overrides_an_earlier_one(self, staff_gql, gql, flat, standard, day):
        set_rates(staff_gql, standard.pk, day(0), day(10), price="150.00", stopSell=True)
        set_rates(staff_gql, standard.pk, day(5), day(15), price="120.00", stopSell=False)

        calendar = answer_of(gql, AVAILABILITY, {"id": str(flat.pk), "start": iso(day(0)), "end": iso(day(16))})

        assert [(entry["price"], entry["stopSell"]) for entry in calendar] == (
            [("150.00", True)] * 5 + [("120.00", False)] * 10 + [("100.00", False)]
        )

    def test_a_derived_plan_follows_later_changes_of_its_parent(self, staff_gql, gql, flat, standard, derived, day):
        set_rates(staff_gql, standard.pk, day(2), day(4), price="200.00", minStay=2)
        variables = {"id": str(flat.pk), "start": iso(day(1)), "end": iso(day(4)), "plan": str(derived.pk)}

        first = answer_of(gql, AVAILABILITY, variables)
        set_rates(staff_gql, standard.pk, day(3), day(4), price="250.00")
        second = answer_of(gql, AVAILABILITY, variables)

        assert [(d["price"], d["minStay"]) for d in first] == [("90.00", 1), ("180.00", 2), ("180.00", 2)]
        assert [d["price"] for d in second] == ["90.00", "180.00", "225.00"]

    def test_an_empty_weekday_selection_in_the_range_writes_nothing(self, staff_gql, standard, day):
        monday = next_weekday(day(0), 1)

        answer = set_rates(staff_gql, standard.pk, monday, monday + datetime.timedelta(days=3), weekdays=[7], price="1")

        assert answer["__typename"] == "RateCalendar"
        assert [entry["price"] for entry in answer["days"]] == ["100.00"] * 3
        assert rate_rows() == []


PLAN_BASE = {"code": "FLEX", "name": "Flexible"}


class TestRatePlanValidation:
    def test_a_code_is_unique_per_accommodation(self, staff_gql, flat, make_apartment):
        before = plan_rows()

        refused(create_plan(staff_gql, accommodation=str(flat.pk), code="STANDARD", name="Again"),
                {("code", "rate_plan_code_taken")})
        assert plan_rows() == before
        # Surrounding blanks do not make another code.
        refused(create_plan(staff_gql, accommodation=str(flat.pk), code=" STANDARD ", name="Again"),
                {("code", "rate_plan_code_taken")})
        # The same code at another place is fine.
        other = make_apartment(name="Other")
        assert create_plan(staff_gql, accommodation=str(other.pk), code="FLEX", name="Flex")["__typename"] == "RatePlan"
        assert create_plan(staff_gql, accommodation=str(flat.pk), code="FLEX", name="Flex")["__typename"] == "RatePlan"

    def test_renaming_a_code_onto_a_taken_one(self, staff_gql, derived):
        refused(update_plan(staff_gql, id=str(derived.pk), code="STANDARD"), {("code", "rate_plan_code_taken")})
        assert RatePlan.objects.get(pk=derived.pk).code == "NONREF"

    @pytest.mark.parametrize(("field", "value", "code"), [
        ("code", "", "blank"), ("code", "   ", "blank"), ("name", "", "blank"), ("name", "  ", "blank"),
        ("code", "NON REF", "invalid"), ("code", "x" * 51, "max_length"), ("name", "x" * 101, "max_length"),
        ("code", "A\x00B", "invalid_value"),
    ])
    def test_code_and_name(self, staff_gql, flat, field, value, code):
        before = plan_rows()

        refused(create_plan(staff_gql, accommodation=str(flat.pk), **(PLAN_BASE | {field: value})), {(field, code)})
        assert plan_rows() == before

    def test_an_unknown_accommodation_or_parent(self, staff_gql, flat):
        refused(create_plan(staff_gql, accommodation="987654321", **PLAN_BASE), {("accommodation", "not_found")})
        refused(create_plan(staff_gql, accommodation=str(flat.pk), parent="abc", adjustmentPercent="-5", **PLAN_BASE),
                {("parent", "not_found")})

    def test_the_parent_must_be_a_plan_of_the_same_place(self, staff_gql, flat, make_apartment):
        other_place_plan = make_apartment(name="Elsewhere").rate_plans.get()

        refused(
            create_plan(staff_gql, accommodation=str(flat.pk), parent=str(other_place_plan.pk), adjustmentPercent="-5", **PLAN_BASE),
            {("parent", "invalid_parent_plan")},
        )

    def test_the_parent_must_price_itself(self, staff_gql, flat, derived):
        refused(
            create_plan(staff_gql, accommodation=str(flat.pk), parent=str(derived.pk), adjustmentPercent="-5", **PLAN_BASE),
            {("parent", "invalid_parent_plan")},
        )

    def test_a_plan_cannot_derive_from_itself(self, staff_gql, flat):
        flex = catalog_services.create_rate_plan(accommodation_id=flat.pk, **PLAN_BASE)

        refused(update_plan(staff_gql, id=str(flex.pk), parent=str(flex.pk), adjustmentPercent="5"),
                {("parent", "invalid_parent_plan")})
        assert RatePlan.objects.get(pk=flex.pk).parent_id is None

    def test_an_adjustment_needs_a_parent_and_a_parent_needs_an_adjustment(self, staff_gql, flat, standard):
        refused(create_plan(staff_gql, accommodation=str(flat.pk), adjustmentPercent="-5", **PLAN_BASE),
                {("adjustmentPercent", "invalid_parent_plan")})
        refused(create_plan(staff_gql, accommodation=str(flat.pk), parent=str(standard.pk), **PLAN_BASE),
                {("adjustmentPercent", "blank")})

    @pytest.mark.parametrize(("adjustment", "accepted"), [
        ("-100", False), ("-100.5", False), ("1000.01", False), ("-99.99", True), ("1000", True), ("0", True),
    ])
    def test_the_adjustment_range(self, staff_gql, flat, standard, adjustment, accepted):
        answer = create_plan(staff_gql, accommodation=str(flat.pk), parent=str(standard.pk), adjustmentPercent=adjustment, **PLAN_BASE)

        if accepted:
            assert answer["__typename"] == "RatePlan" and Decimal(answer["adjustmentPercent"]) == Decimal(adjustment)
        else:
            refused(answer, {("adjustmentPercent", "invalid")})

    def test_the_default_plan_stays_on_sale_and_prices_itself(self, staff_gql, flat, standard):
        flex = catalog_services.create_rate_plan(accommodation_id=flat.pk, **PLAN_BASE)
        before = plan_rows()

        refused(update_plan(staff_gql, id=str(standard.pk), active=False), {("active", "default_plan_required")})
        refused(update_plan(staff_gql, id=str(standard.pk), parent=str(flex.pk), adjustmentPercent="-5"),
                {("parent", "default_plan_required")})
        assert plan_rows() == before

    def test_a_plan_others_derive_from_cannot_become_derived(self, staff_gql, flat, standard):
        parent = catalog_services.create_rate_plan(accommodation_id=flat.pk, **PLAN_BASE)
        catalog_services.create_rate_plan(
            accommodation_id=flat.pk, code="FLEX-NONREF", name="Flexible, prepaid", parent_id=parent.pk,
            adjustment_percent=Decimal("-8"),
        )

        refused(update_plan(staff_gql, id=str(parent.pk), parent=str(standard.pk), adjustmentPercent="10"),
                {("parent", "plan_has_derived")})
        assert RatePlan.objects.get(pk=parent.pk).parent_id is None

    def test_a_derived_plan_can_price_itself_again(self, staff_gql, gql, flat, derived, day):
        answer = update_plan(staff_gql, id=str(derived.pk), parent=None)

        assert (answer["parent"], answer["adjustmentPercent"]) == (None, None)
        calendar = answer_of(gql, AVAILABILITY, {"id": str(flat.pk), "start": iso(day(1)), "end": iso(day(2)), "plan": str(derived.pk)})
        assert calendar[0]["price"] == "100.00"  # the base price now, not the parent's -10 %

    @pytest.mark.parametrize(("extra", "field"), [
        ({"freeCancellationDays": 3}, "freeCancellationDays"),
        ({"freeCancellationDays": 0}, "freeCancellationDays"),
        ({"feePercent": "50"}, "feePercent"),
    ])
    def test_a_non_refundable_plan_has_no_free_window_and_charges_everything(self, staff_gql, flat, extra, field):
        refused(create_plan(staff_gql, accommodation=str(flat.pk), refundable=False, **PLAN_BASE, **extra),
                {(field, "invalid_cancellation_policy")})

    def test_a_non_refundable_plan_states_its_policy(self, staff_gql, flat):
        answer = create_plan(staff_gql, accommodation=str(flat.pk), refundable=False, feePercent="100", **PLAN_BASE)

        assert answer["cancellationPolicy"] == {"refundable": False, "freeCancellationDays": None, "feePercent": "100.00"}

    def test_turning_a_plan_non_refundable_drops_its_free_window(self, staff_gql, flat):
        flex = catalog_services.create_rate_plan(
            accommodation_id=flat.pk, free_cancellation_days=7, fee_percent=Decimal("30"), **PLAN_BASE
        )

        answer = update_plan(staff_gql, id=str(flex.pk), refundable=False)

        assert answer["cancellationPolicy"] == {"refundable": False, "freeCancellationDays": None, "feePercent": "100.00"}

    def test_a_refundable_plan_defaults_to_free_until_check_in(self, staff_gql, flat):
        answer = create_plan(staff_gql, accommodation=str(flat.pk), **PLAN_BASE)

        assert answer["cancellationPolicy"] == {"refundable": True, "freeCancellationDays": 0, "feePercent": "100.00"}

    @pytest.mark.parametrize(("extra", "field", "code"), [
        ({"feePercent": "100.01"}, "feePercent", "max_value"),
        ({"feePercent": "-1"}, "feePercent", "min_value"),
        ({"freeCancellationDays": -1}, "freeCancellationDays", "min_value"),
    ])
    def test_cancellation_policy_bounds(self, staff_gql, flat, extra, field, code):
        refused(create_plan(staff_gql, accommodation=str(flat.pk), **PLAN_BASE, **extra), {(field, code)})

    @pytest.mark.parametrize("field", ["code", "name", "active", "refundable", "feePercent"])
    def test_update_refuses_null_for_required_fields(self, staff_gql, derived, field):
        before = plan_rows()

        answer = update_plan(staff_gql, id=str(derived.pk), **{field: None})

        assert message_kinds(answer) == {"VALIDATION"}
        assert plan_rows() == before

    def test_update_of_an_unknown_plan(self, staff_gql):
        refused(update_plan(staff_gql, id="987654321", name="x"), {("id", "not_found")})


class TestBookingUnderAPlan:
    def test_the_default_plan_when_none_is_named(self, gql, flat, standard, day):
        answer = book(gql, flat, day(3), day(5))

        assert answer["ratePlan"] == {"id": str(standard.pk), "code": "STANDARD"}
        assert answer["totalPrice"] == "200.00"

    @pytest.mark.parametrize("plan_id", ["987654321", "abc", "0", "-4"])
    def test_an_unknown_plan(self, gql, flat, day, plan_id):
        refused(book(gql, flat, day(3), day(5), ratePlan=plan_id), {("ratePlan", "rate_plan_not_found")})
        assert not Booking.objects.exists()

    def test_a_plan_of_another_accommodation(self, gql, flat, make_apartment, day):
        foreign = make_apartment(name="Elsewhere").rate_plans.get()

        refused(book(gql, flat, day(3), day(5), ratePlan=str(foreign.pk)), {("ratePlan", "rate_plan_not_found")})
        assert not Booking.objects.exists()

    def test_an_inactive_plan(self, gql, flat, derived, day):
        catalog_services.update_rate_plan(rate_plan_id=derived.pk, active=False)

        refused(book(gql, flat, day(3), day(5), ratePlan=str(derived.pk)), {("ratePlan", "rate_plan_not_available")})
        assert not Booking.objects.exists()

    def test_next_date_and_availability_name_a_bad_plan_with_its_code(self, gql, flat, derived, make_apartment, day):
        foreign = make_apartment(name="Elsewhere").rate_plans.get()
        catalog_services.update_rate_plan(rate_plan_id=derived.pk, active=False)

        def error_code(document, **variables) -> str:
            response = gql(document, {"id": str(flat.pk), **variables})
            assert response.status_code == 200 and response.body["data"] is None, response.body
            return response.errors[0]["extensions"]["code"]

        window = {"start": iso(day(1)), "end": iso(day(5))}
        assert error_code(NEXT_DATE, date=iso(day(1)), nights=1, plan=str(foreign.pk)) == "rate_plan_not_found"
        assert error_code(NEXT_DATE, date=iso(day(1)), nights=1, plan="abc") == "rate_plan_not_found"
        assert error_code(NEXT_DATE, date=iso(day(1)), nights=1, plan=str(derived.pk)) == "rate_plan_not_available"
        assert error_code(AVAILABILITY, plan=str(foreign.pk), **window) == "rate_plan_not_found"

    def test_guests_cannot_read_an_inactive_plans_prices_through_availability(self, gql, staff_gql, flat, derived, day):
        """Inactive plans are shown to staff only: the availability calendar under one is no exception."""
        catalog_services.update_rate_plan(rate_plan_id=derived.pk, active=False)
        variables = {"id": str(flat.pk), "start": iso(day(1)), "end": iso(day(3)), "plan": str(derived.pk)}

        response = gql(AVAILABILITY, variables)

        assert response.body["data"] is None
        assert response.errors[0]["extensions"]["code"] == "rate_plan_not_available"
        assert [entry["price"] for entry in answer_of(staff_gql, AVAILABILITY, variables)] == ["90.00", "90.00"]
