"""Bookings in the admin: the same rules as the API (the services check and write)."""
from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

from . import services
from .models import Booking, BookingRevision, BookingStatus
from .revisions import staff_actor


class BookingAdminForm(forms.ModelForm):
    class Meta:
        model = Booking
        fields = ["accommodation", "start_date", "end_date", "guest_name", "guest_email", "guests"]

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        try:
            services.check_bookable(
                accommodation_id=data["accommodation"].pk,
                start_date=data["start_date"],
                end_date=data["end_date"],
                guests=data["guests"],
                booking=self.instance if self.instance.pk else None,
            )
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc  # the service keys errors by API field names
        if self.instance.pk is None:
            self.instance.exclusive = services.booking_is_exclusive(data["accommodation"])
        return data

    def _get_validation_exclusions(self) -> set[str]:
        excluded = super()._get_validation_exclusions()
        if self.errors:
            # The service has explained the problem; skip the model's constraint checks
            # (excluding `accommodation` makes the exclusion constraint stand down).
            return excluded | {"accommodation"}
        # Django cannot check a conditional constraint whose condition fields are excluded.
        return excluded - {"exclusive", "status"}


@admin.register(BookingRevision)
class BookingRevisionAdmin(admin.ModelAdmin):
    list_display = ("id", "booking", "sequence", "at", "actor", "action")
    list_filter = ("action",)
    search_fields = ("booking__reference", "actor")
    list_select_related = ("booking",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def actor_of(request) -> str:
    return staff_actor(request.user.get_username())


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    form = BookingAdminForm
    list_display = (
        "id", "reference", "guest_name", "accommodation", "start_date", "end_date", "guests", "total_price", "status",
        "expires_at", "created_at",
    )
    list_filter = ("status", "accommodation__kind")
    search_fields = ("reference", "guest_name", "guest_email", "accommodation__name")
    date_hierarchy = "start_date"
    # The price is set by the service (the plan's nightly prices when booked or moved), never typed in.
    # The snapshot of the plan, nightly prices and cancellation terms is kept, never typed in.
    readonly_fields = (
        "history", "reference", "expires_at", "confirmed_at", "total_price", "rate_plan", "nightly_prices", "refundable", "free_cancellation_until", "cancellation_fee_percent",
        "cancellation_fee", "cancelled_at", "status", "exclusive", "idempotency_key", "created_at", "updated_at",
    )
    actions = ["cancel_selected"]

    @admin.display(description="History")
    def history(self, obj: Booking) -> str:
        """The revisions, read-only (append-only in the database too)."""
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            ((rev.sequence, rev.at.strftime("%Y-%m-%d %H:%M:%S %Z"), rev.actor, rev.action, json.dumps(rev.changes))
             for rev in obj.revisions.order_by("sequence")) if obj.pk else (),
        )
        return format_html("<table><tr><th>#</th><th>at</th><th>actor</th><th>action</th><th>changes</th></tr>{}</table>", rows)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Bookings are business records: staff cancel them. (Deleting one would also drop its voice
        # notes behind voice's back; their audio is removed only by voice's delete service.)
        return False

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        if change:
            saved = services.update_booking(
                booking_id=obj.pk,
                start_date=data["start_date"],
                end_date=data["end_date"],
                guest_name=data["guest_name"],
                guests=data["guests"],
                actor=actor_of(request),
            )
        else:
            saved = services.create_booking(
                accommodation_id=data["accommodation"].pk,
                start_date=data["start_date"],
                end_date=data["end_date"],
                guest_name=data["guest_name"],
                guests=data["guests"],
                guest_email=data.get("guest_email"),
                actor=actor_of(request),
            )
        obj.pk = saved.pk

    @admin.action(description="Cancel selected bookings")
    def cancel_selected(self, request, queryset) -> None:
        cancelled = 0
        for booking in queryset.filter(status__in=(BookingStatus.CONFIRMED, BookingStatus.HELD)):
            services.cancel_booking(booking_id=booking.pk, actor=actor_of(request))
            cancelled += 1
        self.message_user(request, f"Cancelled {cancelled} booking(s).")
