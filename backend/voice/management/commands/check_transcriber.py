"""Load the configured transcription provider now, as a worker does at boot, and say whether it works."""
from django.core.management.base import BaseCommand, CommandError

from voice.transcribers import preload_transcriber
from voice.transcribers.base import TranscriptionError


class Command(BaseCommand):
    help = "Check that the configured transcriber (and its offline model, if any) loads; exit 1 with the reason if not."

    def handle(self, *args, **options) -> None:
        try:
            transcriber = preload_transcriber()
        except (TranscriptionError, ImportError) as exc:
            raise CommandError(f"Transcription provider unavailable: {exc}") from exc
        self.stdout.write(f"-- transcriber ready: {transcriber.name}")
