"""Bare model columns get a direct resolver; anything with a resolver, arguments, a permission or
another extension, or a relation keeps strawberry-django's."""
from __future__ import annotations

import pytest

from booking_graph.graphql.plain_columns import read_plain_columns_directly
from booking_graph.schema import schema
from catalog.models import Hotel

pytestmark = pytest.mark.django_db


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
