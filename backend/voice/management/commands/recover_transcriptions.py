"""One crash-recovery sweep by hand (workers run it every VOICE_SWEEP_INTERVAL_SECONDS on their own)."""
from django.core.management.base import BaseCommand

from voice.recovery import recover_transcriptions


class Command(BaseCommand):
    help = "Re-send overdue PENDING notes and recover PROCESSING notes whose worker died."

    def handle(self, *args, **options) -> None:
        result = recover_transcriptions()
        self.stdout.write(
            f"-- re-sent {result.resent_pending} pending, re-queued {result.requeued_stalled} stalled, "
            f"failed {result.failed_stalled} stalled voice note(s)"
        )
