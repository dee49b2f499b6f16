"""The domain refuses NUL characters itself (PostgreSQL text cannot hold them), with Django's
validator and code, so the admin and any other caller of a service get a field error, not a crash."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from bookings import services as booking_services
from bookings.models import Booking
from catalog import services as catalog_services
from catalog.models import Accommodation

pytestmark = pytest.mark.django_db

NUL = "a\x00b"


def refused(call, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        call()
    assert caught.value.message_dict == {field: ["Null characters are not allowed."]}
    assert [e.code for e in caught.value.error_dict[field]] == ["null_characters_not_allowed"]


@pytest.mark.parametrize("field", ["name", "description", "location"])
def test_catalog_services_refuse_nul(make_hotel, make_apartment, field):
    values = {"name": "Sea View", "location": "Porto", "price": "90", field: NUL}
    hotel, apartment = make_hotel(), make_apartment()

    refused(lambda: catalog_services.create_hotel(**values, rooms=2), field)
    refused(lambda: catalog_services.create_apartment(**values, bedrooms=1, max_guests=2), field)
    refused(lambda: catalog_services.update_hotel(hotel_id=hotel.pk, **{field: NUL}), field)
    refused(lambda: catalog_services.update_apartment(apartment_id=apartment.pk, **{field: NUL}), field)

    assert Accommodation.objects.count() == 2
    assert list(Accommodation.objects.order_by("pk").values_list(field, flat=True)) == [
        getattr(hotel, field), getattr(apartment, field)]


def test_booking_services_refuse_nul_in_the_guest_name(make_apartment, day):
    apartment = make_apartment()
    refused(lambda: booking_services.create_booking(
        accommodation_id=apartment.pk, start_date=day(1), end_date=day(2), guest_name=NUL), "guest_name")
    booking = booking_services.create_booking(accommodation_id=apartment.pk, start_date=day(1), end_date=day(2),
                                              guest_name="Ada")

    refused(lambda: booking_services.update_booking(booking_id=booking.pk, guest_name=NUL), "guest_name")

    assert list(Booking.objects.values_list("guest_name", flat=True)) == ["Ada"]


def test_the_lookups_by_text_refuse_nul(make_apartment, day):
    """Checked before the read: the search's location and the idempotency key reach a WHERE clause."""
    with pytest.raises(ValidationError) as caught:
        booking_services.search_stays(check_in=day(1), check_out=day(2), location=NUL, limit=10)
    assert [e.code for e in caught.value.error_dict["location"]] == ["null_characters_not_allowed"]

    with pytest.raises(ValidationError) as caught:
        booking_services.create_booking(accommodation_id=make_apartment().pk, start_date=day(1), end_date=day(2),
                                        guest_name="Ada", idempotency_key=NUL)
    assert [e.code for e in caught.value.error_dict["idempotency_key"]] == ["null_characters_not_allowed"]
    assert not Booking.objects.exists()


def test_the_admin_form_refuses_nul(django_user_model, make_hotel):
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("boss", "boss@example.com", "boss-pass-123"))
    hotel = make_hotel()
    form = {"name": NUL, "location": "Porto", "description": "", "price": "90", "rooms": 2, "stars": 3,
            "max_guests_per_room": 2, "time_zone": "UTC", "check_in_time": "15:00"}

    response = client.post(f"/admin/catalog/hotel/{hotel.pk}/change/", form)

    assert response.status_code == 200  # the form again, with the error
    assert "Null characters are not allowed." in response.content.decode()
    hotel.refresh_from_db()
    assert hotel.name != NUL
