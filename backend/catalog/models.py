"""Accommodations: a concrete base row with exactly one Hotel or Apartment child."""
from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from model_utils.managers import InheritanceManager, InheritanceQuerySet

from .batches import tag_fetched_together


MAX_GUESTS_PER_ROOM = 20


class VoiceLanguage(models.TextChoices):
    """Languages the offline transcriber is measured on (docs/voice-notes.md)."""

    ENGLISH = "en", "English"
    PORTUGUESE = "pt", "Portuguese"
    GERMAN = "de", "German"
    SPANISH = "es", "Spanish"


class AccommodationKind(models.TextChoices):
    HOTEL = "HOTEL", "Hotel"
    APARTMENT = "APARTMENT", "Apartment"


class AccommodationQuerySet(InheritanceQuerySet):
    def _fetch_all(self) -> None:
        fetched = self._result_cache is None
        super()._fetch_all()
        if fetched:
            # The rows of one query form a batch (see catalog.batches); values() rows are no instances.
            tag_fetched_together(row for row in self._result_cache if isinstance(row, Accommodation))


class AccommodationManager(InheritanceManager):
    _queryset_class = AccommodationQuerySet


def tag_places_fetched_with(rows: Iterable[models.Model], *, field_name: str = "accommodation") -> None:
    """The accommodations one query brought along with its rows (select_related), and their
    Hotel/Apartment child when that came too, form one batch like a list of places does."""
    rows = list(rows)
    if not rows:
        return
    # Read the caches select_related fills (what Field.is_cached looks at), names resolved once.
    place_cache = rows[0]._meta.get_field(field_name).cache_name
    child_caches = [child._meta.parents[Accommodation].remote_field.cache_name for child in (Hotel, Apartment)]
    places = []
    for row in rows:
        place = row._state.fields_cache.get(place_cache)
        if place is not None:
            places.append(place)
            places.extend(
                child for name in child_caches if (child := place._state.fields_cache.get(name)) is not None
            )
    if places:
        tag_fetched_together(places)


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
    # What staff speak in voice notes about this place: one language is used as given; several
    # are offered on the staff page and limit language detection; empty = VOICE_DEFAULT_LANGUAGES.
    voice_languages = ArrayField(
        models.CharField(max_length=8, choices=VoiceLanguage.choices), default=list, blank=True,
        help_text="Languages of staff voice notes (en, pt, de, es); empty: the deployment's default.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccommodationManager()

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
