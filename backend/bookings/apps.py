from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = "Bookings"

    def ready(self) -> None:
        from catalog.signals import hotel_rooms_changing

        from . import services

        def rooms_cover_bookings(sender, *, hotel, rooms, **kwargs) -> None:
            services.ensure_rooms_cover_bookings(hotel=hotel, rooms=rooms)

        # catalog cannot import bookings (bookings builds on it), so it asks through a signal.
        hotel_rooms_changing.connect(rooms_cover_bookings, weak=False, dispatch_uid="bookings.rooms_cover_bookings")
