"""Public catalog reads: interface resolution, single lookups, filters, ordering, pagination."""
from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.models import Accommodation

pytestmark = pytest.mark.django_db

MIXED_LIST = """{
  accommodations {
    __typename id kind name
    ... on Hotel { rooms stars }
    ... on Apartment { bedrooms maxGuests }
  }
}"""


def names(rows: list[dict]) -> list[str]:
    return [row["name"] for row in rows]


class TestInterfaceResolution:
    def test_mixed_list_has_concrete_typenames_and_fields(self, gql, make_hotel, make_apartment):
        hotel = make_hotel(rooms=12, stars=None)
        apartment = make_apartment(bedrooms=0, max_guests=2)
        second_hotel = make_hotel(name="Hotel Bristol", rooms=2, stars=4)

        rows = gql(MIXED_LIST).data["accommodations"]

        assert rows == [
            {"__typename": "Hotel", "id": str(hotel.pk), "kind": "HOTEL", "name": "Hotel Adlon", "rooms": 12,
             "stars": None},
            {"__typename": "Apartment", "id": str(apartment.pk), "kind": "APARTMENT", "name": "Loft Mitte",
             "bedrooms": 0, "maxGuests": 2},
            {"__typename": "Hotel", "id": str(second_hotel.pk), "kind": "HOTEL", "name": "Hotel Bristol", "rooms": 2,
             "stars": 4},
        ]

    def test_typenames_resolve_without_any_fragment(self, gql, make_hotel, make_apartment):
        make_hotel(), make_apartment()

        rows = gql("{ accommodations { __typename kind } }").data["accommodations"]

        assert rows == [{"__typename": "Hotel", "kind": "HOTEL"}, {"__typename": "Apartment", "kind": "APARTMENT"}]

    def test_interface_fields_are_shared(self, gql, make_hotel, make_apartment):
        make_hotel(description="Grand.", price=Decimal("180.00"))
        make_apartment(description="", price=Decimal("95.5"))

        rows = gql("{ accommodations { description price location createdAt updatedAt } }").data["accommodations"]

        assert [(row["description"], row["price"], row["location"]) for row in rows] == [
            ("Grand.", "180.00", "Berlin"), ("", "95.50", "Berlin"),
        ]
        assert all(row["createdAt"] and row["updatedAt"] for row in rows)

    def test_named_fragments_on_the_concrete_types(self, gql, make_hotel, make_apartment):
        hotel, apartment = make_hotel(), make_apartment()
        query = """
          fragment Base on Accommodation { id name }
          fragment HotelParts on Hotel { rooms stars }
          fragment FlatParts on Apartment { bedrooms maxGuests }
          query($h: ID!) {
            accommodations { __typename ...Base ...HotelParts ...FlatParts }
            hotel(id: $h) { ...Base ...HotelParts }
          }"""

        data = gql(query, {"h": str(hotel.pk)}).data

        assert data["accommodations"] == [
            {"__typename": "Hotel", "id": str(hotel.pk), "name": hotel.name, "rooms": 3, "stars": 5},
            {"__typename": "Apartment", "id": str(apartment.pk), "name": apartment.name, "bedrooms": 1, "maxGuests": 2},
        ]
        assert data["hotel"] == {"id": str(hotel.pk), "name": hotel.name, "rooms": 3, "stars": 5}

    def test_hotels_and_apartments_lists_hold_only_their_kind(self, gql, make_hotel, make_apartment):
        make_hotel(), make_apartment(), make_hotel(name="Second hotel")

        data = gql("{ hotels { __typename name rooms } apartments { __typename name maxGuests } }").data

        assert data["hotels"] == [
            {"__typename": "Hotel", "name": "Hotel Adlon", "rooms": 3},
            {"__typename": "Hotel", "name": "Second hotel", "rooms": 3},
        ]
        assert data["apartments"] == [{"__typename": "Apartment", "name": "Loft Mitte", "maxGuests": 2}]


SINGLE = """query($id: ID!) {
  accommodation(id: $id) { __typename id ... on Hotel { rooms } ... on Apartment { maxGuests } }
  hotel(id: $id) { __typename id rooms }
  apartment(id: $id) { __typename id maxGuests }
}"""


