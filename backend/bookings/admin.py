"""Bookings in the admin: the same rules as the API (the services check and write)."""
from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from . import services
from .models import Booking, BookingStatus


class BookingAdminForm(forms.ModelForm):
    class Meta:
        model = Booking
        fields = ["accommodation", "start_date", "end_date", "guest_name", "guests"]

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


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    form = BookingAdminForm
    list_display = (
        "id", "guest_name", "accommodation", "start_date", "end_date", "guests", "total_price", "status", "created_at"
    )
    list_filter = ("status", "accommodation__kind")
    search_fields = ("guest_name", "accommodation__name")
    date_hierarchy = "start_date"
    # The price is set by the service (the plan's nightly prices when booked or moved), never typed in.
    # The snapshot of the plan, nightly prices and cancellation terms is kept, never typed in.
    readonly_fields = (
        "total_price", "rate_plan", "nightly_prices", "refundable", "free_cancellation_until", "cancellation_fee_percent",
        "cancellation_fee", "cancelled_at", "status", "exclusive", "idempotency_key", "created_at", "updated_at",
    )
    actions = ["cancel_selected"]

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
            )
        else:
            saved = services.create_booking(
                accommodation_id=data["accommodation"].pk,
                start_date=data["start_date"],
                end_date=data["end_date"],
                guest_name=data["guest_name"],
                guests=data["guests"],
            )
        obj.pk = saved.pk

    @admin.action(description="Cancel selected bookings")
    def cancel_selected(self, request, queryset) -> None:
        cancelled = 0
        for booking in queryset.filter(status=BookingStatus.CONFIRMED):
            services.cancel_booking(booking_id=booking.pk)
            cancelled += 1
        self.message_user(request, f"Cancelled {cancelled} booking(s).")
