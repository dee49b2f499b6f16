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
        fields = ["name", "description", "price", "location", "rooms", "stars", "max_guests_per_room"]

    def clean_rooms(self) -> int:
        rooms = self.cleaned_data["rooms"]
        if self.instance.pk and rooms is not None:
            try:
                services.check_rooms_change(hotel=self.instance, rooms=rooms)
            except ValidationError as exc:
                raise ValidationError(exc.messages) from exc
        return rooms


class AccommodationAdmin(admin.ModelAdmin):
    search_fields = ("name", "location", "description")
    list_filter = ("location",)
    readonly_fields = ("kind", "created_at", "updated_at")
    service_fields: tuple[str, ...] = ()

    def create(self, **fields): ...

    def update(self, pk: int, **fields): ...

    def save_model(self, request, obj, form, change) -> None:
        """Through the services, like the API: same validation, same locks."""
        fields = {name: form.cleaned_data[name] for name in self.service_fields}
        saved = self.update(obj.pk, **fields) if change else self.create(**fields)
        obj.pk = obj.id = saved.pk


@admin.register(Hotel)
class HotelAdmin(AccommodationAdmin):
    form = HotelAdminForm
    list_display = ("name", "location", "price", "rooms", "stars", "max_guests_per_room", "updated_at")
    service_fields = services.HOTEL_FIELDS

    def create(self, **fields):
        return services.create_hotel(**fields)

    def update(self, pk: int, **fields):
        return services.update_hotel(hotel_id=pk, **fields)


@admin.register(Apartment)
class ApartmentAdmin(AccommodationAdmin):
    fields = ("name", "description", "price", "location", "bedrooms", "max_guests", "kind", "created_at", "updated_at")
    list_display = ("name", "location", "price", "bedrooms", "max_guests", "updated_at")
    service_fields = services.APARTMENT_FIELDS

    def create(self, **fields):
        return services.create_apartment(**fields)

    def update(self, pk: int, **fields):
        return services.update_apartment(apartment_id=pk, **fields)
