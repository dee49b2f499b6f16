"""Accommodations: a concrete base row with exactly one Hotel or Apartment child."""
from __future__ import annotations

import datetime
import zoneinfo
from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from model_utils.managers import InheritanceManager

from .errors import CatalogErrorCode


MAX_GUESTS_PER_ROOM = 20


def default_time_zone() -> str:
    return settings.TIME_ZONE


def default_check_in_time() -> datetime.time:
    return datetime.time.fromisoformat(settings.BOOKING_CHECK_IN_TIME)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone (e.g. Europe/Lisbon).", code=CatalogErrorCode.INVALID_TIME_ZONE)


class VoiceLanguage(models.TextChoices):
    """Languages the offline transcriber is measured on (docs/voice-notes.md)."""

    ENGLISH = "en", "English"
    PORTUGUESE = "pt", "Portuguese"
    GERMAN = "de", "German"
    SPANISH = "es", "Spanish"


class AccommodationKind(models.TextChoices):
    HOTEL = "HOTEL", "Hotel"
    APARTMENT = "APARTMENT", "Apartment"


class Accommodation(models.Model):
    """A place that can be booked, priced per night."""

    # Set once by the child class and never edited: the base row knows its kind
    # (like Wagtail's .specific), so rules can branch without touching child tables.
    kind = models.CharField(max_length=16, choices=AccommodationKind.choices, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(0)], help_text="Price per night."
    )
    location = models.CharField(max_length=200, help_text="City or address.")
    # "Today", the check-in moment and cancellation deadlines are the property's, not the server's.
    time_zone = models.CharField(
        max_length=64, default=default_time_zone, validators=[validate_time_zone],
        help_text="IANA time zone of the property (e.g. Europe/Lisbon).",
    )
    check_in_time = models.TimeField(default=default_check_in_time, help_text="Local check-in time.")
    # What staff speak in voice notes about this place: one language is used as given; several
    # are offered on the staff page and limit language detection; empty = VOICE_DEFAULT_LANGUAGES.
    voice_languages = ArrayField(
        models.CharField(max_length=8, choices=VoiceLanguage.choices), default=list, blank=True,
        help_text="Languages of staff voice notes (en, pt, de, es); empty: the deployment's default.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InheritanceManager()

    KIND: ClassVar[str | None] = None  # fixed by each child class

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.KIND:
            self.kind = self.KIND

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="accommodation_price_non_negative"),
            models.CheckConstraint(condition=Q(kind__in=AccommodationKind.values), name="accommodation_kind_valid"),
            models.CheckConstraint(condition=Q(name__regex=r"\S"), name="accommodation_name_not_blank"),
        ]
        indexes = [models.Index(fields=["kind", "price"], name="accommodation_kind_price")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()}, {self.location})"

    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding:
            # Every accommodation sells through a default plan, however the row was made (service,
            # admin, fixture): clients that name no plan get it.
            RatePlan.objects.create(**default_rate_plan_fields(self))

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_today(self, now: datetime.datetime) -> datetime.date:
        """The property's date at the moment `now`."""
        return now.astimezone(self.zone).date()

    def check_in_moment(self, day: datetime.date) -> datetime.datetime:
        """Check-in time on that day, in the property's zone."""
        return datetime.datetime.combine(day, self.check_in_time, tzinfo=self.zone)

    @property
    def is_hotel(self) -> bool:
        return self.kind == AccommodationKind.HOTEL

    @property
    def is_apartment(self) -> bool:
        return self.kind == AccommodationKind.APARTMENT


class Hotel(Accommodation):
    """An accommodation with several bookable rooms."""

    KIND = AccommodationKind.HOTEL

    rooms = models.PositiveIntegerField(validators=[MinValueValidator(1)], help_text="Number of bookable rooms (at least 1).")
    stars = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="Star rating from 1 to 5, optional.",
    )
    # One room per booking, so this caps the guests of any one hotel booking.
    max_guests_per_room = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_GUESTS_PER_ROOM)],
        help_text=f"Guests one room (one booking) takes, 1 to {MAX_GUESTS_PER_ROOM}.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(rooms__gte=1), name="hotel_rooms_at_least_one"),
            models.CheckConstraint(
                condition=Q(stars__isnull=True) | Q(stars__gte=1, stars__lte=5), name="hotel_stars_one_to_five"
            ),
            models.CheckConstraint(
                condition=Q(max_guests_per_room__gte=1, max_guests_per_room__lte=MAX_GUESTS_PER_ROOM),
                name="hotel_max_guests_per_room_range",
            ),
        ]


