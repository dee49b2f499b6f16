"""Bookings: half-open stays [start_date, end_date) at one accommodation."""
from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.contrib.postgres.indexes import GistIndex
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Func, Q
from django.utils import timezone

from catalog.models import RatePlan

from .errors import BookingErrorCode

# Said by the service and by the exclusion constraint (a write that skipped the service).
APARTMENT_OVERLAP_MESSAGE = "The apartment is already booked for some of these nights."


class BookingStatus(models.TextChoices):
    HELD = "HELD", "Held"  # takes capacity until expires_at, then EXPIRED (or CONFIRMED before)
    CONFIRMED = "CONFIRMED", "Confirmed"
    CANCELLED = "CANCELLED", "Cancelled"
    EXPIRED = "EXPIRED", "Expired"


# Rows that take capacity in the database's eyes. A HELD row past its expires_at takes none for
# the rules (selectors compare with the clock); it is marked EXPIRED before anything is written
# over it, so the exclusion constraint below never meets a stale hold.
CAPACITY_STATUSES = (BookingStatus.HELD, BookingStatus.CONFIRMED)

# Unambiguous characters (no 0/O, 1/I/L, U): read over the phone, typed from an e-mail.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 10  # 30^10 ~ 5.9e14 possible references


def new_reference() -> str:
    """A guest's public handle on a booking: random, short, not derived from the id."""
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


class StayRange(Func):
    """daterange(start, end, '[)'): the nights of a stay; end is the check-out day."""

    function = "DATERANGE"
    output_field = DateRangeField()

    def __init__(self, start="start_date", end="end_date") -> None:
        super().__init__(F(start), F(end), models.Value("[)"))


def default_plan_ids(accommodation_ids: Iterable[int]) -> dict[int, int]:
    return dict(
        RatePlan.objects.filter(accommodation_id__in=set(accommodation_ids), is_default=True).values_list(
            "accommodation_id", "pk"
        )
    )


class BookingQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Rows written without a plan (scripts, fixtures) were sold under their place's default plan."""
        objs = list(objs)
        if missing := [row for row in objs if row.rate_plan_id is None]:
            plans = default_plan_ids(row.accommodation_id for row in missing)
            for row in missing:
                row.rate_plan_id = plans.get(row.accommodation_id)
        return super().bulk_create(objs, *args, **kwargs)


