"""Catalog through the GraphQL contract: CRUD, bounds, interface resolution, lists, permissions."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from bookings import services as booking_services
from catalog.models import Accommodation, AccommodationKind, Apartment, Hotel

pytestmark = pytest.mark.django_db

HOTEL_RESULT = """
  __typename
  ... on Hotel { id kind name description price location rooms stars createdAt updatedAt }
  ... on OperationInfo { messages { kind field message code } }
"""
APARTMENT_RESULT = HOTEL_RESULT.replace("... on Hotel { id kind name description price location rooms stars",
                                        "... on Apartment { id kind name description price location bedrooms maxGuests")

HOTEL = {"name": "Hotel Sacher", "location": "Vienna", "price": "210.50", "rooms": 4, "stars": 5, "description": "Cake."}
APARTMENT = {"name": "Loft", "location": "Porto", "price": "80", "bedrooms": 2, "maxGuests": 4}


def mutate(client, name: str, input_type: str, data: dict, result: str = HOTEL_RESULT):
    return client(f"mutation($data: {input_type}!) {{ {name}(data: $data) {{ {result} }} }}", {"data": data}).data[name]


def messages(result: dict) -> list[tuple[str | None, str | None]]:
    assert result["__typename"] == "OperationInfo", result
    return [(m["field"], m["code"]) for m in result["messages"]]


class TestHotelCrud:
    def test_create(self, staff_gql):
        hotel = mutate(staff_gql, "createHotel", "HotelInput", HOTEL)

        assert hotel["__typename"] == "Hotel" and hotel["kind"] == "HOTEL"
        assert (hotel["price"], hotel["rooms"], hotel["stars"]) == ("210.50", 4, 5)
        stored = Hotel.objects.get(pk=hotel["id"])
        assert (stored.name, stored.price, stored.kind) == ("Hotel Sacher", Decimal("210.50"), AccommodationKind.HOTEL)

    def test_update_only_the_given_fields(self, staff_gql, make_hotel):
        hotel = make_hotel(stars=3)

        updated = mutate(staff_gql, "updateHotel", "HotelPartialInput", {"id": str(hotel.pk), "rooms": 7})

        assert (updated["rooms"], updated["stars"], updated["name"]) == (7, 3, hotel.name)

    def test_stars_can_be_cleared(self, staff_gql, make_hotel):
        hotel = make_hotel(stars=3)

        assert mutate(staff_gql, "updateHotel", "HotelPartialInput", {"id": str(hotel.pk), "stars": None})["stars"] is None

    def test_delete(self, staff_gql, make_hotel):
        hotel = make_hotel()

        deleted = mutate(staff_gql, "deleteHotel", "NodeInput", {"id": str(hotel.pk)})

        assert deleted["id"] == str(hotel.pk)
        assert not Accommodation.objects.filter(pk=hotel.pk).exists()

    def test_delete_with_bookings_is_refused(self, staff_gql, make_hotel, day):
        hotel = make_hotel()
        booking_services.create_booking(accommodation_id=hotel.pk, start_date=day(1), end_date=day(2), guest_name="G")

        assert messages(mutate(staff_gql, "deleteHotel", "NodeInput", {"id": str(hotel.pk)})) == [(None, "has_bookings")]
        assert Hotel.objects.filter(pk=hotel.pk).exists()


class TestApartmentCrud:
    def test_create_update_delete(self, staff_gql):
        created = mutate(staff_gql, "createApartment", "ApartmentInput", APARTMENT, APARTMENT_RESULT)
        assert (created["__typename"], created["kind"], created["maxGuests"]) == ("Apartment", "APARTMENT", 4)

        updated = mutate(
            staff_gql, "updateApartment", "ApartmentPartialInput", {"id": created["id"], "bedrooms": 0}, APARTMENT_RESULT
        )
        assert updated["bedrooms"] == 0  # a studio

        mutate(staff_gql, "deleteApartment", "NodeInput", {"id": created["id"]}, APARTMENT_RESULT)
        assert not Apartment.objects.exists()

    def test_an_apartment_id_is_not_a_hotel(self, staff_gql, make_apartment):
        apartment = make_apartment()

        result = mutate(staff_gql, "updateHotel", "HotelPartialInput", {"id": str(apartment.pk), "rooms": 2})

        assert messages(result) == [("id", "not_found")]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"price": "-1"}, [("price", "min_value")], id="negative-price"),
        pytest.param({"price": "123456789.99"}, [("price", "max_digits")], id="price-too-many-digits"),
        pytest.param({"price": "1.999"}, [("price", "max_decimal_places")], id="price-too-precise"),
        pytest.param({"rooms": 0}, [("rooms", "min_value")], id="rooms-0"),
        pytest.param({"rooms": -4}, [("rooms", "min_value")], id="rooms-negative"),
        pytest.param({"stars": 0}, [("stars", "min_value")], id="stars-0"),
        pytest.param({"stars": 6}, [("stars", "max_value")], id="stars-6"),
        pytest.param({"name": ""}, [("name", "blank")], id="empty-name"),
        pytest.param({"name": "   "}, [("name", "blank")], id="blank-name"),
        pytest.param({"name": "x" * 201}, [("name", "max_length")], id="long-name"),
        pytest.param({"location": ""}, [("location", "blank")], id="empty-location"),
    ],
)
def test_hotel_bounds_are_field_errors_and_create_nothing(staff_gql, changes, expected):
    result = mutate(staff_gql, "createHotel", "HotelInput", HOTEL | changes)

    assert messages(result) == expected
    assert not Accommodation.objects.exists()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"bedrooms": -1}, [("bedrooms", "min_value")], id="bedrooms-negative"),
        pytest.param({"maxGuests": 0}, [("maxGuests", "min_value")], id="max-guests-0"),
        pytest.param({"maxGuests": 40000}, [("maxGuests", "max_value")], id="max-guests-overflow"),
    ],
)
def test_apartment_bounds(staff_gql, changes, expected):
    result = mutate(staff_gql, "createApartment", "ApartmentInput", APARTMENT | changes, APARTMENT_RESULT)

    assert messages(result) == expected
    assert not Accommodation.objects.exists()


def test_invalid_update_changes_nothing(staff_gql, make_hotel):
    hotel = make_hotel(rooms=3)

    result = mutate(staff_gql, "updateHotel", "HotelPartialInput", {"id": str(hotel.pk), "rooms": 0, "name": "New"})

    assert messages(result) == [("rooms", "min_value")]
    hotel.refresh_from_db()
    assert (hotel.rooms, hotel.name) == (3, "Hotel Adlon")


@pytest.mark.parametrize(
    "data",
    [
        {"name": "X", "location": "Y", "price": "abc", "rooms": 1},
        {"name": "X", "location": "Y", "price": "10", "rooms": "three"},
        {"name": "X", "location": "Y", "price": "10", "rooms": 1.5},
        {"name": "X", "location": "Y", "price": "10", "rooms": 99999999999},
        {"location": "Y", "price": "10", "rooms": 1},
        {"name": None, "location": "Y", "price": "10", "rooms": 1},
    ],
    ids=["price-text", "rooms-text", "rooms-float", "rooms-overflow", "missing-name", "null-name"],
)
def test_wrong_types_are_graphql_errors_never_500(staff_gql, data):
    response = staff_gql(f"mutation($data: HotelInput!) {{ createHotel(data: $data) {{ {HOTEL_RESULT} }} }}", {"data": data})

    assert response.status_code in (200, 400)
    assert response.errors
    assert not Accommodation.objects.exists()


@pytest.mark.parametrize("bad_id", ["424242", "abc", "-1", "0", "99999999999999999999", ""])
@pytest.mark.parametrize("mutation", ["updateHotel", "deleteHotel"])
def test_unknown_or_malformed_ids_are_not_found(staff_gql, make_hotel, bad_id, mutation):
    make_hotel()
    input_type = "HotelPartialInput" if mutation == "updateHotel" else "NodeInput"

    assert messages(mutate(staff_gql, mutation, input_type, {"id": bad_id})) == [("id", "not_found")]
    assert Hotel.objects.count() == 1


class TestDatabaseConstraints:
    @pytest.mark.parametrize(
        ("model_fixture", "changes", "constraint"),
        [
            ("make_hotel", {"rooms": 0}, "hotel_rooms_at_least_one"),
            ("make_hotel", {"stars": 6}, "hotel_stars_one_to_five"),
            ("make_hotel", {"price": Decimal("-1")}, "accommodation_price_non_negative"),
            ("make_hotel", {"name": " "}, "accommodation_name_not_blank"),
            ("make_hotel", {"kind": "CASTLE"}, "accommodation_kind_valid"),
            ("make_apartment", {"max_guests": 0}, "apartment_max_guests_at_least_one"),
        ],
    )
    def test_raw_orm_writes_cannot_break_bounds(self, request, model_fixture, changes, constraint):
        place = request.getfixturevalue(model_fixture)()
        parent_fields = {"price", "name", "kind"}
        model = Accommodation if set(changes) <= parent_fields else type(place)

        with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
            model.objects.filter(pk=place.pk).update(**changes)


class TestInterfaceResolution:
    QUERY = """{ accommodations { __typename id name kind
                 ... on Hotel { rooms stars } ... on Apartment { bedrooms maxGuests } } }"""

    def test_mixed_list_returns_concrete_types(self, gql, make_hotel, make_apartment):
        hotel, apartment = make_hotel(), make_apartment()

        rows = gql(self.QUERY).data["accommodations"]

        assert rows == [
            {"__typename": "Hotel", "id": str(hotel.pk), "name": hotel.name, "kind": "HOTEL", "rooms": 3, "stars": 5},
            {"__typename": "Apartment", "id": str(apartment.pk), "name": apartment.name, "kind": "APARTMENT",
             "bedrooms": 1, "maxGuests": 2},
        ]

    def test_single_lookups(self, gql, make_hotel, make_apartment):
        hotel, apartment = make_hotel(), make_apartment()
        query = """query($h: ID!, $a: ID!) {
          one: accommodation(id: $a) { __typename ... on Apartment { maxGuests } }
          hotel(id: $h) { rooms }
          wrongKind: hotel(id: $a) { rooms }
          apartment(id: $a) { bedrooms }
          missing: accommodation(id: "424242") { id }
          malformed: accommodation(id: "x") { id }
        }"""

        data = gql(query, {"h": hotel.pk, "a": apartment.pk}).data

        assert data == {
            "one": {"__typename": "Apartment", "maxGuests": 2}, "hotel": {"rooms": 3}, "wrongKind": None,
            "apartment": {"bedrooms": 1}, "missing": None, "malformed": None,
        }


class TestListing:
    def test_filters(self, gql, make_hotel, make_apartment):
        make_hotel(name="Cheap Inn", location="Porto", price=Decimal("40"))
        make_hotel(name="Grand", location="Lisbon", price=Decimal("300"))
        make_apartment(name="Porto Flat", location="Porto", price=Decimal("90"))

        def names(filters: str) -> set[str]:
            return {row["name"] for row in gql(f"{{ accommodations(filters: {filters}) {{ name }} }}").data["accommodations"]}

        assert names("{kind: APARTMENT}") == {"Porto Flat"}
        assert names('{location: {iExact: "porto"}}') == {"Cheap Inn", "Porto Flat"}
        assert names('{name: {iContains: "GRAND"}}') == {"Grand"}
        assert names('{price: {range: {start: "50", end: "100"}}}') == {"Porto Flat"}
        assert names('{price: {lte: "90"}, kind: HOTEL}') == {"Cheap Inn"}

    def test_ordering(self, gql, make_hotel):
        for price in ("120", "80", "200"):
            make_hotel(name=f"H{price}", price=Decimal(price))

        rows = gql("{ hotels(ordering: [{price: DESC}]) { price } }").data["hotels"]

        assert [row["price"] for row in rows] == ["200.00", "120.00", "80.00"]

    def test_pagination_default_max_and_offset(self, gql, make_apartment, settings):
        for n in range(130):
            make_apartment(name=f"A{n:03}")

        default = gql("{ apartments { id } }").data["apartments"]
        too_many = gql("{ apartments(pagination: {limit: 1000}) { id } }").data["apartments"]
        page = gql("{ apartments(pagination: {offset: 125, limit: 10}) { name } }").data["apartments"]

        assert len(default) == settings.GRAPHQL_PAGE_SIZE_DEFAULT == 20
        assert len(too_many) == settings.GRAPHQL_PAGE_SIZE_MAX == 100
        assert [row["name"] for row in page] == [f"A{n:03}" for n in range(125, 130)]


def count_queries(client, query: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        client(query).data
    return len(captured)


def make_many(make_hotel, make_apartment, day, count: int) -> None:
    for n in range(count):
        place = make_hotel(name=f"H{n}") if n % 2 else make_apartment(name=f"A{n}")
        booking_services.create_booking(accommodation_id=place.pk, start_date=day(1), end_date=day(2), guest_name="G")


LIST_QUERY = """{ accommodations(pagination: {limit: 100}) { __typename id kind name description price location createdAt
                  ... on Hotel { rooms stars } ... on Apartment { bedrooms maxGuests } } }"""


def test_listing_query_count_does_not_grow_with_rows(gql, make_hotel, make_apartment, day):
    make_many(make_hotel, make_apartment, day, 5)
    five = count_queries(gql, LIST_QUERY)
    make_many(make_hotel, make_apartment, day, 45)

    assert count_queries(gql, LIST_QUERY) == five == 1


def test_staff_listing_with_nested_bookings_has_no_n_plus_1(staff_gql, make_hotel, make_apartment, day):
    query = LIST_QUERY.replace("createdAt", "createdAt bookings { id guestName accommodation { name } }")
    make_many(make_hotel, make_apartment, day, 5)
    five = count_queries(staff_gql, query)
    make_many(make_hotel, make_apartment, day, 45)

    assert count_queries(staff_gql, query) == five


@pytest.mark.parametrize("client_fixture", ["gql", "user_gql"])
def test_anonymous_and_non_staff_cannot_manage_the_catalog(request, client_fixture, make_hotel, make_apartment):
    client = request.getfixturevalue(client_fixture)
    hotel, apartment = make_hotel(), make_apartment()
    attempts = [
        ("createHotel", "HotelInput", HOTEL, HOTEL_RESULT),
        ("updateHotel", "HotelPartialInput", {"id": str(hotel.pk), "name": "Hacked"}, HOTEL_RESULT),
        ("deleteHotel", "NodeInput", {"id": str(hotel.pk)}, HOTEL_RESULT),
        ("createApartment", "ApartmentInput", APARTMENT, APARTMENT_RESULT),
        ("updateApartment", "ApartmentPartialInput", {"id": str(apartment.pk), "name": "Hacked"}, APARTMENT_RESULT),
        ("deleteApartment", "NodeInput", {"id": str(apartment.pk)}, APARTMENT_RESULT),
    ]

    for name, input_type, data, result in attempts:
        answer = mutate(client, name, input_type, data, result)
        assert answer["__typename"] == "OperationInfo" and answer["messages"][0]["kind"] == "PERMISSION", name

    assert sorted(Accommodation.objects.values_list("name", flat=True)) == sorted([hotel.name, apartment.name])
