"""Abuse limits: each limit at and over its edge, who else is unaffected, the forwarded-address rule,
and the fail-open rule when the counters' Redis is unreachable."""
from __future__ import annotations

import socket

import pytest

from bookings.models import Booking
from factories import booking_input
from graphql_client import GraphQLClient, client_from

pytestmark = pytest.mark.django_db

CREATE = """
mutation($data: BookingInput!) {
  createBooking(data: $data) {
    __typename
    ... on Booking { id }
    ... on OperationInfo { messages { kind field message code } }
  }
}"""
LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { username } }"
CATALOG = "{ accommodations { id } }"


def book(client: GraphQLClient, apartment, day, offset: int):
    """One night from day(offset), through the API."""
    return client(CREATE, {"data": booking_input(apartment, day(offset), day(offset + 1), guest_name=f"Guest {offset}")})


class TestCreateBooking:
    def test_anonymous_bookings_are_limited_per_address(self, limits, make_apartment, day):
        limits(create_booking="3/h")
        apartment = make_apartment()
        client = client_from("203.0.113.7")

        answers = [book(client, apartment, day, offset) for offset in range(1, 5)]

        assert [a.data["createBooking"]["__typename"] for a in answers] == ["Booking"] * 3 + ["OperationInfo"]
        refusal = answers[3]
        assert refusal.data["createBooking"]["messages"] == [
            {"kind": "PERMISSION", "field": None, "code": "rate_limited", "message": refusal.data["createBooking"][
                "messages"][0]["message"]}
        ]
        assert "at most 3/h" in refusal.data["createBooking"]["messages"][0]["message"]
        assert 1 <= int(refusal.headers["Retry-After"]) <= 3600
        assert refusal.status_code == 200  # the answer is an OperationInfo, not a refused request
        assert Booking.objects.count() == 3  # the refused one wrote nothing

    def test_another_address_keeps_its_own_budget(self, limits, make_apartment, day):
        limits(create_booking="1/h")
        apartment = make_apartment()
        first, second = client_from("203.0.113.7"), client_from("203.0.113.8")

        assert book(first, apartment, day, 1).data["createBooking"]["__typename"] == "Booking"
        assert book(first, apartment, day, 2).data["createBooking"]["__typename"] == "OperationInfo"
        assert book(second, apartment, day, 3).data["createBooking"]["__typename"] == "Booking"

    def test_staff_are_not_limited(self, limits, make_apartment, day, staff_user):
        limits(create_booking="1/h")
        apartment = make_apartment()
        staff = client_from("203.0.113.7")
        staff.login(staff_user)

        answers = [book(staff, apartment, day, offset).data["createBooking"]["__typename"] for offset in (1, 2, 3)]

        assert answers == ["Booking"] * 3

    def test_off_disables_the_limit(self, limits, make_apartment, day):
        limits(create_booking="off")
        apartment = make_apartment()
        client = client_from("203.0.113.7")

        assert all(book(client, apartment, day, o).data["createBooking"]["__typename"] == "Booking" for o in range(1, 6))


class TestLogin:
    def test_attempts_per_username_are_limited_from_any_address(self, limits, staff_user):
        limits(login_username="3/10m")
        for n in range(3):
            assert client_from(f"198.51.100.{n}")(LOGIN, {"u": "staff", "p": "wrong"}).errors[0]["extensions"][
                "code"] == "invalid_credentials"

        refused = client_from("198.51.100.99")(LOGIN, {"u": "STAFF ", "p": "staff-pass-123"})  # same name, folded

        assert refused.status_code == 429
        assert refused.body["data"] is None
        assert refused.errors[0]["extensions"]["code"] == "rate_limited"
        assert int(refused.headers["Retry-After"]) == refused.errors[0]["extensions"]["retryAfter"] >= 1
        # Another account is not locked by the guessing on this one.
        other = client_from("198.51.100.99")(LOGIN, {"u": "guest", "p": "wrong"})
        assert other.errors[0]["extensions"]["code"] == "invalid_credentials"

    def test_attempts_per_address_are_limited_across_usernames(self, limits, staff_user):
        limits(login_address="3/10m")
        sprayer = client_from("198.51.100.1")
        for name in ("alice", "bob", "carol"):
            assert sprayer(LOGIN, {"u": name, "p": "x"}).errors[0]["extensions"]["code"] == "invalid_credentials"

        refused = sprayer(LOGIN, {"u": "staff", "p": "staff-pass-123"})

        assert (refused.status_code, refused.errors[0]["extensions"]["code"]) == (429, "rate_limited")
        assert "sessionid" not in sprayer.client.cookies
        assert client_from("198.51.100.2")(LOGIN, {"u": "staff", "p": "staff-pass-123"}).data["login"] == {
            "username": "staff"}


