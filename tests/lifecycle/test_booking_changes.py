"""changeBooking: re-pricing (kept nights keep their agreed price; new nights take today's; a plan
change re-quotes every night), the answer's totals, the price check (PriceChanged, nothing written),
the rules and capacity codes, never blocked by its own nights, and what cannot change."""
from __future__ import annotations

from decimal import Decimal

import pytest

from bookings import services
from bookings.models import Booking, BookingRevision, BookingStatus
from catalog import services as catalog_services
from catalog.models import RatePlan

pytestmark = pytest.mark.django_db

EMAIL = "cy@example.com"
CHANGE = """
mutation($data: ChangeBookingInput!) {
  changeBooking(data: $data) {
    __typename
    ... on BookingChange { previousTotalPrice totalPrice difference
                           booking { startDate endDate guests totalPrice nightlyPrices { date price } ratePlan { code } } }
    ... on PriceChanged { code message expectedTotalPrice totalPrice nightlyPrices { date price } }
    ... on OperationInfo { messages { code field } }
  }
}"""
SET_RATES = """
mutation($plan: ID!, $start: Date!, $end: Date!, $price: Decimal, $minStay: Int, $closedToArrival: Boolean, $stopSell: Boolean) {
  setRates(ratePlan: $plan, start: $start, end: $end, price: $price, minStay: $minStay,
           closedToArrival: $closedToArrival, stopSell: $stopSell) { __typename }
}"""


def default_plan(place) -> RatePlan:
    return RatePlan.objects.get(accommodation=place, is_default=True)


def prices(rows) -> list[str]:
    return [row["price"] for row in rows]


@pytest.fixture
def hotel(make_hotel):
    return make_hotel(rooms=1, price=Decimal("100.00"))


@pytest.fixture
def stay(hotel, day):
    """Three nights [10, 13) agreed at 100; then today's rate on every day rises to 150."""
    booking = services.create_booking(
        accommodation_id=hotel.pk, start_date=day(10), end_date=day(13), guest_name="Cy", guest_email=EMAIL
    )
    catalog_services.set_rates(rate_plan_id=default_plan(hotel).pk, start=day(0), end=day(60), price=Decimal("150.00"))
    return booking


def guest_change(gql, booking, **fields):
    return gql(CHANGE, {"data": {"reference": booking.reference, "email": EMAIL, **fields}}).data["changeBooking"]


def snapshot(booking) -> tuple:
    row = Booking.objects.get(pk=booking.pk)
    return (row.start_date, row.end_date, row.guests, row.rate_plan_id, row.total_price, row.nightly_prices,
            row.free_cancellation_until, row.status, BookingRevision.objects.filter(booking=row).count())


# --- re-pricing --------------------------------------------------------------------------------------------

def test_kept_nights_keep_their_agreed_price_and_new_nights_take_todays(gql, stay, day):
    answer = guest_change(gql, stay, startDate=str(day(11)), endDate=str(day(15)))

    assert answer["__typename"] == "BookingChange", answer
    assert prices(answer["booking"]["nightlyPrices"]) == ["100.00", "100.00", "150.00", "150.00"]
    assert [n["date"] for n in answer["booking"]["nightlyPrices"]] == [str(day(d)) for d in (11, 12, 13, 14)]
    assert (answer["previousTotalPrice"], answer["totalPrice"], answer["difference"]) == ("300.00", "500.00", "200.00")
    assert answer["booking"]["totalPrice"] == "500.00"
    stay.refresh_from_db()
    assert (stay.start_date, stay.end_date, stay.total_price) == (day(11), day(15), Decimal("500.00"))


def test_shortening_refunds_the_dropped_nights_at_their_agreed_price(gql, stay, day):
    answer = guest_change(gql, stay, endDate=str(day(11)))

    assert prices(answer["booking"]["nightlyPrices"]) == ["100.00"]
    assert (answer["previousTotalPrice"], answer["totalPrice"], answer["difference"]) == ("300.00", "100.00", "-200.00")


