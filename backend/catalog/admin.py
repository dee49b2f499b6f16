"""Admin pages for both kinds; saves go through the same services as the API."""
from __future__ import annotations

import copy

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from . import services
from .models import Accommodation, Apartment, Hotel, RateDay, RatePlan


class HotelAdminForm(forms.ModelForm):
    class Meta:
        model = Hotel
        fields = [
            "name", "description", "price", "location", "rooms", "stars", "max_guests_per_room", "time_zone", "check_in_time",
        ]

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


@admin.register(Accommodation)
class AnyAccommodationAdmin(admin.ModelAdmin):
    """Read-only list of both kinds: what rate plan pages search when picking an accommodation."""

    search_fields = ("name", "location")
    list_display = ("name", "kind", "location", "price")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


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
    fields = (
        "name", "description", "price", "location", "bedrooms", "max_guests", "time_zone", "check_in_time", "kind",
        "created_at", "updated_at",
    )
    list_display = ("name", "location", "price", "bedrooms", "max_guests", "updated_at")
    service_fields = services.APARTMENT_FIELDS

    def create(self, **fields):
        return services.create_apartment(**fields)

    def update(self, pk: int, **fields):
        return services.update_apartment(apartment_id=pk, **fields)


class RatePlanAdminForm(forms.ModelForm):
    class Meta:
        model = RatePlan
        fields = [
            "accommodation", "code", "name", "active", "parent", "adjustment_percent", "refundable",
            "free_cancellation_days", "fee_percent",
        ]

    def clean(self) -> dict:
        """The service's rules, the same as the API's, shown on the form; the service saves."""
        data = super().clean()
        if self.errors:
            return data
        plan = copy.copy(self.instance)
        for name, value in data.items():
            setattr(plan, name, value)
        try:
            services.validate_rate_plan(plan, data)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        # The values as the service normalises them (e.g. a refundable plan's free window defaults to 0).
        return data | {name: getattr(plan, name) for name in data}

    def validate_unique(self) -> None:
        # Checked by the service (the code per accommodation), with the API's message.
        pass


@admin.register(RatePlan)
class RatePlanAdmin(admin.ModelAdmin):
    form = RatePlanAdminForm
    list_display = (
        "name", "code", "accommodation", "active", "is_default", "parent", "adjustment_percent", "refundable",
        "free_cancellation_days", "fee_percent",
    )
    list_filter = ("active", "refundable", "is_default", "accommodation__kind")
    search_fields = ("code", "name", "accommodation__name")
    list_select_related = ("accommodation", "parent")
    readonly_fields = ("is_default", "created_at", "updated_at")
    autocomplete_fields = ("accommodation",)

    def get_readonly_fields(self, request, obj=None):
        # A plan stays with its accommodation.
        return (*self.readonly_fields, "accommodation") if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change) -> None:
        data = {name: form.cleaned_data.get(name) for name in RatePlanAdminForm.Meta.fields if name != "accommodation"}
        parent = data.pop("parent")
        if change:
            saved = services.update_rate_plan(rate_plan_id=obj.pk, parent=parent.pk if parent else None, **data)
        else:
            saved = services.create_rate_plan(
                accommodation_id=form.cleaned_data["accommodation"].pk, parent_id=parent.pk if parent else None, **data
            )
        obj.pk = obj.id = saved.pk

    def get_changeform_initial_data(self, request):
        return {"fee_percent": 100, **super().get_changeform_initial_data(request)}


class RateDayAdminForm(forms.ModelForm):
    class Meta:
        model = RateDay
        fields = ["rate_plan", "date", "price", "min_stay", "max_stay", "closed_to_arrival", "closed_to_departure", "stop_sell"]

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        try:
            services.check_rate_day(rate_plan=data["rate_plan"], values=rate_day_values(data))
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return data

    def validate_unique(self) -> None:
        # One row per plan and day: saving a day that has a row updates it (setRates semantics).
        pass


def rate_day_values(data: dict) -> dict:
    return {name: data.get(name) for name in services.RATE_DAY_FIELDS}


@admin.register(RateDay)
class RateDayAdmin(admin.ModelAdmin):
    """A plan's calendar as a filtered list: the rows staff (or setRates) wrote; a blank value is
    "not set" (the parent's for a derived plan, else the default)."""

    form = RateDayAdminForm
    list_display = ("date", "rate_plan", "price", "min_stay", "max_stay", "closed_to_arrival", "closed_to_departure", "stop_sell")
    list_filter = ("rate_plan__accommodation", "rate_plan__code", "stop_sell", "closed_to_arrival")
    list_select_related = ("rate_plan", "rate_plan__accommodation")
    date_hierarchy = "date"
    ordering = ("rate_plan", "date")
    search_fields = ("rate_plan__accommodation__name", "rate_plan__code")
    autocomplete_fields = ("rate_plan",)

    def save_model(self, request, obj, form, change) -> None:
        saved = services.write_rate_day(
            rate_plan_id=form.cleaned_data["rate_plan"].pk, date=form.cleaned_data["date"], values=rate_day_values(form.cleaned_data)
        )
        obj.pk = obj.id = saved.pk
