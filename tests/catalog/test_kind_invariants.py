"""The kind of an accommodation is fixed in the database, not only in the code."""
import pytest
from django.db import IntegrityError, connection, transaction

from catalog.models import Accommodation, AccommodationKind, Apartment, Hotel

pytestmark = pytest.mark.django_db


def test_kind_cannot_change_even_through_the_orm(make_hotel):
    hotel = make_hotel()

    with pytest.raises(IntegrityError, match="cannot change"), transaction.atomic():
        Accommodation.objects.filter(pk=hotel.pk).update(kind=AccommodationKind.APARTMENT)

    assert Accommodation.objects.get(pk=hotel.pk).kind == AccommodationKind.HOTEL


def test_a_hotel_row_cannot_hang_off_an_apartment(make_apartment):
    apartment = make_apartment()

    with pytest.raises(IntegrityError, match="not of kind HOTEL"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO catalog_hotel (accommodation_ptr_id, rooms) VALUES (%s, 1)", [apartment.pk])

    assert not Hotel.objects.filter(pk=apartment.pk).exists()


def test_other_updates_still_work(make_hotel, make_apartment):
    hotel, apartment = make_hotel(), make_apartment()

    Accommodation.objects.filter(pk=hotel.pk).update(name="Renamed")
    Hotel.objects.filter(pk=hotel.pk).update(rooms=9)
    Apartment.objects.filter(pk=apartment.pk).update(bedrooms=3)

    assert Hotel.objects.get(pk=hotel.pk).rooms == 9
