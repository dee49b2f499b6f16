"""Lists resolve in a number of SQL queries that does not grow with the rows (no N+1),
including `nextAvailableDate` and `availability` asked of every row of a list, and each
table of an interface list is read once."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings import services as booking_services
from bookings.models import Booking
from catalog.models import Hotel
from voice.models import VoiceNote

pytestmark = pytest.mark.django_db

ALL_FIELDS = """
  __typename id kind name description price location createdAt updatedAt
  ... on Hotel { rooms stars }
  ... on Apartment { bedrooms maxGuests }
"""
ACCOMMODATIONS = f"{{ accommodations(pagination: {{limit: 100}}) {{ {ALL_FIELDS} }} }}"
WITH_BOOKINGS = f"""{{ accommodations(pagination: {{limit: 100}}) {{
  {ALL_FIELDS}
  bookings {{ id startDate endDate nights guestName status }}
}} }}"""
WITH_BOOKINGS_AND_BACK = f"""{{ accommodations(pagination: {{limit: 100}}) {{
  {ALL_FIELDS}
  bookings {{ id accommodation {{ __typename id kind name ... on Hotel {{ rooms }} ... on Apartment {{ maxGuests }} }} }}
}} }}"""
CONCRETE_LISTS = """{
  hotels(pagination: {limit: 100}) { id kind name price location rooms stars }
  apartments(pagination: {limit: 100}) { id kind name price location bedrooms maxGuests }
}"""


@pytest.fixture
def grow(make_hotel, make_apartment, day):
    """grow(n) adds places (alternating kinds) until there are n, each with two bookings."""
    created = []

    def to(total: int) -> None:
        while len(created) < total:
            n = len(created)
            place = (make_hotel if n % 2 == 0 else make_apartment)(name=f"Place {n}")
            for start, end in ((5, 7), (7, 9)):
                booking_services.create_booking(
                    accommodation_id=place.pk, start_date=day(start), end_date=day(end), guest_name=f"Guest {n}"
                )
            created.append(place)

    return to


def queries_for(client, query: str, *, expected_rows: int, field: str = "accommodations") -> int:
    with CaptureQueriesContext(connection) as captured:
        data = client(query).data
    assert len(data[field]) == expected_rows
    return len(captured.captured_queries)


def warm_up(client) -> None:
    """The first request of a process also reads the voice-note gauges of /metrics (two statements)."""
    client("{ __typename }")


def assert_constant(client, grow, query: str, *, field: str = "accommodations", per_kind: bool = False) -> int:
    warm_up(client)
    grow(5)
    few = queries_for(client, query, expected_rows=3 if per_kind else 5, field=field)
    grow(50)
    many = queries_for(client, query, expected_rows=25 if per_kind else 50, field=field)
    assert many == few, f"{few} queries for 5 places but {many} for 50"
    return few


def test_public_listing_of_mixed_kinds(gql, grow):
    count = assert_constant(gql, grow, ACCOMMODATIONS)

    assert count <= 3  # the subclasses come with one joined query


def test_concrete_lists(gql, grow):
    assert_constant(gql, grow, CONCRETE_LISTS, field="hotels", per_kind=True)


def test_staff_listing_with_nested_bookings(staff_gql, grow):
    assert_constant(staff_gql, grow, WITH_BOOKINGS)


def test_staff_listing_with_bookings_and_their_accommodation(staff_gql, grow):
    assert_constant(staff_gql, grow, WITH_BOOKINGS_AND_BACK)


def test_nested_bookings_are_all_returned(staff_gql, grow):
    grow(6)

    rows = staff_gql(WITH_BOOKINGS).data["accommodations"]

    assert [len(row["bookings"]) for row in rows] == [2] * 6
    assert all(booking["guestName"] == row["name"].replace("Place", "Guest") for row in rows
               for booking in row["bookings"])


DOMAIN_TABLES = ("catalog_", "bookings_", "voice_")
VOICE_NOTE_FIELDS = "id status transcript confidence language durationSeconds contentType sizeBytes audioUrl createdAt"
STAFF_PAGE = f"""{{ accommodations(pagination: {{limit: 100}}) {{
  {ALL_FIELDS}
  bookings {{ id startDate endDate nights guestName status voiceNotes {{ {VOICE_NOTE_FIELDS} }} }}
}} }}"""
BOOKINGS_ONLY_IN_A_FRAGMENT = """{ accommodations(pagination: {limit: 100}) {
  id ... on Hotel { bookings { id voiceNotes { id } } }
} }"""


def with_voice_notes(grow):
    """grow(n), and a voice note on every booking."""

    def to(total: int) -> None:
        grow(total)
        VoiceNote.objects.bulk_create(
            VoiceNote(booking_id=pk, audio=f"voice-notes/{pk}/a.wav", content_type="audio/wav", size_bytes=1,
                      duration_seconds=1.0, status="COMPLETED", transcript="ok")
            for pk in Booking.objects.filter(voice_notes__isnull=True).values_list("pk", flat=True)
        )

    return to


def domain_statements(client, query: str, *, rows: int, field: str = "accommodations") -> int:
    """Statements that read the catalog, bookings or voice tables (not the session and user)."""
    with CaptureQueriesContext(connection) as captured:
        data = client(query).data
    assert len(data[field]) == rows
    return sum(1 for q in captured.captured_queries if any(table in q["sql"] for table in DOMAIN_TABLES))


def test_the_staff_page_reads_each_table_once(staff_gql, grow):
    """Places, their bookings, the bookings' voice notes: one statement each, as a hand-written view."""
    warm_up(staff_gql)
    grow_notes = with_voice_notes(grow)
    grow_notes(5)
    few = domain_statements(staff_gql, STAFF_PAGE, rows=5)
    grow_notes(50)

    assert domain_statements(staff_gql, STAFF_PAGE, rows=50) == few == 3


