"""Admin pages for both kinds; saves go through the same services as the API."""
from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from . import services
from .models import Apartment, Hotel


class HotelAdminForm(forms.ModelForm):
    class Meta:
        model = Hotel
        fields = ["name", "description", "price", "location", "rooms", "stars"]

    def clean_rooms(self) -> int:
        rooms = self.cleaned_data["rooms"]
        if self.instance.pk and rooms is not None:
            try:
                services.ensure_rooms_cover_bookings(self.instance, rooms)
            except ValidationError as exc:
                raise ValidationError(exc.messages) from exc
        return rooms


class AccommodationAdmin(admin.ModelAdmin):
    search_fields = ("name", "location", "description")
    list_filter = ("location",)
    readonly_fields = ("kind", "created_at", "updated_at")


@admin.register(Hotel)
class HotelAdmin(AccommodationAdmin):
    form = HotelAdminForm
    list_display = ("name", "location", "price", "rooms", "stars", "updated_at")

    def save_model(self, request, obj, form, change) -> None:
        changes = {name: form.cleaned_data[name] for name in services.HOTEL_FIELDS}
        if change:
            saved = services.update_hotel(hotel_id=obj.pk, **changes)
        else:
            saved = services.create_hotel(**changes)
        obj.pk = obj.id = saved.pk


@admin.register(Apartment)
class ApartmentAdmin(AccommodationAdmin):
    fields = ("name", "description", "price", "location", "bedrooms", "max_guests", "kind", "created_at", "updated_at")
    list_display = ("name", "location", "price", "bedrooms", "max_guests", "updated_at")

    def save_model(self, request, obj, form, change) -> None:
        changes = {name: form.cleaned_data[name] for name in services.APARTMENT_FIELDS}
        if change:
            saved = services.update_apartment(apartment_id=obj.pk, **changes)
        else:
            saved = services.create_apartment(**changes)
        obj.pk = obj.id = saved.pk
