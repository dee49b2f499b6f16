"""Erase the personal data of one or more bookings: guest name anonymised, voice notes and audio deleted."""
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from voice.erasure import erase_booking_personal_data


class Command(BaseCommand):
    help = "Anonymise the guest name and delete the voice notes (with their audio) of the given bookings."

    def add_arguments(self, parser) -> None:
        parser.add_argument("booking_ids", nargs="+", help="booking ids")

    def handle(self, *args, booking_ids: list[str], **options) -> None:
        for booking_id in booking_ids:
            try:
                booking = erase_booking_personal_data(booking_id=booking_id)
            except ValidationError as exc:
                raise CommandError(f"booking {booking_id}: {' '.join(exc.messages)}") from exc
            self.stdout.write(f"-- booking {booking.pk}: personal data erased")