class TestSingleLookups:
    def test_a_hotel_id(self, gql, make_hotel):
        hotel = make_hotel()

        data = gql(SINGLE, {"id": str(hotel.pk)}).data

        assert data == {
            "accommodation": {"__typename": "Hotel", "id": str(hotel.pk), "rooms": 3},
            "hotel": {"__typename": "Hotel", "id": str(hotel.pk), "rooms": 3},
            "apartment": None,
        }

    def test_an_apartment_id(self, gql, make_apartment):
        apartment = make_apartment()

        data = gql(SINGLE, {"id": str(apartment.pk)}).data

        assert data == {
            "accommodation": {"__typename": "Apartment", "id": str(apartment.pk), "maxGuests": 2},
            "hotel": None,
            "apartment": {"__typename": "Apartment", "id": str(apartment.pk), "maxGuests": 2},
        }

    @pytest.mark.parametrize("bad_id", ["abc", "-1", "0", "", "1.5", "99999999999999999999"])
    def test_malformed_ids_name_nothing(self, gql, make_hotel, bad_id):
        make_hotel()

        assert gql(SINGLE, {"id": bad_id}).data == {"accommodation": None, "hotel": None, "apartment": None}

    def test_a_deleted_id_names_nothing(self, gql, make_hotel):
        hotel = make_hotel()
        pk = hotel.pk
        Accommodation.objects.filter(pk=pk).delete()

        assert gql(SINGLE, {"id": str(pk)}).data == {"accommodation": None, "hotel": None, "apartment": None}


@pytest.fixture
def catalog(make_hotel, make_apartment):
    """Five places with distinct names, cities, prices and kinds."""
    make_hotel(name="Grand Hotel Budapest", location="Zubrowka", price=Decimal("300.00"), rooms=40, stars=5)
    make_hotel(name="Cheap Inn", location="Porto", price=Decimal("40.00"), rooms=5, stars=None)
    make_apartment(name="Porto Riverside Flat", location="Porto", price=Decimal("90.00"), bedrooms=2, max_guests=4)
    make_apartment(name="Studio Grande", location="Lisbon", price=Decimal("55.50"), bedrooms=0, max_guests=1)
    make_hotel(name="Lisbon Palace", location="Lisbon", price=Decimal("100.00"), rooms=10, stars=4)


def filter_names(gql, filters: dict, *, field: str = "accommodations", filter_type: str = "AccommodationFilter"):
    query = f"query($f: {filter_type}!) {{ {field}(filters: $f) {{ name }} }}"
    return {row["name"] for row in gql(query, {"f": filters}).data[field]}