def test_the_voice_notes_of_the_staff_page_are_all_there(staff_gql, grow):
    with_voice_notes(grow)(4)

    rows = staff_gql(STAFF_PAGE).data["accommodations"]

    notes = [note for row in rows for booking in row["bookings"] for note in booking["voiceNotes"]]
    assert len(notes) == 8
    assert all(note["audioUrl"] == f"http://testserver/voice-notes/{note['id']}/audio/" for note in notes)
    assert len({note["id"] for note in notes}) == 8


def test_a_relation_selected_only_for_one_kind_is_read_once(staff_gql, grow):
    warm_up(staff_gql)
    grow(5)
    few = domain_statements(staff_gql, BOOKINGS_ONLY_IN_A_FRAGMENT, rows=5)
    grow(50)

    assert domain_statements(staff_gql, BOOKINGS_ONLY_IN_A_FRAGMENT, rows=50) == few == 3
    rows = staff_gql(BOOKINGS_ONLY_IN_A_FRAGMENT).data["accommodations"]
    assert [len(row["bookings"]) for row in rows if "bookings" in row] == [2] * 25


# The interface and a fragment select other sub-fields of one relation (as codegen fragments do):
# one prefetch gives both (booking_graph/graphql/optimizer.py merges them).
MIXED_SELECTIONS = {
    "columns": ("""{ accommodations(pagination: {limit: 100}) { id
        bookings { id } ... on Hotel { bookings { guestName } } } }""", 2),
    "nested relation": ("""{ accommodations(pagination: {limit: 100}) { id
        bookings { id voiceNotes { id } } ... on Hotel { bookings { voiceNotes { status transcript } } } } }""", 3),
    "two fragments": ("""{ accommodations(pagination: {limit: 100}) { id
        ... on Hotel { bookings { id } } ... on Apartment { bookings { guestName } } } }""", 2),
}


@pytest.mark.parametrize("name", MIXED_SELECTIONS)
def test_a_relation_selected_differently_by_the_interface_and_a_fragment_is_read_once(staff_gql, grow, name):
    document, statements = MIXED_SELECTIONS[name]
    warm_up(staff_gql)
    with_voice_notes(grow)(5)
    few = domain_statements(staff_gql, document, rows=5)
    with_voice_notes(grow)(50)

    assert domain_statements(staff_gql, document, rows=50) == few == statements


def test_the_merged_relation_answers_what_each_selection_asked(staff_gql, grow):
    with_voice_notes(grow)(4)
    rows = staff_gql(MIXED_SELECTIONS["nested relation"][0]).data["accommodations"]
    hotels = [row for row in rows if row["id"] in {str(pk) for pk in Hotel.objects.values_list("pk", flat=True)}]

    assert len(rows) == 4 and len(hotels) == 2
    for row in rows:
        assert len(row["bookings"]) == 2
        for booking in row["bookings"]:
            expected = {"status": "COMPLETED", "transcript": "ok"} if row in hotels else {}
            assert [{k: v for k, v in note.items() if k != "id"} for note in booking["voiceNotes"]] == [expected]
            assert booking["id"] and all(note["id"] for note in booking["voiceNotes"])


