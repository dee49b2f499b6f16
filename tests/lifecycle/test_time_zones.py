"""Each property's own clock: "today" (past dates, next date, search), the free-cancellation deadline
(N days before its check-in time, in its zone) and a hold's expiry as the guest reads it. Two places
either side of the date line, with the rules' clock around midnight UTC: at 2027-01-10 11:30 UTC it
is already 00:30 on 11 January in Auckland (UTC+13 in summer) and still 03:30 on 10 January in Los
Angeles (UTC-8)."""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from bookings import services
from bookings.models import Booking
from catalog import services as catalog_services

pytestmark = pytest.mark.django_db

UTC = datetime.timezone.utc
MOMENT = datetime.datetime(2027, 1, 10, 11, 30, tzinfo=UTC)
JAN = lambda d: datetime.date(2027, 1, d)  # noqa: E731

BOOK = """
mutation($data: BookingInput!) {
  createBooking(data: $data) {
    __typename
    ... on Booking { id reference status expiresAt freeCancellationUntil cancellationFee }
    ... on OperationInfo { messages { code field message } }
  }
}"""
GUEST = """
query($r: String!, $e: String!) { guestBooking(reference: $r, email: $e) { expiresAt freeCancellationUntil } }"""
NEXT = "query($id: ID!, $date: Date!) { nextAvailableDate(id: $id, date: $date) }"
SEARCH = """
query($in: Date!, $out: Date!) { searchStays(checkIn: $in, checkOut: $out) { accommodation { name } checkIn } }"""


@pytest.fixture
def places(make_hotel, clock):
    clock.set(MOMENT)
    auckland = make_hotel(name="Auckland Harbour", location="Auckland", rooms=2, price=Decimal("200.00"),
                          time_zone="Pacific/Auckland")
    los_angeles = make_hotel(name="LA Sunset", location="Los Angeles", rooms=2, price=Decimal("100.00"),
                             time_zone="America/Los_Angeles", check_in_time=datetime.time(16, 0))
    return auckland, los_angeles


def data(place, start, end, **extra) -> dict:
    return {"accommodation": str(place.pk), "startDate": str(start), "endDate": str(end), "guestName": "T", **extra}


def test_each_place_has_its_own_today(places):
    auckland, los_angeles = places
    assert auckland.local_today(MOMENT) == JAN(11)
    assert los_angeles.local_today(MOMENT) == JAN(10)


def test_a_check_in_on_the_10th_is_past_in_auckland_but_today_in_los_angeles(gql, places):
    auckland, los_angeles = places

    refused = gql(BOOK, {"data": data(auckland, JAN(10), JAN(12))}).data["createBooking"]
    booked = gql(BOOK, {"data": data(los_angeles, JAN(10), JAN(12))}).data["createBooking"]
    tomorrow_there = gql(BOOK, {"data": data(auckland, JAN(11), JAN(12))}).data["createBooking"]

    assert [(m["code"], m["field"]) for m in refused["messages"]] == [("date_in_past", "startDate")]
    assert "Pacific/Auckland" in refused["messages"][0]["message"]
    assert booked["status"] == "CONFIRMED"
    assert tomorrow_there["status"] == "CONFIRMED"


def test_the_ninth_is_past_everywhere_and_the_day_turns_at_each_places_midnight(gql, places, clock):
    auckland, los_angeles = places
    for place in places:
        assert gql(BOOK, {"data": data(place, JAN(9), JAN(12))}).data["createBooking"]["messages"][0]["code"] == "date_in_past"

    clock.set(datetime.datetime(2027, 1, 10, 7, 59, tzinfo=UTC))  # 23:59 on the 9th in LA, 20:59 on the 10th in Auckland
    assert gql(BOOK, {"data": data(los_angeles, JAN(9), JAN(10))}).data["createBooking"]["status"] == "CONFIRMED"
    clock.set(datetime.datetime(2027, 1, 10, 8, 0, tzinfo=UTC))  # midnight in LA
    assert gql(BOOK, {"data": data(los_angeles, JAN(9), JAN(10))}).data["createBooking"]["messages"][0]["code"] == "date_in_past"
    assert gql(BOOK, {"data": data(auckland, JAN(10), JAN(11))}).data["createBooking"]["status"] == "CONFIRMED"
    clock.set(datetime.datetime(2027, 1, 10, 11, 0, tzinfo=UTC))  # midnight in Auckland
    assert gql(BOOK, {"data": data(auckland, JAN(10), JAN(11), guestName="Late")}).data["createBooking"]["messages"][0]["code"] == "date_in_past"


def test_next_available_date_from_the_past_answers_each_places_today(gql, places):
    auckland, los_angeles = places

    for asked in (JAN(1), JAN(9), JAN(10)):
        assert gql(NEXT, {"id": str(auckland.pk), "date": str(asked)}).data["nextAvailableDate"] == str(JAN(11))
        assert gql(NEXT, {"id": str(los_angeles.pk), "date": str(asked)}).data["nextAvailableDate"] == str(JAN(10))
    assert services.next_available_dates(accommodations=list(places), date=JAN(1)) == {auckland.pk: JAN(11), los_angeles.pk: JAN(10)}


