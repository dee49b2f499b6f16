"""Re-send transcription jobs for notes stuck PENDING (e.g. the broker was down at upload).

The recovery sweep (voice.recovery, run by every worker) does the same with the configured
thresholds; this command uses one threshold of its own for every PENDING note.
"""
import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from voice.recovery import resend_pending


class Command(BaseCommand):
    help = "Enqueue a transcription job for every voice note PENDING for longer than --older-than seconds."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--older-than", type=int, default=60, help="seconds since the note last changed")

    def handle(self, *args, older_than: int, **options) -> None:
        now = timezone.now()
        # Never after `now`: a resent note's updated_at becomes `now`, so the batches come to an end.
        cutoff = now - datetime.timedelta(seconds=max(older_than, 0))
        count = 0
        while resent := resend_pending(never_sent_before=cutoff, retry_lost_before=cutoff, now=now):
            count += resent
        self.stdout.write(f"-- re-sent {count} pending voice note(s)")
