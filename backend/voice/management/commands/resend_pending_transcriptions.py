"""Re-send transcription jobs for notes stuck PENDING (e.g. the broker was down at upload)."""
from django.core.management.base import BaseCommand

from voice import services


class Command(BaseCommand):
    help = "Enqueue a transcription job for every voice note PENDING for longer than --older-than seconds."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--older-than", type=int, default=60, help="seconds since the note last changed")

    def handle(self, *args, older_than: int, **options) -> None:
        count = services.resend_pending(older_than_seconds=older_than)
        self.stdout.write(f"-- re-sent {count} pending voice note(s)")
