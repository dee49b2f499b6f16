"""A booking keeps what the guest agreed to (plan, nightly prices, total, cancellation terms) whatever
staff change later; cancelling charges from those terms and the moment of cancellation; moving the
dates re-quotes under the current rates and terms."""
from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings import services as booking_services
from bookings.models import Booking
from catalog import services as catalog_services
from rates_gql import (
    BOOKING, CANCEL, UPDATE_BOOKING, answer_of, book, iso, problems, set_rates, update_plan,
)

pytestmark = pytest.mark.django_db


def check_in_time(date: datetime.date) -> datetime.datetime:
    """The check-in time (BOOKING_CHECK_IN_TIME) on that day in the business's time zone, worked out here."""
    hours, minutes = (int(part) for part in django_settings.BOOKING_CHECK_IN_TIME.split(":"))
    return datetime.datetime(date.year, date.month, date.day, hours, minutes, tzinfo=ZoneInfo(django_settings.TIME_ZONE))


def moment(text: str | None) -> datetime.datetime | None:
    return None if text is None else datetime.datetime.fromisoformat(text)


@pytest.fixture
def flat(make_apartment):
    return make_apartment(price=Decimal("100.00"))


@pytest.fixture
def standard(flat):
    return flat.rate_plans.get(is_default=True)


@pytest.fixture
def flexible(flat):
    """Free until 3 days before check-in, then 40 % of the total."""
    return catalog_services.create_rate_plan(
        accommodation_id=flat.pk, code="FLEX", name="Flexible", free_cancellation_days=3, fee_percent=Decimal("40")
    )


@pytest.fixture
def nonref(flat, standard):
    return catalog_services.create_rate_plan(
        accommodation_id=flat.pk, code="NONREF", name="Non-refundable", parent_id=standard.pk,
        adjustment_percent=Decimal("-10"), refundable=False,
    )


def snapshot(staff_gql, booking_id: str) -> dict:
    return answer_of(staff_gql, BOOKING, {"id": booking_id})


class TestTheSnapshot:
    def test_later_rate_and_policy_changes_never_touch_a_booking(self, staff_gql, gql, flat, standard, flexible, day):
        set_rates(staff_gql, flexible.pk, day(10), day(11), price="130.00")
        booked = book(gql, flat, day(9), day(12), ratePlan=str(flexible.pk))
        assert booked["__typename"] == "Booking", booked
        before = snapshot(staff_gql, booked["id"])

        set_rates(staff_gql, flexible.pk, day(9), day(12), price="999.00", stopSell=True)
        set_rates(staff_gql, standard.pk, day(9), day(12), price="999.00")
        update_plan(staff_gql, id=str(flexible.pk), freeCancellationDays=0, feePercent="90")
        update_plan(staff_gql, id=str(flexible.pk), refundable=False, active=False, code="GONE")

        after = snapshot(staff_gql, booked["id"])
        # The booking still points at its plan (whose code staff renamed); everything agreed is as it was.
        assert after["ratePlan"] == {"id": str(flexible.pk), "code": "GONE"}
        assert {**after, "ratePlan": None} == {**before, "ratePlan": None}
        assert [night["price"] for night in after["nightlyPrices"]] == ["100.00", "130.00", "100.00"]
        assert after["totalPrice"] == "330.00"
        assert moment(after["freeCancellationUntil"]) == check_in_time(day(9)) - datetime.timedelta(days=3)
        assert after["cancellationFeePercent"] == "40.00"

    def test_a_derived_plan_booking_keeps_its_prices_when_the_parent_moves(self, staff_gql, gql, flat, standard, nonref, day):
        booked = book(gql, flat, day(5), day(7), ratePlan=str(nonref.pk))
        set_rates(staff_gql, standard.pk, day(5), day(7), price="500.00")

        after = snapshot(staff_gql, booked["id"])

        assert [night["price"] for night in after["nightlyPrices"]] == ["90.00", "90.00"]
        assert (after["totalPrice"], after["freeCancellationUntil"], after["cancellationFeePercent"]) == (
            "180.00", None, "100.00"
        )

    def test_the_default_plan_is_free_until_check_in_on_the_arrival_day(self, gql, flat, day):
        booked = book(gql, flat, day(4), day(6))

        assert booked["ratePlan"]["code"] == "STANDARD"
        assert moment(booked["freeCancellationUntil"]) == check_in_time(day(4))
        assert booked["cancellationFeePercent"] == "100.00"
        assert booked["cancellationFee"] is None  # nothing charged while the booking stands

    def test_the_check_in_time_is_the_propertys_defaulting_to_the_setting(self, gql, make_apartment, day, settings):
        settings.BOOKING_CHECK_IN_TIME = "11:30"
        flat = make_apartment(price=Decimal("100.00"))  # made after the setting changed: its default
        assert flat.check_in_time == datetime.time(11, 30)

        booked = book(gql, flat, day(4), day(6))

        assert moment(booked["freeCancellationUntil"]) == check_in_time(day(4))
        assert moment(booked["freeCancellationUntil"]).time() == datetime.time(11, 30)

        flat.check_in_time = datetime.time(16, 45)  # the property's own time wins over the setting
        flat.save(update_fields=["check_in_time"])
        later = book(gql, flat, day(8), day(9))
        assert moment(later["freeCancellationUntil"]).time() == datetime.time(16, 45)

    def test_an_offer_and_the_booking_made_from_it_state_the_same_terms(self, gql, flat, flexible, day):
        search = """query($in: Date!, $out: Date!) { searchStays(checkIn: $in, checkOut: $out) {
            ratePlan { code } totalPrice nightlyPrices { date price } freeCancellationUntil cancellationFee } }"""
        offers = {offer["ratePlan"]["code"]: offer for offer in answer_of(gql, search, {"in": iso(day(8)), "out": iso(day(10))})}

        booked = book(gql, flat, day(8), day(10), ratePlan=str(flexible.pk))

        offer = offers["FLEX"]
        assert (booked["totalPrice"], booked["nightlyPrices"], booked["freeCancellationUntil"]) == (
            offer["totalPrice"], offer["nightlyPrices"], offer["freeCancellationUntil"]
        )
        assert offer["cancellationFee"] == "80.00"  # 40 % of 200.00 once the free window is over