class TestFilters:
    @pytest.mark.parametrize(
        ("filters", "expected"),
        [
            pytest.param({"kind": "HOTEL"}, {"Grand Hotel Budapest", "Cheap Inn", "Lisbon Palace"}, id="kind-hotel"),
            pytest.param({"kind": "APARTMENT"}, {"Porto Riverside Flat", "Studio Grande"}, id="kind-apartment"),
            pytest.param({"name": {"iContains": "GRAND"}}, {"Grand Hotel Budapest", "Studio Grande"},
                         id="name-icontains"),
            pytest.param({"name": {"contains": "Grand"}}, {"Grand Hotel Budapest", "Studio Grande"},
                         id="name-contains"),
            pytest.param({"name": {"contains": "grand"}}, set(), id="name-contains-is-case-sensitive"),
            pytest.param({"name": {"exact": "Cheap Inn"}}, {"Cheap Inn"}, id="name-exact"),
            pytest.param({"location": {"exact": "Porto"}}, {"Cheap Inn", "Porto Riverside Flat"}, id="location-exact"),
            pytest.param({"location": {"iExact": "lisbon"}}, {"Studio Grande", "Lisbon Palace"}, id="location-iexact"),
            pytest.param({"location": {"inList": ["Porto", "Zubrowka"]}},
                         {"Cheap Inn", "Porto Riverside Flat", "Grand Hotel Budapest"}, id="location-in-list"),
            pytest.param({"price": {"range": {"start": "55.50", "end": "100"}}},
                         {"Studio Grande", "Porto Riverside Flat", "Lisbon Palace"}, id="price-range-inclusive"),
            pytest.param({"price": {"gte": "90", "lt": "300"}}, {"Porto Riverside Flat", "Lisbon Palace"},
                         id="price-gte-lt"),
            pytest.param({"price": {"lte": "40"}}, {"Cheap Inn"}, id="price-lte"),
            pytest.param({"price": {"gt": "1000"}}, set(), id="price-nothing"),
            pytest.param({"price": {"exact": "55.5"}}, {"Studio Grande"}, id="price-exact"),
            pytest.param({"kind": "HOTEL", "location": {"exact": "Lisbon"}}, {"Lisbon Palace"}, id="kind-and-location"),
            pytest.param({"kind": "APARTMENT", "price": {"lt": "60"}}, {"Studio Grande"}, id="kind-and-price"),
            pytest.param({"location": {"exact": "Porto"}, "OR": {"price": {"gte": "300"}}},
                         {"Cheap Inn", "Porto Riverside Flat", "Grand Hotel Budapest"}, id="or"),
            pytest.param({"NOT": {"kind": "HOTEL"}}, {"Porto Riverside Flat", "Studio Grande"}, id="not"),
            pytest.param({}, {"Grand Hotel Budapest", "Cheap Inn", "Porto Riverside Flat", "Studio Grande",
                              "Lisbon Palace"}, id="empty"),
        ],
    )
    def test_accommodation_filters(self, gql, catalog, filters, expected):
        assert filter_names(gql, filters) == expected

    def test_filtered_rows_keep_their_concrete_type(self, gql, catalog):
        query = '{ accommodations(filters: {location: {exact: "Porto"}}) { __typename name } }'

        rows = gql(query).data["accommodations"]

        assert {(row["__typename"], row["name"]) for row in rows} == {
            ("Hotel", "Cheap Inn"), ("Apartment", "Porto Riverside Flat"),
        }

    def test_hotel_filters(self, gql, catalog):
        def hotels(filters):
            return filter_names(gql, filters, field="hotels", filter_type="HotelFilter")

        assert hotels({"stars": {"gte": 4}}) == {"Grand Hotel Budapest", "Lisbon Palace"}
        assert hotels({"stars": {"isNull": True}}) == {"Cheap Inn"}
        assert hotels({"rooms": {"range": {"start": 5, "end": 10}}}) == {"Cheap Inn", "Lisbon Palace"}

    def test_apartment_filters(self, gql, catalog):
        def apartments(filters):
            return filter_names(gql, filters, field="apartments", filter_type="ApartmentFilter")

        assert apartments({"maxGuests": {"gte": 2}}) == {"Porto Riverside Flat"}
        assert apartments({"bedrooms": {"exact": 0}}) == {"Studio Grande"}
        assert apartments({"name": {"iStartsWith": "porto"}}) == {"Porto Riverside Flat"}

    @pytest.mark.parametrize(
        "filters",
        [
            pytest.param('{kind: CASTLE}', id="unknown-kind"),
            pytest.param('{price: {gte: "cheap"}}', id="price-text"),
            pytest.param('{rooms: {gte: 1}}', id="field-of-another-type"),
        ],
    )
    def test_invalid_filters_are_graphql_errors_not_500(self, gql, catalog, filters):
        response = gql(f"{{ accommodations(filters: {filters}) {{ name }} }}")

        assert response.status_code in (200, 400)
        assert response.errors


class TestOrdering:
    def test_price_ascending(self, gql, catalog):
        rows = gql("{ accommodations(ordering: [{price: ASC}]) { name price } }").data["accommodations"]

        assert [row["price"] for row in rows] == ["40.00", "55.50", "90.00", "100.00", "300.00"]

    def test_price_descending(self, gql, catalog):
        rows = gql("{ accommodations(ordering: [{price: DESC}]) { name price } }").data["accommodations"]

        assert names(rows) == ["Grand Hotel Budapest", "Lisbon Palace", "Porto Riverside Flat", "Studio Grande",
                               "Cheap Inn"]

    def test_ordering_combines_with_filters(self, gql, catalog):
        query = "{ accommodations(filters: {kind: HOTEL}, ordering: [{price: ASC}]) { name } }"

        assert names(gql(query).data["accommodations"]) == ["Cheap Inn", "Lisbon Palace", "Grand Hotel Budapest"]

    def test_two_keys_break_ties(self, gql, make_hotel, make_apartment):
        make_hotel(name="B", price=Decimal("50"))
        make_apartment(name="A", price=Decimal("50"))
        make_hotel(name="C", price=Decimal("10"))

        query = "{ accommodations(ordering: [{price: DESC}, {name: ASC}]) { name } }"

        assert names(gql(query).data["accommodations"]) == ["A", "B", "C"]

    def test_hotels_order_by_their_own_fields(self, gql, catalog):
        rows = gql("{ hotels(ordering: [{rooms: DESC}]) { name rooms } }").data["hotels"]

        assert [row["rooms"] for row in rows] == [40, 10, 5]

    def test_default_order_is_by_id(self, gql, catalog):
        rows = gql("{ accommodations { id } }").data["accommodations"]

        ids = [int(row["id"]) for row in rows]
        assert ids == sorted(ids)