class TestPublicReads:
    def test_anonymous_reads_are_limited_per_address_with_429(self, limits, make_hotel):
        limits(public_read="2/m")
        make_hotel()
        client = client_from("192.0.2.1")

        assert [client(CATALOG).status_code for _ in range(2)] == [200, 200]
        refused = client(CATALOG)

        assert refused.status_code == 429
        assert refused.body["data"] is None
        assert refused.errors[0]["extensions"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert client_from("192.0.2.2")(CATALOG).status_code == 200

    def test_availability_and_next_date_share_the_read_budget(self, limits, make_apartment, day):
        limits(public_read="2/m")
        apartment = make_apartment()
        client = client_from("192.0.2.1")
        query = '{ nextAvailableDate(id: "%s", date: "%s") }' % (apartment.pk, day(1))
        window = '{ availability(id: "%s", start: "%s", end: "%s") { date } }' % (apartment.pk, day(1), day(3))

        assert client(query).status_code == 200
        assert client(window).status_code == 200
        assert client(query).errors[0]["extensions"]["code"] == "rate_limited"

    def test_search_stays_spends_the_read_budget(self, limits, make_apartment, day):
        limits(public_read="2/m")
        make_apartment()
        client = client_from("192.0.2.1")
        search = '{ searchStays(checkIn: "%s", checkOut: "%s") { nights } }' % (day(1), day(3))

        assert client(search).data["searchStays"] == [{"nights": 2}]
        assert client(CATALOG).status_code == 200
        refused = client(search)

        assert (refused.status_code, refused.errors[0]["extensions"]["code"]) == (429, "rate_limited")
        assert int(refused.headers["Retry-After"]) >= 1
        assert client_from("192.0.2.2")(search).data["searchStays"] == [{"nights": 2}]

    def test_single_reads_spend_it_too_and_keep_their_200(self, limits, make_hotel):
        limits(public_read="1/m")
        hotel = make_hotel()
        client = client_from("192.0.2.1")
        query = '{ hotel(id: "%s") { name } }' % hotel.pk

        assert client(query).data == {"hotel": {"name": "Hotel Adlon"}}
        refused = client(query)

        # A nullable field: the answer is partial (null + error), so 200 with Retry-After, not 429.
        assert refused.status_code == 200 and refused.body["data"] == {"hotel": None}
        assert refused.errors[0]["extensions"]["code"] == "rate_limited"
        assert int(refused.headers["Retry-After"]) >= 1

    def test_staff_reads_are_not_limited(self, limits, staff_gql, make_hotel):
        limits(public_read="1/m")
        make_hotel()

        assert [staff_gql(CATALOG).status_code for _ in range(3)] == [200, 200, 200]


class TestForwardedAddress:
    def test_without_a_trusted_proxy_the_header_cannot_buy_a_new_budget(self, limits, settings):
        limits(public_read="1/m")
        settings.TRUSTED_PROXY_COUNT = 0
        first = client_from("192.0.2.1", HTTP_X_FORWARDED_FOR="1.1.1.1")
        spoofed = client_from("192.0.2.1", HTTP_X_FORWARDED_FOR="2.2.2.2")

        assert first(CATALOG).status_code == 200
        assert spoofed(CATALOG).status_code == 429

    def test_behind_one_trusted_proxy_the_address_it_saw_counts(self, limits, settings):
        limits(public_read="1/m")
        settings.TRUSTED_PROXY_COUNT = 1
        proxy = "10.0.0.5"
        alice = client_from(proxy, HTTP_X_FORWARDED_FOR="198.51.100.1")
        bob = client_from(proxy, HTTP_X_FORWARDED_FOR="198.51.100.2")
        # A client-written entry on the left does not change which entry the proxy vouches for.
        alice_spoofing = client_from(proxy, HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.1")

        assert alice(CATALOG).status_code == 200
        assert bob(CATALOG).status_code == 200
        assert alice_spoofing(CATALOG).status_code == 429

    @pytest.mark.parametrize("header", ["", "not-an-ip", "198.51.100.1, garbage"])
    def test_a_malformed_header_falls_back_to_the_peer(self, limits, settings, header):
        limits(public_read="1/m")
        settings.TRUSTED_PROXY_COUNT = 1
        client = client_from("10.0.0.5", HTTP_X_FORWARDED_FOR=header)

        assert client(CATALOG).status_code == 200
        assert client_from("10.0.0.5")(CATALOG).status_code == 429  # same peer, same budget


def test_limits_fail_open_when_the_counters_redis_is_down(limits, settings, make_apartment, day):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{closed_port}/0"}}
    limits(create_booking="1/h")
    apartment = make_apartment()
    client = client_from("203.0.113.7")

    answers = [book(client, apartment, day, offset).data["createBooking"]["__typename"] for offset in (1, 2)]

    assert answers == ["Booking", "Booking"]  # bookings keep working; the outage is logged
