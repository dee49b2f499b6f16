"""Crash recovery for transcriptions: notes a lost message or a dead worker left behind.

- PENDING and never attempted for VOICE_PENDING_RESEND_SECONDS: the message was never sent
  (Redis was down at upload) or was lost: send it again.
- PENDING after a failed attempt for longer than the retry backoff allows: the retry message was
  lost: send it again.
- PROCESSING whose heartbeat (stamped by its worker every VOICE_HEARTBEAT_SECONDS) is older than
  VOICE_HEARTBEAT_STALE_SECONDS, or claimed longer ago than VOICE_STALE_PROCESSING_SECONDS (more
  than the actor's time limit: the backstop for an attempt that hangs): the worker died
  mid-transcription (SIGKILL, OOM, node lost). Back to PENDING and sent again, or FAILED once the
  attempts are spent, so a note that kills its worker every time cannot loop forever.
  (`models.worker_lost_q`; the claim of a redelivered message applies the same test.)

Every resend is idempotent on the worker side (`services.transcription._claim`), and a resent note's
``updated_at`` is touched, so one lost note costs one message per threshold, not one per sweep.
The sweep runs periodically inside every worker (voice.sweeper), or by hand with
``manage.py recover_transcriptions``.
"""
from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import live
from .models import TranscriptionStatus, VoiceNote, worker_lost_q
from .services.messages import enqueue_transcription
from .services.transcription import gave_up_error, lost_worker_error

logger = logging.getLogger(__name__)

BATCH = 200


@dataclass(frozen=True)
class Recovery:
    resent_pending: int = 0
    requeued_stalled: int = 0
    failed_stalled: int = 0


def _seconds_ago(now: datetime.datetime, seconds: float) -> datetime.datetime:
    return now - datetime.timedelta(seconds=seconds)


def resend_pending(*, never_sent_before: datetime.datetime, retry_lost_before: datetime.datetime,
                   now: datetime.datetime | None = None) -> int:
    """Send again one batch of PENDING notes whose message is presumed lost: never attempted and
    untouched since `never_sent_before`, or waiting for a retry and untouched since `retry_lost_before`.
    Each one's ``updated_at`` becomes `now`, so it is not sent again before its threshold passes anew."""
    now = now or timezone.now()
    with transaction.atomic():
        # skip_locked: two sweepers (or a worker claiming right now) never wait for each other.
        notes = list(
            VoiceNote.objects.select_for_update(skip_locked=True)
            .filter(status=TranscriptionStatus.PENDING)
            .filter(Q(attempts=0, updated_at__lt=never_sent_before)
                    | Q(attempts__gt=0, updated_at__lt=retry_lost_before))
            .order_by("updated_at")[:BATCH]
        )
        for note in notes:
            VoiceNote.objects.filter(pk=note.pk).update(updated_at=now)
            transaction.on_commit(lambda note=note: enqueue_transcription(note))
            logger.warning("voice_note.resent", extra={**note.log_context, "reason": "pending_overdue"})
    return len(notes)


def _resend_pending(now: datetime.datetime) -> int:
    return resend_pending(
        never_sent_before=_seconds_ago(now, settings.VOICE_PENDING_RESEND_SECONDS),
        retry_lost_before=_seconds_ago(
            now, settings.VOICE_RETRY_MAX_BACKOFF_MS / 1000 + settings.VOICE_PENDING_RESEND_SECONDS
        ),
        now=now,
    )


def _recover_stalled(now: datetime.datetime) -> tuple[int, int]:
    stale = _seconds_ago(now, settings.VOICE_STALE_PROCESSING_SECONDS)
    # Submitted in webhook mode (a provider job id, no worker on it): the webhook or the overdue
    # lookups finish it; only once all the lookups' time has passed is it counted as lost.
    callback_lost = _seconds_ago(
        now, settings.ASSEMBLYAI_WEBHOOK_TIMEOUT_SECONDS * (settings.ASSEMBLYAI_WEBHOOK_MAX_LOOKUPS + 1)
    )
    requeued = failed = 0
    with transaction.atomic():
        notes = list(
            VoiceNote.objects.select_for_update(skip_locked=True)
            .filter(worker_lost_q(now)
                    | (Q(status=TranscriptionStatus.PROCESSING, updated_at__lt=min(stale, callback_lost))
                       & ~Q(provider_job_id="")))
            .order_by("updated_at")[:BATCH]
        )
        for note in notes:
            if note.provider_job_id:
                lost = f"No transcript from the provider's job during attempt {note.attempts} " \
                       f"(no webhook and no result from the lookups)."
            else:
                lost = lost_worker_error(note)
            if gave_up := gave_up_error(note, lost):
                note.status, note.error = TranscriptionStatus.FAILED, gave_up
                failed += 1
            else:
                note.status, note.error = TranscriptionStatus.PENDING, lost
                requeued += 1
                transaction.on_commit(lambda note=note: enqueue_transcription(note))
            note.save(update_fields=["status", "error", "updated_at"])
            live.publish_change(note, event=str(note.status).lower())
            logger.warning("voice_note.stalled", extra={**note.log_context, "error": lost})
    return requeued, failed


def recover_transcriptions(*, now: datetime.datetime | None = None) -> Recovery:
    now = now or timezone.now()
    requeued, failed = _recover_stalled(now)
    resent = _resend_pending(now)
    if requeued or failed or resent:
        logger.info("voice.recovery", extra={"resent_pending": resent, "requeued_stalled": requeued,
                                             "failed_stalled": failed})
    return Recovery(resent_pending=resent, requeued_stalled=requeued, failed_stalled=failed)