class Booking(models.Model):
    """A stay at one accommodation: the nights [start_date, end_date)."""

    accommodation = models.ForeignKey(
        "catalog.Accommodation", on_delete=models.PROTECT, related_name="bookings"
    )
    start_date = models.DateField(help_text="Check-in day (first night).")
    end_date = models.DateField(help_text="Check-out day; free for the next check-in.")
    guest_name = models.CharField(max_length=200)
    guest_email = models.EmailField(
        blank=True, default="", help_text="With the reference, lets the guest find, confirm, change and cancel the booking."
    )
    reference = models.CharField(
        max_length=REFERENCE_LENGTH, unique=True, default=new_reference, editable=False,
        help_text="The guest's public booking reference (random; never derived from the id).",
    )
    expires_at = models.DateTimeField(null=True, blank=True, editable=False, help_text="A hold's end (HELD only).")
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    guests = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1)], help_text="Number of guests (at least 1)."
    )
    # Kept, not derived: a later change of the nightly price must not touch what the guest agreed to.
    total_price = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text="Nights x the nightly price when the booking was made or its dates were last moved.",
    )
    # The snapshot of what the guest agreed to: the plan, each night's price, the cancellation terms.
    # Later rate or policy changes never touch these.
    rate_plan = models.ForeignKey(
        "catalog.RatePlan", on_delete=models.PROTECT, related_name="bookings", help_text="The plan the stay was sold under."
    )
    nightly_prices = models.JSONField(
        default=list, editable=False, help_text='Each night\'s agreed price: [{"date": "2027-01-01", "price": "120.00"}, ...].'
    )
    refundable = models.BooleanField(default=True, editable=False)
    free_cancellation_until = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Last moment cancelling is free (none for a non-refundable plan)."
    )
    cancellation_fee_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=100, editable=False,
        help_text="Share of the total charged for a cancellation after the free window.",
    )
    cancellation_fee = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, editable=False,
        help_text="What the cancellation cost, computed from these terms when it happened.",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A client's retry key (createBooking's idempotencyKey); unique, so parallel retries cannot double-book.
    idempotency_key = models.CharField(max_length=255, null=True, blank=True, editable=False)
    # sha256 of the request's fields: the same key with other fields is refused, not replayed.
    idempotency_fingerprint = models.CharField(max_length=64, blank=True, default="", editable=False)
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
            # A hold ends, and the guest confirming it must be reachable.
            models.CheckConstraint(
                condition=~Q(status=BookingStatus.HELD) | (Q(expires_at__isnull=False) & ~Q(guest_email="")),
                name="booking_hold_has_expiry_and_email",
            ),
            models.CheckConstraint(condition=Q(guests__gte=1), name="booking_guests_at_least_one"),
            models.CheckConstraint(condition=Q(total_price__gte=0), name="booking_total_price_non_negative"),
            models.CheckConstraint(
                condition=Q(cancellation_fee__isnull=True) | Q(cancellation_fee__gte=0, cancellation_fee__lte=F("total_price")),
                name="booking_cancellation_fee_within_total",
            ),
            models.UniqueConstraint(fields=["idempotency_key"], name="booking_idempotency_key_unique"),
            ExclusionConstraint(
                name="booking_apartment_no_overlap",
                expressions=[("accommodation", RangeOperators.EQUAL), (StayRange(), RangeOperators.OVERLAPS)],
                condition=Q(status__in=CAPACITY_STATUSES, exclusive=True),
                violation_error_code=BookingErrorCode.BOOKING_OVERLAP.value,
                violation_error_message=APARTMENT_OVERLAP_MESSAGE,
            ),
        ]
        indexes = [
            # Overlap and availability scans: held or confirmed bookings of one place ending after a day.
            models.Index(
                fields=["accommodation", "end_date", "start_date"],
                condition=Q(status__in=CAPACITY_STATUSES),
                name="booking_active_by_place",
            ),
            # "Which held or confirmed stays touch this window?" for any kind, via && on the range.
            GistIndex(
                "accommodation",
                StayRange(),
                condition=Q(status__in=CAPACITY_STATUSES),
                name="booking_active_stay_gist",
            ),
            # "Which stays touch these nights, at any place?" for the stay search: the index above
            # needs the accommodation first, and scans slowly without it.
            GistIndex(StayRange(), condition=Q(status__in=CAPACITY_STATUSES), name="booking_active_range_gist"),
            # The sweep that marks lapsed holds EXPIRED.
            models.Index(fields=["expires_at"], condition=Q(status=BookingStatus.HELD), name="booking_held_by_expiry"),
            models.Index(fields=["status", "start_date"], name="booking_status_start"),
        ]

    # Set on the instance create_booking returns for a retried idempotency key (never stored).
    replayed = False

    def save(self, *args, **kwargs) -> None:
        if self.rate_plan_id is None and self.accommodation_id is not None:
            # A row written without a plan (a script, a fixture) was sold under the default plan.
            self.rate_plan_id = default_plan_ids([self.accommodation_id]).get(self.accommodation_id)
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.guest_name}: {self.start_date} → {self.end_date} ({self.status})"

    @property
    def nights(self) -> int:
        return (self.end_date - self.start_date).days

    @property
    def is_confirmed(self) -> bool:
        return self.status == BookingStatus.CONFIRMED

    @property
    def is_held(self) -> bool:
        return self.status == BookingStatus.HELD

    def hold_lapsed(self, now: datetime.datetime) -> bool:
        return self.is_held and self.expires_at is not None and self.expires_at <= now

    @property
    def masked_reference(self) -> str:
        """What logs show: enough to correlate, not enough to look the booking up."""
        return mask_reference(self.reference)


def mask_reference(reference: str) -> str:
    return f"{reference[:3]}…" if reference else ""


class RevisionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Booking revisions are append-only.")

    def delete(self):
        raise TypeError("Booking revisions are append-only.")


class BookingRevision(models.Model):
    """One change to a booking: who, when, what (fields before and after). Append-only: the model
    refuses updates and deletes, and a PostgreSQL trigger refuses them for every other writer."""

    # The global, monotonically increasing number a partner feed pages by (docs/architecture.md).
    id = models.BigAutoField(primary_key=True)
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="revisions")
    sequence = models.PositiveIntegerField(help_text="1, 2, 3... per booking, in the order the changes happened.")
    at = models.DateTimeField(default=timezone.now)
    actor = models.CharField(max_length=200, help_text='"staff:<username>", "guest" or "system".')
    action = models.CharField(max_length=32)
    changes = models.JSONField(default=dict, help_text='{"field": [before, after]}; personal data is never copied here.')

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["booking_id", "sequence"]
        constraints = [models.UniqueConstraint(fields=["booking", "sequence"], name="revision_sequence_per_booking")]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} by {self.actor}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise TypeError("Booking revisions are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Booking revisions are append-only.")
