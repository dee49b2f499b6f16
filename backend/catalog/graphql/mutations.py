"""Catalog mutations: parse, call a service, return the object (or OperationInfo)."""
from __future__ import annotations

import datetime
import decimal

import strawberry
import strawberry_django
from strawberry_django.permissions import IsStaff

from .. import services
from .inputs import (
    ApartmentInput,
    ApartmentPartialInput,
    HotelInput,
    HotelPartialInput,
    NodeInput,
    RatePlanInput,
    RatePlanPartialInput,
    provided_fields,
)
from .types import ApartmentType, HotelType, RateCalendarType, RatePlanType


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

    @strawberry_django.mutation(extensions=[IsStaff()])
    def create_rate_plan(self, data: RatePlanInput) -> RatePlanType:
        fields = vars(data).copy()
        return services.create_rate_plan(
            accommodation_id=fields.pop("accommodation"), parent_id=fields.pop("parent"), **fields
        )

    @strawberry_django.mutation(extensions=[IsStaff()])
    def update_rate_plan(self, data: RatePlanPartialInput) -> RatePlanType:
        return services.update_rate_plan(rate_plan_id=data.id, **provided_fields(data))

    @strawberry_django.mutation(
        extensions=[IsStaff()],
        description=(
            "Set values on every day of [start, end), optionally only on some ISO weekdays (1 = Monday). "
            "Values left out keep what they were; a later write overrides an earlier one. Answers the plan's "
            "effective calendar of [start, end)."
        ),
    )
    def set_rates(
        self,
        rate_plan: strawberry.ID,
        start: datetime.date,
        end: datetime.date,
        weekdays: list[int] | None = None,
        price: decimal.Decimal | None = None,
        min_stay: int | None = None,
        max_stay: int | None = None,
        closed_to_arrival: bool | None = None,
        closed_to_departure: bool | None = None,
        stop_sell: bool | None = None,
    ) -> RateCalendarType:
        values = {
            name: value
            for name, value in (
                ("price", price), ("min_stay", min_stay), ("max_stay", max_stay), ("closed_to_arrival", closed_to_arrival),
                ("closed_to_departure", closed_to_departure), ("stop_sell", stop_sell),
            )
            if value is not None
        }
        plan, days = services.set_rates(rate_plan_id=rate_plan, start=start, end=end, weekdays=weekdays, **values)
        return RateCalendarType(rate_plan=plan, days=days)
