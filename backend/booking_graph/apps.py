from django.apps import AppConfig


class BookingGraphConfig(AppConfig):
    name = "booking_graph"
    verbose_name = "Booking Graph"

    def ready(self) -> None:
        from booking_graph import date_lookups, text_lookups

        text_lookups.install()  # regex filters under a policy (staff only in GraphQL)
        date_lookups.install()  # a year no date can have is the client's bad value, not an internal error
