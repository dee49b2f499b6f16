"""Writes to the catalog. The admin and the GraphQL mutations both call these."""
from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from booking_graph.domain import CommonErrorCode, field_error, get_or_not_found, refuse_null_characters

from .errors import CatalogErrorCode
from . import selectors
from .models import Accommodation, Apartment, Hotel, RateDay, RatePlan
from .signals import hotel_rooms_changing

HOTEL_FIELDS = (
    "name", "description", "price", "location", "rooms", "stars", "max_guests_per_room", "time_zone", "check_in_time",
)
APARTMENT_FIELDS = ("name", "description", "price", "location", "bedrooms", "max_guests", "time_zone", "check_in_time")


def _validate(instance: Accommodation) -> None:
    # full_clean gives field-level messages before the database constraints would fire.
    if isinstance(instance.name, str):
        instance.name = instance.name.strip()
    refuse_null_characters(instance)
    _refuse_null_in_blank_fields(instance)
    instance.full_clean()


def _refuse_null_in_blank_fields(instance: Accommodation) -> None:
    """full_clean skips every check of a blank-allowed field holding None, null included, so a
    None description reached the NOT NULL column as an internal error (the production fuzz sent
    `description: null`). Django's own null check, with its message and code."""
    for field in instance._meta.concrete_fields:
        if field.editable and not field.primary_key and field.blank and not field.null \
                and getattr(instance, field.attname) is None:
            try:
                field.validate(None, instance)
            except ValidationError as refused:
                raise ValidationError({field.name: refused.error_list}) from None


def _save(instance: Accommodation) -> None:
    instance.save()
    # Answer with what was stored ("1e3" is stored and read back as 1000.00).
    instance.refresh_from_db()


def _save_validated(instance: Accommodation) -> None:
    _validate(instance)
    _save(instance)


def _place_clock(time_zone: str | None, check_in_time: datetime.time | None) -> dict[str, Any]:
    """Only what was given: the model's defaults (TIME_ZONE, 15:00) otherwise."""
    given = {"time_zone": time_zone, "check_in_time": check_in_time}
    return {name: value for name, value in given.items() if value is not None}


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
    time_zone: str | None = None,
    check_in_time: datetime.time | None = None,
) -> Hotel:
    hotel = Hotel(
        name=name, location=location, price=price, rooms=rooms, description=description, stars=stars,
        max_guests_per_room=max_guests_per_room, **_place_clock(time_zone, check_in_time),
    )
    _save_validated(hotel)  # the default rate plan comes with the row (Accommodation.save)
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
    time_zone: str | None = None,
    check_in_time: datetime.time | None = None,
) -> Apartment:
    apartment = Apartment(
        name=name, location=location, price=price, bedrooms=bedrooms, max_guests=max_guests, description=description,
        **_place_clock(time_zone, check_in_time),
    )
    _save_validated(apartment)  # the default rate plan comes with the row (Accommodation.save)
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


# --- Rate plans and the rate calendar ----------------------------------------------------

RATE_PLAN_FIELDS = (
    "code", "name", "active", "parent", "adjustment_percent", "refundable", "free_cancellation_days", "fee_percent",
)
RATE_DAY_FIELDS = ("price", "min_stay", "max_stay", "closed_to_arrival", "closed_to_departure", "stop_sell")
CODE_CONSTRAINT = "rateplan_code_unique_per_place"


def _clean_policy(plan: RatePlan, changes: dict[str, Any]) -> None:
    """Non-refundable: the fee is the whole stay and there is no free window; refundable: a free
    window of N >= 0 days before check-in (0 when not given), then fee_percent of the total."""
    if plan.refundable:
        if plan.free_cancellation_days is None:
            plan.free_cancellation_days = 0
        return
    if changes.get("free_cancellation_days") is not None:
        raise field_error(
            "free_cancellation_days", "A non-refundable plan has no free cancellation window.",
            CatalogErrorCode.INVALID_CANCELLATION_POLICY,
        )
    if changes.get("fee_percent") is not None and Decimal(changes["fee_percent"]) != 100:
        raise field_error(
            "fee_percent", "A non-refundable plan charges the whole stay (feePercent 100).",
            CatalogErrorCode.INVALID_CANCELLATION_POLICY,
        )
    plan.free_cancellation_days = None
    plan.fee_percent = Decimal(100)


