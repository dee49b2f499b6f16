"""Catalog mutations: parse, call a service, return the object (or OperationInfo)."""
from __future__ import annotations

import strawberry
import strawberry_django
from strawberry_django.permissions import IsStaff

from .. import services
from .inputs import ApartmentInput, ApartmentPartialInput, HotelInput, HotelPartialInput, NodeInput, provided_fields
from .types import ApartmentType, HotelType


@strawberry.type
class Mutation:
    @strawberry_django.mutation(extensions=[IsStaff()])
    def create_hotel(self, data: HotelInput) -> HotelType:
        return services.create_hotel(**vars(data))

    @strawberry_django.mutation(extensions=[IsStaff()])
    def update_hotel(self, data: HotelPartialInput) -> HotelType:
        return services.update_hotel(hotel_id=data.id, **provided_fields(data))

    @strawberry_django.mutation(extensions=[IsStaff()])
    def delete_hotel(self, data: NodeInput) -> HotelType:
        return services.delete_hotel(hotel_id=data.id)

    @strawberry_django.mutation(extensions=[IsStaff()])
    def create_apartment(self, data: ApartmentInput) -> ApartmentType:
        return services.create_apartment(**vars(data))

    @strawberry_django.mutation(extensions=[IsStaff()])
    def update_apartment(self, data: ApartmentPartialInput) -> ApartmentType:
        return services.update_apartment(apartment_id=data.id, **provided_fields(data))

    @strawberry_django.mutation(extensions=[IsStaff()])
    def delete_apartment(self, data: NodeInput) -> ApartmentType:
        return services.delete_apartment(apartment_id=data.id)
