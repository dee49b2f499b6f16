from django.apps import AppConfig


class BookingGraphConfig(AppConfig):
    name = "booking_graph"
    verbose_name = "Booking Graph"

    def ready(self) -> None:
        from booking_graph import text_lookups

        text_lookups.install()  # regex filters under a policy (staff only in GraphQL)
