"""Writes to the catalog. The admin and the GraphQL mutations both call these."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from booking_graph.domain import CommonErrorCode, field_error, get_or_not_found, refuse_null_characters

from .errors import CatalogErrorCode
from .models import Accommodation, Apartment, Hotel
from .signals import hotel_rooms_changing

HOTEL_FIELDS = ("name", "description", "price", "location", "rooms", "stars", "max_guests_per_room")
APARTMENT_FIELDS = ("name", "description", "price", "location", "bedrooms", "max_guests")


def _validate(instance: Accommodation) -> None:
    # full_clean gives field-level messages before the database constraints would fire.
    if isinstance(instance.name, str):
        instance.name = instance.name.strip()
    refuse_null_characters(instance)
    instance.full_clean()


def _save(instance: Accommodation) -> None:
    instance.save()
    # Answer with what was stored ("1e3" is stored and read back as 1000.00).
    instance.refresh_from_db()


def _save_validated(instance: Accommodation) -> None:
    _validate(instance)
    _save(instance)


def _apply(instance: Accommodation, allowed: tuple[str, ...], changes: dict[str, Any]) -> None:
    for field, value in changes.items():
        if field not in allowed:
            raise field_error(field, f"{field} cannot be changed.", CommonErrorCode.INVALID)
        setattr(instance, field, value)


@transaction.atomic
def create_hotel(
    *,
    name: str,
    location: str,
    price: Decimal,
    rooms: int,
    description: str = "",
    stars: int | None = None,
    max_guests_per_room: int = 2,
) -> Hotel:
    hotel = Hotel(
        name=name, location=location, price=price, rooms=rooms, description=description, stars=stars,
        max_guests_per_room=max_guests_per_room,
    )
    _save_validated(hotel)
    return hotel


@transaction.atomic
def update_hotel(*, hotel_id: object, **changes: Any) -> Hotel:
    # Lock the base row too: booking writers lock it, so rooms cannot shrink under a booking in flight.
    hotel = get_or_not_found(Hotel.objects.select_for_update(of=("self", "accommodation_ptr")), hotel_id)
    _apply(hotel, HOTEL_FIELDS, changes)
    _validate(hotel)  # bounds first: "rooms must be >= 1" says more than "below bookings"
    if changes.get("rooms") is not None:
        check_rooms_change(hotel=hotel, rooms=hotel.rooms)
    _save(hotel)
    return hotel


def check_rooms_change(*, hotel: Hotel, rooms: int) -> None:
    """Apps built on the catalog refuse a room count their data cannot fit (bookings owns that rule)."""
    hotel_rooms_changing.send(sender=Hotel, hotel=hotel, rooms=rooms)


@transaction.atomic
def create_apartment(
    *,
    name: str,
    location: str,
    price: Decimal,
    bedrooms: int,
    max_guests: int,
    description: str = "",
) -> Apartment:
    apartment = Apartment(
        name=name, location=location, price=price, bedrooms=bedrooms, max_guests=max_guests, description=description
    )
    _save_validated(apartment)
    return apartment


@transaction.atomic
def update_apartment(*, apartment_id: object, **changes: Any) -> Apartment:
    apartment = get_or_not_found(Apartment.objects.select_for_update(of=("self", "accommodation_ptr")), apartment_id)
    _apply(apartment, APARTMENT_FIELDS, changes)
    _save_validated(apartment)
    return apartment


@transaction.atomic
def delete_accommodation(*, accommodation: Accommodation) -> None:
    """Refuse to delete a place that holds bookings: they are the business's records."""
    locked = Accommodation.objects.select_for_update().get(pk=accommodation.pk)
    if locked.bookings.exists():
        raise ValidationError(
            f"{locked.name} has bookings; cancel them and keep the accommodation, or remove them first.",
            code=CatalogErrorCode.HAS_BOOKINGS,
        )
    locked.delete()


def delete_hotel(*, hotel_id: object) -> Hotel:
    hotel = get_or_not_found(Hotel.objects.all(), hotel_id)
    delete_accommodation(accommodation=hotel)
    return hotel


def delete_apartment(*, apartment_id: object) -> Apartment:
    apartment = get_or_not_found(Apartment.objects.all(), apartment_id)
    delete_accommodation(accommodation=apartment)
    return apartment
