"""Bookings: half-open stays [start_date, end_date) at one accommodation."""
from __future__ import annotations

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.contrib.postgres.indexes import GistIndex
from django.db import models
from django.db.models import F, Func, Q

from catalog.models import tag_places_fetched_with

from .errors import BookingErrorCode

# Said by the service and by the exclusion constraint (a write that skipped the service).
APARTMENT_OVERLAP_MESSAGE = "The apartment is already booked for some of these nights."


class BookingStatus(models.TextChoices):
    CONFIRMED = "CONFIRMED", "Confirmed"
    CANCELLED = "CANCELLED", "Cancelled"


class StayRange(Func):
    """daterange(start, end, '[)'): the nights of a stay; end is the check-out day."""

    function = "DATERANGE"
    output_field = DateRangeField()

    def __init__(self, start="start_date", end="end_date") -> None:
        super().__init__(F(start), F(end), models.Value("[)"))


class BookingQuerySet(models.QuerySet):
    def _fetch_all(self) -> None:
        fetched = self._result_cache is None
        super()._fetch_all()
        if fetched:
            # A list of bookings asking each place for its next available date asks once (catalog.batches).
            tag_places_fetched_with(row for row in self._result_cache if isinstance(row, Booking))


class Booking(models.Model):
    """A stay at one accommodation: the nights [start_date, end_date)."""

    accommodation = models.ForeignKey(
        "catalog.Accommodation", on_delete=models.PROTECT, related_name="bookings"
    )
    start_date = models.DateField(help_text="Check-in day (first night).")
    end_date = models.DateField(help_text="Check-out day; free for the next check-in.")
    guest_name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED)
    # Copied from the accommodation's kind when the row is created (kinds never
    # change), so the exclusion constraint can be limited to apartments without a join.
    exclusive = models.BooleanField(
        editable=False, help_text="True for apartments: no other confirmed booking may overlap."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gt=F("start_date")), name="booking_end_after_start"),
            models.CheckConstraint(condition=Q(guest_name__regex=r"\S"), name="booking_guest_name_not_blank"),
            models.CheckConstraint(condition=Q(status__in=BookingStatus.values), name="booking_status_valid"),
            ExclusionConstraint(
                name="booking_apartment_no_overlap",
                expressions=[("accommodation", RangeOperators.EQUAL), (StayRange(), RangeOperators.OVERLAPS)],
                condition=Q(status=BookingStatus.CONFIRMED, exclusive=True),
                violation_error_code=BookingErrorCode.BOOKING_OVERLAP.value,
                violation_error_message=APARTMENT_OVERLAP_MESSAGE,
            ),
        ]
        indexes = [
            # Overlap and availability scans: confirmed bookings of one place ending after a day.
            models.Index(
                fields=["accommodation", "end_date", "start_date"],
                condition=Q(status=BookingStatus.CONFIRMED),
                name="booking_confirmed_by_place",
            ),
            # "Which confirmed stays touch this window?" for any kind, via && on the range.
            GistIndex(
                "accommodation",
                StayRange(),
                condition=Q(status=BookingStatus.CONFIRMED),
                name="booking_confirmed_stay_gist",
            ),
            models.Index(fields=["status", "start_date"], name="booking_status_start"),
        ]

    def __str__(self) -> str:
        return f"{self.guest_name}: {self.start_date} → {self.end_date} ({self.status})"

    @property
    def nights(self) -> int:
        return (self.end_date - self.start_date).days

    @property
    def is_confirmed(self) -> bool:
        return self.status == BookingStatus.CONFIRMED
