"""Delete audio past VOICE_AUDIO_RETENTION_DAYS after check-out (workers also do it on every sweep)."""
from django.core.management.base import BaseCommand

from voice.retention import purge_expired_audio


class Command(BaseCommand):
    help = "Delete the stored audio of voice notes whose stay ended more than VOICE_AUDIO_RETENTION_DAYS ago."

    def handle(self, *args, **options) -> None:
        total = 0
        while purged := purge_expired_audio():  # in batches, until nothing is left
            total += purged
        self.stdout.write(f"-- deleted the audio of {total} voice note(s); transcripts kept")