@pytest.fixture
def many_places(make_hotel, make_apartment, settings):
    """More places than the maximum page, alternating kinds, named in creation order."""
    count = settings.GRAPHQL_PAGE_SIZE_MAX + 5
    for n in range(count):
        (make_hotel if n % 2 else make_apartment)(name=f"Place {n:03}")
    return [f"Place {n:03}" for n in range(count)]


class TestPagination:
    def test_default_page_size_applies_without_a_pagination_argument(self, gql, many_places, settings):
        rows = gql("{ accommodations { name } }").data["accommodations"]

        assert settings.GRAPHQL_PAGE_SIZE_DEFAULT == 20
        assert names(rows) == many_places[: settings.GRAPHQL_PAGE_SIZE_DEFAULT]

    def test_default_page_size_applies_with_pagination_but_no_limit(self, gql, many_places, settings):
        rows = gql("{ accommodations(pagination: {offset: 3}) { name } }").data["accommodations"]

        assert names(rows) == many_places[3 : 3 + settings.GRAPHQL_PAGE_SIZE_DEFAULT]

    @pytest.mark.parametrize("field", ["accommodations", "hotels", "apartments"])
    def test_every_list_has_the_default_page_size(self, gql, many_places, settings, field):
        assert len(gql(f"{{ {field} {{ id }} }}").data[field]) == settings.GRAPHQL_PAGE_SIZE_DEFAULT

    @pytest.mark.parametrize("limit", [1000, 10**9, -1])
    def test_a_huge_or_negative_limit_gets_at_most_the_maximum(self, gql, many_places, settings, limit):
        rows = gql("query($l: Int) { accommodations(pagination: {limit: $l}) { name } }", {"l": limit}).data[
            "accommodations"
        ]

        assert settings.GRAPHQL_PAGE_SIZE_MAX == 100
        assert len(rows) == settings.GRAPHQL_PAGE_SIZE_MAX
        assert names(rows) == many_places[: settings.GRAPHQL_PAGE_SIZE_MAX]

    def test_a_null_limit_is_not_unlimited(self, gql, many_places, settings):
        rows = gql("{ accommodations(pagination: {limit: null}) { id } }").data["accommodations"]

        assert len(rows) <= settings.GRAPHQL_PAGE_SIZE_MAX

    def test_offset_and_limit_select_a_window(self, gql, many_places):
        rows = gql("{ accommodations(pagination: {offset: 10, limit: 5}) { name } }").data["accommodations"]

        assert names(rows) == many_places[10:15]

    def test_offset_near_the_end_returns_the_rest(self, gql, many_places):
        offset = len(many_places) - 3

        rows = gql(f"{{ accommodations(pagination: {{offset: {offset}, limit: 50}}) {{ name }} }}").data[
            "accommodations"
        ]

        assert names(rows) == many_places[-3:]

    def test_offset_past_the_end_is_empty(self, gql, many_places):
        rows = gql("{ accommodations(pagination: {offset: 100000, limit: 5}) { name } }").data["accommodations"]

        assert rows == []

    def test_pages_do_not_overlap(self, gql, many_places):
        query = "query($o: Int!) { accommodations(pagination: {offset: $o, limit: 7}) { name } }"

        first = names(gql(query, {"o": 0}).data["accommodations"])
        second = names(gql(query, {"o": 7}).data["accommodations"])

        assert first + second == many_places[:14]

    def test_pagination_applies_after_filter_and_order(self, gql, many_places):
        query = """{ hotels(ordering: [{name: DESC}], pagination: {offset: 1, limit: 2}) { name } }"""
        hotel_names = sorted((name for n, name in enumerate(many_places) if n % 2), reverse=True)

        assert names(gql(query).data["hotels"]) == hotel_names[1:3]

    def test_a_negative_offset_is_a_client_error(self, gql, make_hotel):
        """A client mistake, not a crash: the answer must say what is wrong (no masked internal error)."""
        make_hotel()

        response = gql("{ accommodations(pagination: {offset: -1}) { id } }")

        assert response.status_code in (200, 400)
        assert response.errors
        assert "Unexpected error" not in response.errors[0]["message"]
        assert "offset" in response.errors[0]["message"].lower()