def _clean_derivation(plan: RatePlan) -> None:
    if plan.parent_id is None:
        if plan.adjustment_percent is not None:
            raise field_error(
                "adjustment_percent", "Only a plan derived from a parent has an adjustment.", CatalogErrorCode.INVALID_PARENT_PLAN
            )
        return
    parent = plan.parent
    if parent.accommodation_id != plan.accommodation_id or (plan.pk is not None and parent.pk == plan.pk):
        raise field_error("parent", "The parent must be another plan of the same accommodation.", CatalogErrorCode.INVALID_PARENT_PLAN)
    if parent.parent_id is not None:
        raise field_error(
            "parent", "The parent must price itself (derived plans cannot be chained).", CatalogErrorCode.INVALID_PARENT_PLAN
        )
    if plan.is_default:
        raise field_error("parent", "The default plan prices itself.", CatalogErrorCode.DEFAULT_PLAN_REQUIRED)
    if plan.pk is not None and plan.derived_plans.exists():
        raise field_error("parent", "Other plans derive from this one; it must keep its own prices.", CatalogErrorCode.PLAN_HAS_DERIVED)
    if plan.adjustment_percent is None:
        raise field_error("adjustment_percent", "A derived plan needs its adjustment (e.g. -10 for 10 % off).", CommonErrorCode.BLANK)
    if not -100 < plan.adjustment_percent <= 1000:
        raise field_error(
            "adjustment_percent", "The adjustment must be above -100 and at most 1000 (percent).", CommonErrorCode.INVALID
        )


def validate_rate_plan(plan: RatePlan, changes: dict[str, Any]) -> None:
    """Every rule of a plan, on an unsaved or changed instance (the admin form calls it too)."""
    if isinstance(plan.code, str):
        plan.code = plan.code.strip()
    if isinstance(plan.name, str):
        plan.name = plan.name.strip()
    _clean_policy(plan, changes)
    _clean_derivation(plan)
    if plan.is_default and not plan.active:
        raise field_error("active", "The default plan is always on sale.", CatalogErrorCode.DEFAULT_PLAN_REQUIRED)
    refuse_null_characters(plan)
    plan.full_clean(exclude=["accommodation", "parent"], validate_unique=False, validate_constraints=False)
    if RatePlan.objects.filter(accommodation_id=plan.accommodation_id, code=plan.code).exclude(pk=plan.pk).exists():
        raise field_error("code", f"This accommodation already has a plan with code {plan.code!r}.", CatalogErrorCode.RATE_PLAN_CODE_TAKEN)


def _save_rate_plan(plan: RatePlan, changes: dict[str, Any]) -> RatePlan:
    validate_rate_plan(plan, changes)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:  # a parallel writer took the code between the check and the insert
        if CODE_CONSTRAINT in str(exc):
            raise field_error("code", f"This accommodation already has a plan with code {plan.code!r}.", CatalogErrorCode.RATE_PLAN_CODE_TAKEN) from exc
        raise
    plan.refresh_from_db()
    return plan


def _parent_plan(parent_id: object | None) -> RatePlan | None:
    return None if parent_id is None else get_or_not_found(RatePlan.objects.all(), parent_id, field="parent")


@transaction.atomic
def create_rate_plan(
    *,
    accommodation_id: object,
    code: str,
    name: str,
    active: bool = True,
    parent_id: object | None = None,
    adjustment_percent: Decimal | None = None,
    refundable: bool = True,
    free_cancellation_days: int | None = None,
    fee_percent: Decimal | None = None,
) -> RatePlan:
    # The accommodation's row lock: plan writers of one place go one at a time (codes, parents).
    accommodation = get_or_not_found(Accommodation.objects.select_for_update(), accommodation_id, field="accommodation")
    plan = RatePlan(
        accommodation=accommodation, code=code, name=name, active=active, parent=_parent_plan(parent_id),
        adjustment_percent=adjustment_percent, refundable=refundable, free_cancellation_days=free_cancellation_days,
        fee_percent=Decimal(100) if fee_percent is None else fee_percent,
    )
    return _save_rate_plan(plan, {"free_cancellation_days": free_cancellation_days, "fee_percent": fee_percent})


@transaction.atomic
def update_rate_plan(*, rate_plan_id: object, **changes: Any) -> RatePlan:
    """Change a plan; bookings already made keep the terms they were made under."""
    found = get_or_not_found(RatePlan.objects.all(), rate_plan_id)
    Accommodation.objects.select_for_update().filter(pk=found.accommodation_id).first()
    plan = RatePlan.objects.select_for_update().get(pk=found.pk)
    for field, value in changes.items():
        if field not in RATE_PLAN_FIELDS:
            raise field_error(field, f"{field} cannot be changed.", CommonErrorCode.INVALID)
        if field == "parent":
            plan.parent = _parent_plan(value)
            if value is None:
                plan.adjustment_percent = None
        elif value is None and field not in ("adjustment_percent", "free_cancellation_days"):
            raise field_error(field, f"{field} cannot be null.", CommonErrorCode.INVALID)
        else:
            setattr(plan, field, value)
    return _save_rate_plan(plan, changes)