def test_a_plan_change_requotes_every_night_under_the_new_plan(gql, hotel, stay, day):
    catalog_services.create_rate_plan(
        accommodation_id=hotel.pk, code="NONREF", name="Non-refundable", parent_id=default_plan(hotel).pk,
        adjustment_percent=Decimal("-10"), refundable=False,
    )
    plan = RatePlan.objects.get(accommodation=hotel, code="NONREF")

    answer = guest_change(gql, stay, ratePlan=str(plan.pk))

    # Same dates, yet no night keeps 100: the new plan's current price (150 - 10 %) on each.
    assert prices(answer["booking"]["nightlyPrices"]) == ["135.00"] * 3
    assert answer["booking"]["ratePlan"]["code"] == "NONREF"
    assert (answer["previousTotalPrice"], answer["totalPrice"], answer["difference"]) == ("300.00", "405.00", "105.00")
    stay.refresh_from_db()
    assert not stay.refundable and stay.free_cancellation_until is None and stay.cancellation_fee_percent == 100


def test_a_change_of_guests_only_keeps_the_agreed_price(gql, stay):
    answer = guest_change(gql, stay, guests=2)

    assert answer["booking"]["guests"] == 2
    assert (answer["previousTotalPrice"], answer["totalPrice"], answer["difference"]) == ("300.00", "300.00", "0.00")
    assert prices(answer["booking"]["nightlyPrices"]) == ["100.00"] * 3


def test_staff_change_by_id_follows_the_same_pricing_rule(staff_gql, stay, day):
    answer = staff_gql(CHANGE, {"data": {"id": str(stay.pk), "startDate": str(day(12)), "endDate": str(day(14))}}).data["changeBooking"]

    assert prices(answer["booking"]["nightlyPrices"]) == ["100.00", "150.00"]
    assert answer["difference"] == "-50.00"


# --- the price check -----------------------------------------------------------------------------------------

def test_a_different_expected_total_is_refused_with_the_new_quote_and_nothing_changes(gql, stay, day):
    before = snapshot(stay)

    answer = guest_change(gql, stay, startDate=str(day(11)), endDate=str(day(15)), expectedTotalPrice="450.00")

    assert answer["__typename"] == "PriceChanged", answer
    assert (answer["code"], answer["expectedTotalPrice"], answer["totalPrice"]) == ("price_changed", "450.00", "500.00")
    assert prices(answer["nightlyPrices"]) == ["100.00", "100.00", "150.00", "150.00"]
    assert [n["date"] for n in answer["nightlyPrices"]] == [str(day(d)) for d in (11, 12, 13, 14)]
    assert snapshot(stay) == before


def test_the_expected_total_accepted_when_it_matches(gql, stay, day):
    answer = guest_change(gql, stay, startDate=str(day(11)), endDate=str(day(15)), expectedTotalPrice="500")

    assert answer["__typename"] == "BookingChange" and answer["totalPrice"] == "500.00"


def test_the_price_check_applies_to_a_change_of_guests_too(gql, stay):
    before = snapshot(stay)

    answer = guest_change(gql, stay, guests=2, expectedTotalPrice="299.99")

    assert answer["__typename"] == "PriceChanged" and answer["totalPrice"] == "300.00"
    assert snapshot(stay) == before


def test_a_plan_change_price_check_quotes_the_new_plan(gql, hotel, stay):
    catalog_services.create_rate_plan(
        accommodation_id=hotel.pk, code="FLEX", name="Flex", parent_id=default_plan(hotel).pk, adjustment_percent=Decimal("20"),
        free_cancellation_days=3,
    )
    plan = RatePlan.objects.get(accommodation=hotel, code="FLEX")
    before = snapshot(stay)

    answer = guest_change(gql, stay, ratePlan=str(plan.pk), expectedTotalPrice="300.00")

    assert (answer["__typename"], answer["totalPrice"]) == ("PriceChanged", "540.00")
    assert snapshot(stay) == before


# --- rules and capacity --------------------------------------------------------------------------------------

@pytest.mark.parametrize("rates, code", [
    ({"minStay": 4}, "min_stay_not_met"),
    ({"closedToArrival": True}, "closed_to_arrival"),
    ({"stopSell": True}, "stop_sell"),
])
def test_the_rules_of_the_new_stay_apply(gql, staff_gql, hotel, stay, day, rates, code):
    set_rates = staff_gql(SET_RATES, {"plan": str(default_plan(hotel).pk), "start": str(day(20)), "end": str(day(21)), **rates})
    assert set_rates.data["setRates"]["__typename"] == "RateCalendar"
    before = snapshot(stay)

    answer = guest_change(gql, stay, startDate=str(day(20)), endDate=str(day(23)))

    assert [m["code"] for m in answer["messages"]] == [code]
    assert snapshot(stay) == before


