"""Bookings in the admin: the same rules as the API (the services check and write)."""
from __future__ import annotations

from django import forms
from django.contrib import admin

from . import services
from .models import Booking


class BookingAdminForm(forms.ModelForm):
    class Meta:
        model = Booking
        fields = ["accommodation", "start_date", "end_date", "guest_name"]

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        services.check_bookable(
            accommodation_id=data["accommodation"].pk,
            start_date=data["start_date"],
            end_date=data["end_date"],
            booking=self.instance if self.instance.pk else None,
        )
        return data

    def validate_constraints(self) -> None:
        """The service above gives the friendly error; the database still holds the constraint."""


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    form = BookingAdminForm
    list_display = ("id", "guest_name", "accommodation", "start_date", "end_date", "status", "created_at")
    list_filter = ("status", "accommodation__kind")
    search_fields = ("guest_name", "accommodation__name")
    date_hierarchy = "start_date"
    readonly_fields = ("status", "exclusive", "created_at", "updated_at")
    actions = ["cancel_selected"]

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        if change:
            saved = services.update_booking(
                booking_id=obj.pk, start_date=data["start_date"], end_date=data["end_date"], guest_name=data["guest_name"]
            )
        else:
            saved = services.create_booking(
                accommodation_id=data["accommodation"].pk,
                start_date=data["start_date"],
                end_date=data["end_date"],
                guest_name=data["guest_name"],
            )
        obj.pk = saved.pk

    @admin.action(description="Cancel selected bookings")
    def cancel_selected(self, request, queryset) -> None:
        cancelled = 0
        for booking in queryset.filter(status="CONFIRMED"):
            services.cancel_booking(booking_id=booking.pk)
            cancelled += 1
        self.message_user(request, f"Cancelled {cancelled} booking(s).")