def test_prefetches_of_other_rows_are_not_merged():
    """Other filters mean other rows: the two stay apart, as strawberry-django made them."""
    from django.db.models import Prefetch

    from booking_graph.graphql.optimizer import _merged_lookup
    from bookings.models import Booking

    all_bookings = Prefetch("bookings", queryset=Booking.objects.only("id"))
    confirmed = Prefetch("bookings", queryset=Booking.objects.filter(status="CONFIRMED").only("guest_name"))
    ordered = Prefetch("bookings", queryset=Booking.objects.order_by("-start_date").only("guest_name"))

    assert _merged_lookup(all_bookings, confirmed) is None
    assert _merged_lookup(all_bookings, ordered) is None
    merged = _merged_lookup(all_bookings, Prefetch("bookings", queryset=Booking.objects.only("guest_name")))
    # strawberry-django's own merge: the columns both selections need, not every column
    assert merged.prefetch_to == "bookings" and merged.queryset.query.deferred_loading == (frozenset({"id", "guest_name"}), False)


def availability_fields(day) -> str:
    return (f'nextAvailableDate(date: "{day(0)}", nights: 2) '
            f'availability(start: "{day(0)}", end: "{day(30)}") {{ date available freeUnits }}')


@pytest.mark.parametrize(
    ("field", "rows_of_5", "rows_of_50"), [("accommodations", 5, 50), ("hotels", 3, 25), ("apartments", 2, 25)]
)
def test_next_available_date_and_availability_on_a_list(gql, grow, day, field, rows_of_5, rows_of_50):
    query = f"{{ {field}(pagination: {{limit: 100}}) {{ id {availability_fields(day)} }} }}"
    warm_up(gql)
    grow(5)
    few = queries_for(gql, query, expected_rows=rows_of_5, field=field)
    grow(50)

    assert queries_for(gql, query, expected_rows=rows_of_50, field=field) == few <= 3  # the list, then each field once


def test_the_places_of_a_list_of_bookings_answer_together(staff_gql, grow, day):
    query = f"{{ bookings(pagination: {{limit: 100}}) {{ id accommodation {{ id {availability_fields(day)} }} }} }}"
    warm_up(staff_gql)
    grow(5)
    few = domain_statements(staff_gql, query, rows=10, field="bookings")
    grow(50)

    assert domain_statements(staff_gql, query, rows=100, field="bookings") == few <= 3


def test_the_places_of_nested_bookings_answer_together(staff_gql, grow, day):
    query = f"""{{ accommodations(pagination: {{limit: 100}}) {{ id bookings {{ id
        accommodation {{ id {availability_fields(day)} }} }} }} }}"""

    assert_constant(staff_gql, grow, query)


def test_a_mutation_payload_with_nested_lists(staff_gql, make_hotel, day):
    """updateHotel answers the hotel with its bookings, their voice notes and its calendar: the
    statements do not grow with the bookings."""
    hotel = make_hotel(rooms=100)
    query = f"""mutation($id: ID!) {{ updateHotel(data: {{id: $id, stars: 4}}) {{ __typename
      ... on Hotel {{ id stars bookings {{ id voiceNotes {{ id }} }} {availability_fields(day)} }} }} }}"""

    warm_up(staff_gql)
    counts = []
    for total in (5, 50):
        while hotel.bookings.count() < total:
            booking_services.create_booking(
                accommodation_id=hotel.pk, start_date=day(5), end_date=day(7), guest_name="Guest"
            )
        with CaptureQueriesContext(connection) as captured:
            answer = staff_gql(query, {"id": hotel.pk}).data["updateHotel"]
        assert len(answer["bookings"]) == total and answer["stars"] == 4
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]


def test_a_create_booking_payload_with_the_place_and_its_calendar(gql, make_apartment, day):
    place = make_apartment()
    query = f"""mutation($place: ID!, $start: Date!, $end: Date!) {{ createBooking(data: {{accommodation: $place,
      startDate: $start, endDate: $end, guestName: "Ada"}}) {{ __typename
      ... on Booking {{ id accommodation {{ id {availability_fields(day)} }} }} }} }}"""

    warm_up(gql)
    counts = []
    for start in (10, 20):
        with CaptureQueriesContext(connection) as captured:
            answer = gql(query, {"place": place.pk, "start": str(day(start)), "end": str(day(start + 2))})
        assert answer.data["createBooking"]["__typename"] == "Booking", answer.body
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]


def test_the_places_of_search_results_answer_together(gql, grow, day):
    query = f"""{{ searchStays(checkIn: "{day(20)}", checkOut: "{day(22)}", pagination: {{limit: 100}}) {{
      nightlyPrice accommodation {{ id {availability_fields(day)} }} }} }}"""

    warm_up(gql)
    grow(5)
    few = queries_for(gql, query, expected_rows=5, field="searchStays")
    grow(50)

    # the search (the offers, then their Hotel/Apartment rows), then each field once
    assert queries_for(gql, query, expected_rows=50, field="searchStays") == few <= 4