def _clean_rate_values(plan: RatePlan, values: dict[str, Any]) -> dict[str, Any]:
    if not values:
        raise field_error("price", "Give at least one value to set.", CatalogErrorCode.NOTHING_TO_SET)
    cleaned = {}
    for name, value in values.items():
        field = RateDay._meta.get_field(name)
        try:
            cleaned[name] = field.clean(value, None)
        except ValidationError as exc:
            raise ValidationError({name: exc.error_list}) from None
    if "price" in cleaned and plan.is_derived:
        raise field_error(
            "price", "A derived plan's prices follow its parent plan: set the price there.", CatalogErrorCode.DERIVED_PLAN_PRICE
        )
    max_nights = settings.BOOKING_MAX_NIGHTS
    for name in ("min_stay", "max_stay"):
        if name in cleaned and not 1 <= cleaned[name] <= max_nights:
            raise field_error(name, f"{name} must be between 1 and {max_nights} nights.", CatalogErrorCode.INVALID_STAY_RULE)
    if "min_stay" in cleaned and "max_stay" in cleaned and cleaned["min_stay"] > cleaned["max_stay"]:
        raise field_error("max_stay", "maxStay cannot be below minStay.", CatalogErrorCode.INVALID_STAY_RULE)
    return cleaned


def _days_of(start: datetime.date, end: datetime.date, weekdays: list[int] | None) -> list[datetime.date]:
    if end <= start:
        raise field_error("end", "end must be after start.", CatalogErrorCode.INVALID_RATE_RANGE)
    if (end - start).days > settings.RATES_MAX_DAYS:
        raise field_error("end", f"At most {settings.RATES_MAX_DAYS} days per write.", CatalogErrorCode.RATE_RANGE_TOO_LONG)
    if weekdays is not None:
        if not weekdays or any(not 1 <= day <= 7 for day in weekdays):
            raise field_error(
                "weekdays", "weekdays are ISO numbers from 1 (Monday) to 7 (Sunday), at least one.", CatalogErrorCode.INVALID_WEEKDAY
            )
    days = [start + datetime.timedelta(days=n) for n in range((end - start).days)]
    return days if weekdays is None else [day for day in days if day.isoweekday() in set(weekdays)]


@transaction.atomic
def set_rates(
    *,
    rate_plan_id: object,
    start: datetime.date,
    end: datetime.date,
    weekdays: list[int] | None = None,
    **values: Any,
) -> tuple[RatePlan, list[selectors.RateDayValues]]:
    """Write the given values on every day of [start, end) (optionally only some weekdays), like
    Channex's ARI updates: values left out keep what they were; a later write overrides an earlier
    one. One upsert statement whatever the range; answers the plan's effective calendar of [start, end)."""
    for name in values:
        if name not in RATE_DAY_FIELDS:
            raise field_error(name, f"{name} is not a rate value.", CommonErrorCode.INVALID)
    days = _days_of(start, end, weekdays)
    # Writers of one plan go one at a time, so "later overrides earlier" holds for whole ranges.
    plan = get_or_not_found(RatePlan.objects.select_for_update(), rate_plan_id, field="rate_plan")
    cleaned = _clean_rate_values(plan, values)
    if "min_stay" in cleaned or "max_stay" in cleaned:
        _refuse_min_above_max(plan, days, cleaned)
    RateDay.objects.bulk_create(
        [RateDay(rate_plan=plan, date=day, **cleaned) for day in days],
        update_conflicts=True, unique_fields=["rate_plan", "date"], update_fields=list(cleaned),
    )
    return plan, selectors.rate_calendar(rate_plan=plan, start=start, end=end)


def check_rate_day(*, rate_plan: RatePlan, values: dict[str, Any]) -> None:
    """The checks of write_rate_day without writing (the admin form shows them as errors)."""
    if given := {name: value for name, value in values.items() if value is not None}:
        _clean_rate_values(rate_plan, given)


@transaction.atomic
def write_rate_day(*, rate_plan_id: object, date: datetime.date, values: dict[str, Any]) -> RateDay:
    """Replace one day's row with exactly these values (blank = not set): the admin's row editor."""
    plan = get_or_not_found(RatePlan.objects.select_for_update(), rate_plan_id, field="rate_plan")
    check_rate_day(rate_plan=plan, values=values)
    day, _ = RateDay.objects.update_or_create(rate_plan=plan, date=date, defaults=values)
    return day


def _refuse_min_above_max(plan: RatePlan, days: list[datetime.date], cleaned: dict[str, Any]) -> None:
    """A day's own minimum may not exceed its own maximum once this write is merged in."""
    if not days:
        return
    stored = RateDay.objects.filter(rate_plan=plan, date__in=days).values_list("date", "min_stay", "max_stay")
    for day, min_stay, max_stay in stored:
        new_min = cleaned.get("min_stay", min_stay)
        new_max = cleaned.get("max_stay", max_stay)
        if new_min is not None and new_max is not None and new_min > new_max:
            raise field_error(
                "min_stay" if "min_stay" in cleaned else "max_stay",
                f"On {day} the minimum stay ({new_min}) would exceed the maximum stay ({new_max}).",
                CatalogErrorCode.INVALID_STAY_RULE,
            )


def rate_calendar(*, rate_plan_id: object, start: datetime.date, end: datetime.date) -> list[selectors.RateDayValues]:
    """A plan's effective calendar over [start, end), at most RATES_MAX_DAYS days."""
    _days_of(start, end, None)
    return selectors.rate_calendar(rate_plan=selectors.get_rate_plan(rate_plan_id), start=start, end=end)
