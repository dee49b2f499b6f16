"""The admin goes through the same services: its forms show the rules' errors instead of saving."""
from __future__ import annotations

import pytest

from bookings import services
from bookings.models import Booking, BookingStatus
from catalog.models import Hotel

pytestmark = pytest.mark.django_db


def booking_form(place, day, start: int, end: int, guest: str = "Walk-in", guests: int = 1) -> dict:
    return {
        "accommodation": place.pk, "start_date": day(start), "end_date": day(end), "guest_name": guest, "guests": guests
    }


def test_admin_creates_a_booking_through_the_service(admin_client, make_apartment, day):
    apartment = make_apartment()

    response = admin_client.post("/admin/bookings/booking/add/", booking_form(apartment, day, 1, 3))

    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.exclusive, booking.status) == (True, BookingStatus.CONFIRMED)  # set by the service


def test_admin_books_guests_and_shows_the_kept_price(admin_client, make_apartment, day):
    from decimal import Decimal

    apartment = make_apartment(price=Decimal("95.00"), max_guests=3)

    response = admin_client.post("/admin/bookings/booking/add/", booking_form(apartment, day, 1, 3, guests=3))

    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.guests, booking.total_price) == (3, Decimal("190.00"))
    listing = admin_client.get("/admin/bookings/booking/").content.decode()
    assert "190.00" in listing
    page = admin_client.get(f"/admin/bookings/booking/{booking.pk}/change/").content.decode()
    assert 'name="guests"' in page and "190.00" in page
    assert 'name="total_price"' not in page  # read-only: the service prices the stay


def test_admin_form_refuses_too_many_guests(admin_client, make_apartment, day):
    apartment = make_apartment(max_guests=2)

    response = admin_client.post("/admin/bookings/booking/add/", booking_form(apartment, day, 1, 3, guests=3))

    assert response.status_code == 200 and "at most 2 guests" in response.content.decode()
    assert Booking.objects.count() == 0


def test_admin_form_shows_the_overlap_instead_of_saving(admin_client, make_apartment, day):
    apartment = make_apartment()
    services.create_booking(accommodation_id=apartment.pk, start_date=day(1), end_date=day(4), guest_name="First")

    response = admin_client.post("/admin/bookings/booking/add/", booking_form(apartment, day, 2, 3))

    assert response.status_code == 200
    assert "already booked" in response.content.decode()
    assert Booking.objects.count() == 1


def test_admin_form_refuses_a_full_hotel(admin_client, make_hotel, day):
    hotel = make_hotel(rooms=1)
    services.create_booking(accommodation_id=hotel.pk, start_date=day(1), end_date=day(4), guest_name="First")

    response = admin_client.post("/admin/bookings/booking/add/", booking_form(hotel, day, 1, 2))

    assert response.status_code == 200 and "no room left" in response.content.decode()
    assert Booking.objects.count() == 1


def test_admin_edit_revalidates_without_counting_the_booking_itself(admin_client, make_apartment, day):
    apartment = make_apartment()
    booking = services.create_booking(accommodation_id=apartment.pk, start_date=day(1), end_date=day(4), guest_name="A")

    response = admin_client.post(f"/admin/bookings/booking/{booking.pk}/change/", booking_form(apartment, day, 2, 5, "A"))

    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.start_date, booking.end_date) == (day(2), day(5))


def test_admin_cannot_lower_rooms_below_bookings(admin_client, make_hotel, day):
    hotel = make_hotel(rooms=2)
    for guest in "AB":
        services.create_booking(accommodation_id=hotel.pk, start_date=day(1), end_date=day(3), guest_name=guest)
    form = {
        "name": hotel.name, "description": "", "price": "100", "location": hotel.location, "rooms": 1, "stars": 4,
        "max_guests_per_room": 2, "time_zone": "UTC", "check_in_time": "15:00",
    }

    response = admin_client.post(f"/admin/catalog/hotel/{hotel.pk}/change/", form)

    assert response.status_code == 200 and "rooms cannot go below" in response.content.decode()
    assert Hotel.objects.get(pk=hotel.pk).rooms == 2


def test_admin_edits_a_hotels_guests_per_room_through_the_service(admin_client, make_hotel):
    hotel = make_hotel(rooms=2)
    form = {
        "name": hotel.name, "description": "", "price": "100", "location": hotel.location, "rooms": 2, "stars": 4,
        "max_guests_per_room": 4, "time_zone": "UTC", "check_in_time": "15:00",
    }

    assert admin_client.post(f"/admin/catalog/hotel/{hotel.pk}/change/", form).status_code == 302
    assert Hotel.objects.get(pk=hotel.pk).max_guests_per_room == 4

    response = admin_client.post(f"/admin/catalog/hotel/{hotel.pk}/change/", form | {"max_guests_per_room": 21})
    assert response.status_code == 200 and "less than or equal to 20" in response.content.decode()
    assert Hotel.objects.get(pk=hotel.pk).max_guests_per_room == 4
    assert "max_guests_per_room" in admin_client.get("/admin/catalog/hotel/").content.decode()


def test_admin_changelists_and_search_render(admin_client, make_hotel, make_apartment):
    make_hotel(name="Searchable Hotel")
    make_apartment()

    for url in ("/admin/catalog/hotel/?q=Searchable", "/admin/catalog/apartment/", "/admin/bookings/booking/",
                "/admin/voice/voicenote/"):
        assert admin_client.get(url).status_code == 200, url