class TestCancellationFees:
    def test_before_the_free_window_ends_cancelling_is_free(self, staff_gql, gql, flat, flexible, day):
        booked = book(gql, flat, day(20), day(23), ratePlan=str(flexible.pk))

        cancelled = answer_of(staff_gql, CANCEL, {"id": booked["id"]})

        assert (cancelled["status"], cancelled["cancellationFee"], cancelled["totalPrice"]) == ("CANCELLED", "0.00", "300.00")
        assert Booking.objects.get(pk=booked["id"]).cancellation_fee == Decimal("0.00")

    def test_after_the_free_window_the_fee_is_the_plans_share_of_the_total(self, staff_gql, gql, flat, flexible, day):
        # Arriving in two days on a plan free until three days before: the window is already over.
        booked = book(gql, flat, day(2), day(5), ratePlan=str(flexible.pk))
        assert moment(booked["freeCancellationUntil"]) < timezone.now()

        cancelled = answer_of(staff_gql, CANCEL, {"id": booked["id"]})

        assert cancelled["cancellationFee"] == "120.00"  # 40 % of 300.00
        assert cancelled["cancelledAt"] is not None

    def test_the_fee_rounds_half_up_to_the_cent(self, staff_gql, gql, make_apartment, day):
        flat = make_apartment(price=Decimal("10.01"))
        half = catalog_services.create_rate_plan(
            accommodation_id=flat.pk, code="HALF", name="Half", free_cancellation_days=30, fee_percent=Decimal("50")
        )
        booked = book(gql, flat, day(2), day(3), ratePlan=str(half.pk))

        assert answer_of(staff_gql, CANCEL, {"id": booked["id"]})["cancellationFee"] == "5.01"  # 5.005

    def test_non_refundable_charges_the_whole_total_at_any_time(self, staff_gql, gql, flat, nonref, day):
        booked = book(gql, flat, day(60), day(63), ratePlan=str(nonref.pk))
        assert booked["freeCancellationUntil"] is None

        cancelled = answer_of(staff_gql, CANCEL, {"id": booked["id"]})

        assert (cancelled["cancellationFee"], cancelled["totalPrice"]) == ("270.00", "270.00")

    def test_the_fee_follows_the_bookings_terms_not_the_plans_current_ones(self, staff_gql, gql, flat, flexible, day):
        booked = book(gql, flat, day(2), day(4), ratePlan=str(flexible.pk))
        update_plan(staff_gql, id=str(flexible.pk), feePercent="10", freeCancellationDays=0)

        cancelled = answer_of(staff_gql, CANCEL, {"id": booked["id"]})

        assert cancelled["cancellationFee"] == "80.00"  # 40 % of 200.00, as agreed

    @pytest.mark.parametrize(("offset", "fee"), [
        (datetime.timedelta(seconds=-1), Decimal("0.00")),  # the last free second
        (datetime.timedelta(0), Decimal("120.00")),  # the deadline itself is past the free window
        (datetime.timedelta(hours=5), Decimal("120.00")),
    ])
    def test_the_free_window_ends_at_its_deadline(self, monkeypatch, flat, flexible, day, offset, fee):
        booking = booking_services.create_booking(
            accommodation_id=flat.pk, start_date=day(10), end_date=day(13), guest_name="Ada", rate_plan_id=flexible.pk
        )
        deadline = check_in_time(day(10)) - datetime.timedelta(days=3)
        assert booking.free_cancellation_until == deadline
        monkeypatch.setattr(timezone, "now", lambda: deadline + offset)

        cancelled = booking_services.cancel_booking(booking_id=booking.pk)

        assert cancelled.cancellation_fee == fee
        assert Booking.objects.get(pk=booking.pk).cancelled_at == deadline + offset

    def test_a_booking_is_cancelled_and_charged_once(self, staff_gql, gql, flat, nonref, day):
        booked = book(gql, flat, day(3), day(4), ratePlan=str(nonref.pk))
        answer_of(staff_gql, CANCEL, {"id": booked["id"]})

        again = answer_of(staff_gql, CANCEL, {"id": booked["id"]})

        assert {code for _, code in problems(again)} == {"already_cancelled"}
        assert Booking.objects.get(pk=booked["id"]).cancellation_fee == Decimal("90.00")

    def test_a_cancelled_booking_frees_its_nights(self, staff_gql, gql, flat, nonref, day):
        booked = book(gql, flat, day(3), day(5), ratePlan=str(nonref.pk))
        answer_of(staff_gql, CANCEL, {"id": booked["id"]})

        assert book(gql, flat, day(3), day(5))["__typename"] == "Booking"


