from django.apps import AppConfig


class BookingGraphConfig(AppConfig):
    name = "booking_graph"
    verbose_name = "Booking Graph"