def test_search_on_a_day_past_in_auckland_but_today_in_los_angeles_offers_only_los_angeles(gql, places):
    today_in_la = gql(SEARCH, {"in": str(JAN(10)), "out": str(JAN(12))}).data["searchStays"]
    tomorrow = gql(SEARCH, {"in": str(JAN(11)), "out": str(JAN(12))}).data["searchStays"]
    past_everywhere = gql(SEARCH, {"in": str(JAN(9)), "out": str(JAN(12))}).data["searchStays"]

    assert [offer["accommodation"]["name"] for offer in today_in_la] == ["LA Sunset"]
    assert sorted(offer["accommodation"]["name"] for offer in tomorrow) == ["Auckland Harbour", "LA Sunset"]
    assert past_everywhere == []


def test_the_free_cancellation_deadline_is_n_days_before_check_in_time_in_the_places_zone(gql, places):
    auckland, los_angeles = places
    plans = {
        place.pk: catalog_services.create_rate_plan(
            accommodation_id=place.pk, code="FLEX2", name="Flexible", refundable=True, free_cancellation_days=2,
            fee_percent=Decimal("50"),
        )
        for place in places
    }

    in_auckland = gql(BOOK, {"data": data(auckland, JAN(20), JAN(22), ratePlan=str(plans[auckland.pk].pk))}).data["createBooking"]
    in_la = gql(BOOK, {"data": data(los_angeles, JAN(20), JAN(22), ratePlan=str(plans[los_angeles.pk].pk))}).data["createBooking"]

    # 15:00 on the 18th in Auckland (+13:00) and 16:00 (its check-in time) on the 18th in Los Angeles (-08:00).
    assert in_auckland["freeCancellationUntil"] == "2027-01-18T15:00:00+13:00"
    assert in_la["freeCancellationUntil"] == "2027-01-18T16:00:00-08:00"
    stored = {row.accommodation_id: row.free_cancellation_until for row in Booking.objects.all()}
    assert stored[auckland.pk] == datetime.datetime(2027, 1, 18, 2, 0, tzinfo=UTC)
    assert stored[los_angeles.pk] == datetime.datetime(2027, 1, 19, 0, 0, tzinfo=UTC)


def test_the_same_utc_moment_is_late_in_auckland_and_free_in_los_angeles(places, clock):
    auckland, los_angeles = places
    booked = {
        place.pk: services.create_booking(accommodation_id=place.pk, start_date=JAN(20), end_date=JAN(21), guest_name="C")
        for place in places
    }  # the default plan: free until the check-in time on the arrival day
    clock.set(datetime.datetime(2027, 1, 20, 12, 0, tzinfo=UTC))  # 01:00 on the 21st in Auckland; 04:00 on the 20th in LA

    late = services.cancel_booking(booking_id=booked[auckland.pk].pk)
    free = services.cancel_booking(booking_id=booked[los_angeles.pk].pk)

    assert late.cancellation_fee == Decimal("200.00")
    assert free.cancellation_fee == Decimal("0.00")


def test_the_deadline_keeps_the_local_check_in_time_across_a_dst_change(places):
    auckland, _ = places
    plan = catalog_services.create_rate_plan(
        accommodation_id=auckland.pk, code="FLEX2", name="Flexible", refundable=True, free_cancellation_days=2
    )
    # New Zealand summer time ends on Sunday 4 April 2027 (+13:00 -> +12:00).
    before = services.create_booking(accommodation_id=auckland.pk, start_date=datetime.date(2027, 4, 5),
                                     end_date=datetime.date(2027, 4, 6), guest_name="D", rate_plan_id=plan.pk)
    after = services.create_booking(accommodation_id=auckland.pk, start_date=datetime.date(2027, 4, 10),
                                    end_date=datetime.date(2027, 4, 11), guest_name="D", rate_plan_id=plan.pk)

    assert before.free_cancellation_until == datetime.datetime(2027, 4, 3, 2, 0, tzinfo=UTC)  # 15:00 +13:00
    assert after.free_cancellation_until == datetime.datetime(2027, 4, 8, 3, 0, tzinfo=UTC)  # 15:00 +12:00


def test_a_holds_expiry_is_shown_in_the_places_zone(gql, places):
    auckland, los_angeles = places

    shown = {
        place.name: gql(BOOK, {"data": data(place, JAN(20), JAN(21), hold=True, guestEmail="h@example.com")}).data["createBooking"]
        for place in places
    }

    # Fifteen minutes after 11:30 UTC, as each guest reads it.
    assert shown["Auckland Harbour"]["expiresAt"] == "2027-01-11T00:45:00+13:00"
    assert shown["LA Sunset"]["expiresAt"] == "2027-01-10T03:45:00-08:00"
    for answer in shown.values():
        guest = gql(GUEST, {"r": answer["reference"], "e": "h@example.com"}).data["guestBooking"]
        assert guest["expiresAt"] == answer["expiresAt"]
        assert datetime.datetime.fromisoformat(guest["expiresAt"]) == MOMENT + datetime.timedelta(minutes=15)
