"""Bare model columns get a direct resolver; anything with a resolver, arguments, a permission or
another extension, or a relation keeps strawberry-django's."""
from __future__ import annotations

import pytest
from django.conf import settings

from booking_graph.graphql.plain_columns import read_plain_columns_directly, read_staff_lists_directly
from booking_graph.schema import schema
from catalog.models import Hotel

pytestmark_fast = pytest.mark.skipif(not settings.GRAPHQL_FAST_PATHS, reason="GRAPHQL_FAST_PATHS=0: the fast paths are off")
pytestmark = [pytest.mark.django_db, pytestmark_fast]


def resolver_of(type_name: str, field_name: str):
    return schema._schema.type_map[type_name].fields[field_name].resolve


def is_direct(type_name: str, field_name: str) -> bool:
    return "_attribute_reader" in getattr(resolver_of(type_name, field_name), "__qualname__", "")


@pytest.mark.parametrize(
    ("type_name", "field_name"),
    [("Hotel", "name"), ("Hotel", "rooms"), ("Apartment", "maxGuests"), ("Booking", "guestName"),
     ("Booking", "nights"), ("VoiceNote", "transcript"), ("Accommodation", "price")],
)
def test_columns_and_properties_are_read_directly(type_name, field_name):
    assert is_direct(type_name, field_name)


@pytest.mark.parametrize(
    ("type_name", "field_name", "why"),
    [
        ("Hotel", "bookings", "a relation behind a staff-only permission"),
        ("Booking", "voiceNotes", "a relation behind a staff-only permission"),
        ("Booking", "accommodation", "a resolver"),
        ("Hotel", "nextAvailableDate", "a resolver with arguments"),
        ("VoiceNote", "audioUrl", "a resolver"),
        ("VoiceNote", "booking", "a relation"),
    ],
)
def test_everything_else_keeps_its_resolver(type_name, field_name, why):
    assert not is_direct(type_name, field_name), why


def test_applying_it_again_changes_nothing_it_should_not():
    before = {(t, f): resolver_of(t, f) for t, f in [("Hotel", "bookings"), ("VoiceNote", "audioUrl")]}

    assert read_plain_columns_directly(schema) > 0

    assert all(resolver_of(t, f) is resolver for (t, f), resolver in before.items())


def test_a_deferred_column_is_still_read(gql, make_hotel):
    """Only the selected columns are loaded; a column read anyway is fetched, not returned empty."""
    hotel = make_hotel(name="Deferred")
    row = Hotel.objects.only("id").get(pk=hotel.pk)

    assert resolver_of("Hotel", "name")(row, None) == "Deferred"


STAFF_LISTS = [("Hotel", "bookings"), ("Apartment", "bookings"), ("Accommodation", "bookings"), ("Booking", "voiceNotes")]
PAGE = "{ accommodations { id bookings { id guestName voiceNotes { id } } } }"


@pytest.mark.parametrize(("type_name", "field_name"), STAFF_LISTS)
def test_staff_only_lists_get_the_prefetched_fast_path_once(type_name, field_name):
    assert "_staff_list_reader" in resolver_of(type_name, field_name).__qualname__
    assert read_staff_lists_directly(schema) == 0  # applying it again wraps nothing twice


@pytest.fixture
def place_with_a_booking(make_hotel, day):
    from bookings import services

    hotel = make_hotel()
    booking = services.create_booking(accommodation_id=hotel.pk, start_date=day(1), end_date=day(2), guest_name="Ada")
    return hotel, booking


def test_staff_read_the_prefetched_lists(staff_gql, place_with_a_booking):
    hotel, booking = place_with_a_booking

    assert staff_gql(PAGE).data == {"accommodations": [
        {"id": str(hotel.pk), "bookings": [{"id": str(booking.pk), "guestName": "Ada", "voiceNotes": []}]}
    ]}


@pytest.mark.parametrize("client", ["gql", "user_gql"])
def test_the_fast_path_refuses_anonymous_and_non_staff_as_is_staff_does(request, client, place_with_a_booking):
    response = request.getfixturevalue(client)(PAGE)

    assert response.status_code == 200
    assert [e["message"] for e in response.errors] == ["User is not a staff member."]
    assert response.body["data"] is None


def test_the_staff_decision_follows_the_user_of_the_request(staff_user, plain_user, place_with_a_booking):
    """The decision is cached on the request for its user; another user on the same request decides anew."""
    from types import SimpleNamespace

    from booking_graph.graphql.plain_columns import _staff_decided_once

    request = SimpleNamespace(user=staff_user)
    info = SimpleNamespace(context=SimpleNamespace(request=request))
    assert _staff_decided_once(info) is True
    request.user = plain_user
    assert _staff_decided_once(info) is False
    request.user = None
    assert _staff_decided_once(info) is False


def test_audio_url_is_read_directly_when_the_column_is_loaded_and_through_strawberry_otherwise(staff_user):
    from types import SimpleNamespace

    from django.test import RequestFactory

    from voice.models import VoiceNote

    resolve = resolver_of("VoiceNote", "audioUrl")
    assert resolve.__qualname__.startswith("read_audio_url_directly")
    request = RequestFactory().get("/graphql/")
    info = SimpleNamespace(context=SimpleNamespace(request=request))
    loaded = VoiceNote(pk=7, audio="voice/7.webm")
    assert resolve(loaded, info) == "http://testserver/voice-notes/7/audio/"
    assert resolve(VoiceNote(pk=8, audio=""), info) is None
    from voice.graphql.types import read_audio_url_directly

    calls = []
    fallback = read_audio_url_directly(lambda root, info, **kwargs: calls.append(root) or "orig")
    deferred = VoiceNote(pk=9)
    del deferred.__dict__["audio"]  # as a row fetched without the column
    assert fallback(deferred, info) == "orig" and calls == [deferred]