def test_a_change_into_the_past_is_refused(gql, stay, day):
    answer = guest_change(gql, stay, startDate=str(day(-1)), endDate=str(day(2)))

    assert [m["code"] for m in answer["messages"]] == ["date_in_past"]


def test_a_full_hotel_refuses_the_move(gql, hotel, stay, day):
    services.create_booking(accommodation_id=hotel.pk, start_date=day(14), end_date=day(16), guest_name="Other")

    answer = guest_change(gql, stay, startDate=str(day(13)), endDate=str(day(15)))

    assert [(m["code"], m["field"]) for m in answer["messages"]] == [("no_rooms_available", "startDate")]


def test_an_apartment_refuses_a_move_over_another_booking(gql, make_apartment, day):
    flat = make_apartment()
    mine = services.create_booking(accommodation_id=flat.pk, start_date=day(10), end_date=day(12), guest_name="Me", guest_email=EMAIL)
    services.create_booking(accommodation_id=flat.pk, start_date=day(14), end_date=day(16), guest_name="Other")

    answer = guest_change(gql, mine, endDate=str(day(15)))

    assert [m["code"] for m in answer["messages"]] == ["booking_overlap"]
    assert Booking.objects.get(pk=mine.pk).end_date == day(12)


@pytest.mark.parametrize("kind", ["hotel", "apartment"])
@pytest.mark.parametrize("start, end", [(9, 12), (11, 14), (10, 14), (11, 12), (8, 16)])
def test_a_change_is_never_blocked_by_its_own_nights(gql, make_hotel, make_apartment, day, kind, start, end):
    place = make_hotel(rooms=1) if kind == "hotel" else make_apartment()
    mine = services.create_booking(accommodation_id=place.pk, start_date=day(10), end_date=day(13), guest_name="Me", guest_email=EMAIL)

    answer = guest_change(gql, mine, startDate=str(day(start)), endDate=str(day(end)))

    assert answer["__typename"] == "BookingChange", answer
    assert (answer["booking"]["startDate"], answer["booking"]["endDate"]) == (str(day(start)), str(day(end)))


def test_a_held_booking_can_change_and_stays_held(gql, hotel, day):
    held = services.create_booking(
        accommodation_id=hotel.pk, start_date=day(10), end_date=day(12), guest_name="H", guest_email=EMAIL, hold=True
    )

    answer = guest_change(gql, held, endDate=str(day(13)))

    assert answer["__typename"] == "BookingChange"
    held.refresh_from_db()
    assert held.status == BookingStatus.HELD and held.end_date == day(13)


def test_a_cancelled_booking_cannot_change(gql, stay, day):
    services.cancel_booking(booking_id=stay.pk)
    before = snapshot(stay)

    answer = guest_change(gql, stay, endDate=str(day(14)))

    assert [m["code"] for m in answer["messages"]] == ["already_cancelled"]
    assert snapshot(stay) == before


def test_an_expired_hold_cannot_change(gql, hotel, day, clock):
    held = services.create_booking(
        accommodation_id=hotel.pk, start_date=day(10), end_date=day(12), guest_name="H", guest_email=EMAIL, hold=True
    )
    clock.advance(minutes=15)

    lapsed = guest_change(gql, held, endDate=str(day(13)))
    assert [m["code"] for m in lapsed["messages"]] == ["hold_expired"]

    services.expire_holds()
    assert Booking.objects.get(pk=held.pk).status == BookingStatus.EXPIRED
    swept = guest_change(gql, held, guests=2)
    assert [m["code"] for m in swept["messages"]] == ["hold_expired"]
    assert Booking.objects.get(pk=held.pk).end_date == day(12)


def test_confirming_a_hold_after_rates_moved_keeps_the_held_price(gql, hotel, day):
    held = services.create_booking(
        accommodation_id=hotel.pk, start_date=day(10), end_date=day(12), guest_name="H", guest_email=EMAIL, hold=True
    )
    catalog_services.set_rates(rate_plan_id=default_plan(hotel).pk, start=day(0), end=day(30), price=Decimal("999.00"))

    confirmed = services.confirm_booking(reference=held.reference, email=EMAIL, expected_total_price=Decimal("200.00"))

    assert confirmed.status == BookingStatus.CONFIRMED and confirmed.total_price == Decimal("200.00")
    with pytest.raises(services.PriceChanged) as refused:
        services.create_booking(accommodation_id=hotel.pk, start_date=day(20), end_date=day(21), guest_name="N",
                                expected_total_price=Decimal("100.00"))
    assert refused.value.total == Decimal("999.00")