class Apartment(Accommodation):
    """An accommodation rented as a whole: one booking at a time."""

    KIND = AccommodationKind.APARTMENT

    bedrooms = models.PositiveSmallIntegerField(help_text="Number of bedrooms (0 for a studio).")
    max_guests = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)], help_text="Maximum number of guests (at least 1).")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(bedrooms__gte=0), name="apartment_bedrooms_non_negative"),
            models.CheckConstraint(condition=Q(max_guests__gte=1), name="apartment_max_guests_at_least_one"),
        ]


DEFAULT_RATE_PLAN_CODE = "STANDARD"


def default_rate_plan_fields(accommodation: Accommodation) -> dict:
    """The default plan: the base price, refundable free of charge until the check-in time."""
    return {
        "accommodation": accommodation, "code": DEFAULT_RATE_PLAN_CODE, "name": "Standard rate", "is_default": True,
        "active": True, "refundable": True, "free_cancellation_days": 0, "fee_percent": 100,
    }


class RatePlan(models.Model):
    """A way one accommodation is sold: its own prices or a parent's adjusted by a percentage,
    and the cancellation terms a booking made under it keeps (Channex/Apaleo rate plans)."""

    accommodation = models.ForeignKey(Accommodation, on_delete=models.CASCADE, related_name="rate_plans")
    code = models.SlugField(max_length=50, help_text="Stable code, unique per accommodation (e.g. STANDARD, NONREF).")
    name = models.CharField(max_length=100)
    active = models.BooleanField(default=True, help_text="Inactive plans are not sold and not shown to guests.")
    # The plan clients get when they name none; every accommodation has exactly one.
    is_default = models.BooleanField(default=False, editable=False)
    # Derived plans follow every later change of the parent's day prices (one level: the parent prices itself).
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="derived_plans")
    adjustment_percent = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True,
        help_text="Derived plans only: price = parent's price x (1 + adjustment / 100), e.g. -10 for 10 % off.",
    )
    refundable = models.BooleanField(default=True)
    free_cancellation_days = models.PositiveSmallIntegerField(
        null=True, blank=True,
        help_text="Refundable plans: cancelling is free until this many days before the check-in time.",
    )
    fee_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=100,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Share of the stay's total charged for a cancellation after the free window (100 if non-refundable).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["accommodation_id", "-is_default", "id"]
        constraints = [
            models.UniqueConstraint(fields=["accommodation", "code"], name="rateplan_code_unique_per_place"),
            models.UniqueConstraint(
                fields=["accommodation"], condition=Q(is_default=True), name="rateplan_one_default_per_place"
            ),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(active=True, parent__isnull=True), name="rateplan_default_active_own_priced"
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, adjustment_percent__isnull=True)
                | Q(parent__isnull=False, adjustment_percent__gt=-100, adjustment_percent__lte=1000),
                name="rateplan_derived_has_adjustment",
            ),
            models.CheckConstraint(
                condition=Q(refundable=True, free_cancellation_days__isnull=False)
                | Q(refundable=False, free_cancellation_days__isnull=True, fee_percent=100),
                name="rateplan_cancellation_policy_consistent",
            ),
            models.CheckConstraint(condition=Q(fee_percent__gte=0, fee_percent__lte=100), name="rateplan_fee_percent_range"),
            models.CheckConstraint(condition=Q(code__regex=r"\S"), name="rateplan_code_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_derived(self) -> bool:
        return self.parent_id is not None


class RateDay(models.Model):
    """What one plan says about one day. A blank value means "not set": the parent plan's value for
    a derived plan, else the default (the accommodation's price, minimum stay 1, no other rule)."""

    rate_plan = models.ForeignKey(RatePlan, on_delete=models.CASCADE, related_name="days")
    date = models.DateField()
    price = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)],
        help_text="Price of the night starting this day (own-priced plans only).",
    )
    min_stay = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Minimum nights for a stay arriving this day."
    )
    max_stay = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Maximum nights for a stay arriving this day."
    )
    closed_to_arrival = models.BooleanField(null=True, blank=True, help_text="No stay may start this day.")
    closed_to_departure = models.BooleanField(null=True, blank=True, help_text="No stay may end (check out) this day.")
    stop_sell = models.BooleanField(null=True, blank=True, help_text="No stay may include the night of this day.")

    class Meta:
        ordering = ["rate_plan_id", "date"]
        constraints = [
            # Also the index every calendar read uses: (plan, day).
            models.UniqueConstraint(fields=["rate_plan", "date"], name="rateday_one_row_per_plan_and_day"),
            models.CheckConstraint(condition=Q(price__isnull=True) | Q(price__gte=0), name="rateday_price_non_negative"),
            models.CheckConstraint(condition=Q(min_stay__isnull=True) | Q(min_stay__gte=1), name="rateday_min_stay_positive"),
            models.CheckConstraint(condition=Q(max_stay__isnull=True) | Q(max_stay__gte=1), name="rateday_max_stay_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.rate_plan_id} {self.date}"