class TestMovingABooking:
    def test_moving_the_dates_requotes_under_the_current_rates_and_terms(self, staff_gql, gql, flat, flexible, day):
        booked = book(gql, flat, day(10), day(12), ratePlan=str(flexible.pk))
        set_rates(staff_gql, flexible.pk, day(20), day(21), price="175.00")
        update_plan(staff_gql, id=str(flexible.pk), feePercent="25", freeCancellationDays=1)

        moved = answer_of(staff_gql, UPDATE_BOOKING, {"data": {"id": booked["id"], "startDate": iso(day(19)), "endDate": iso(day(22))}})

        assert moved["__typename"] == "Booking", moved
        assert [(night["date"], night["price"]) for night in moved["nightlyPrices"]] == [
            (iso(day(19)), "100.00"), (iso(day(20)), "175.00"), (iso(day(21)), "100.00"),
        ]
        assert moved["totalPrice"] == "375.00"
        assert moved["ratePlan"]["code"] == "FLEX"
        assert moment(moved["freeCancellationUntil"]) == check_in_time(day(19)) - datetime.timedelta(days=1)
        assert moved["cancellationFeePercent"] == "25.00"

    def test_a_move_is_judged_by_the_rules_of_the_new_dates(self, staff_gql, gql, flat, standard, day):
        booked = book(gql, flat, day(10), day(12))
        set_rates(staff_gql, standard.pk, day(19), day(20), minStay=3)
        before = snapshot(staff_gql, booked["id"])

        refused = answer_of(staff_gql, UPDATE_BOOKING, {"data": {"id": booked["id"], "startDate": iso(day(19)), "endDate": iso(day(21))}})

        assert {code for _, code in problems(refused)} == {"min_stay_not_met"}
        assert snapshot(staff_gql, booked["id"]) == before

    def test_changing_only_the_guest_name_keeps_the_agreed_price(self, staff_gql, gql, flat, standard, day):
        booked = book(gql, flat, day(10), day(12))
        set_rates(staff_gql, standard.pk, day(10), day(12), price="300.00")

        renamed = answer_of(staff_gql, UPDATE_BOOKING, {"data": {"id": booked["id"], "guestName": "Grace"}})

        assert (renamed["totalPrice"], renamed["nightlyPrices"]) == (booked["totalPrice"], booked["nightlyPrices"])

    def test_moving_to_another_plan_requotes_under_it(self, staff_gql, gql, flat, nonref, day):
        booked = book(gql, flat, day(10), day(12))

        moved = answer_of(staff_gql, UPDATE_BOOKING, {"data": {"id": booked["id"], "ratePlan": str(nonref.pk)}})

        assert (moved["ratePlan"]["code"], moved["totalPrice"], moved["freeCancellationUntil"]) == ("NONREF", "180.00", None)

    def test_moving_to_an_inactive_plan_is_refused(self, staff_gql, gql, flat, flexible, day):
        booked = book(gql, flat, day(10), day(12))
        catalog_services.update_rate_plan(rate_plan_id=flexible.pk, active=False)

        refused = answer_of(staff_gql, UPDATE_BOOKING, {"data": {"id": booked["id"], "ratePlan": str(flexible.pk)}})

        assert {code for _, code in problems(refused)} == {"rate_plan_not_available"}
        assert Booking.objects.get(pk=booked["id"]).rate_plan.code == "STANDARD"

    def test_a_booking_under_a_plan_later_deactivated_can_still_move_on_it(self, flat, flexible, day):
        """Deactivating stops new sales; the bookings made under the plan keep it when their dates move."""
        booking = booking_services.create_booking(
            accommodation_id=flat.pk, start_date=day(10), end_date=day(12), guest_name="Ada", rate_plan_id=flexible.pk
        )
        catalog_services.update_rate_plan(rate_plan_id=flexible.pk, active=False)

        moved = booking_services.update_booking(booking_id=booking.pk, start_date=day(11), end_date=day(13))

        assert (moved.rate_plan_id, moved.start_date) == (flexible.pk, day(11))

    def test_an_unknown_plan_on_update(self, flat, day):
        booking = booking_services.create_booking(
            accommodation_id=flat.pk, start_date=day(10), end_date=day(12), guest_name="Ada"
        )

        with pytest.raises(ValidationError) as caught:
            booking_services.update_booking(booking_id=booking.pk, rate_plan_id="987654321")

        assert caught.value.error_dict["rate_plan"][0].code == "rate_plan_not_found"
