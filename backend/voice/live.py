"""Live updates: every voice-note change is published, after commit, to its booking's group
on the Channels layer (Redis), where subscribers (the GraphQL subscription) pick it up.

The message carries a snapshot of the row as it was at that change, so a subscriber sees
PENDING -> PROCESSING -> COMPLETED in order even when the worker is faster than the reader.
Publishing never breaks the write that caused it, nor holds it up for more than
LIVE_PUBLISH_TIMEOUT_SECONDS: a Redis hiccup is logged and dropped
(the page also reads the note's current state when it loads).
"""
from __future__ import annotations

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core import serializers
from django.db import transaction

from .models import VoiceNote

logger = logging.getLogger(__name__)

EVENT_TYPE = "voice_note.changed"


def booking_group(booking_id: int) -> str:
    # Channels group names: ASCII letters, digits, hyphens, underscores and periods only.
    return f"voice-notes.booking.{int(booking_id)}"


# The search index stays in the database: subscribers get the note's fields, not its lexemes.
_SNAPSHOT_FIELDS = [f.name for f in VoiceNote._meta.concrete_fields if f.name not in ("id", "search_vector")]


def snapshot(note: VoiceNote) -> str:
    return serializers.serialize("json", [note], fields=_SNAPSHOT_FIELDS)


def from_snapshot(data: str) -> VoiceNote:
    return next(serializers.deserialize("json", data)).object


def publish_change(note: VoiceNote, *, event: str) -> None:
    """Publish the note as it is now, once the current transaction commits (at once outside one)."""
    message = {"type": EVENT_TYPE, "event": event, "note": snapshot(note)}
    group = booking_group(note.booking_id)
    context = {**note.log_context, "event": event}
    transaction.on_commit(lambda: _send(group, message, context))


def _send(group: str, message: dict, context: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        # Bounded: a frozen Redis costs the request LIVE_PUBLISH_TIMEOUT_SECONDS, never a hang.
        async_to_sync(_bounded_group_send)(layer, group, message)
    except Exception:
        logger.exception("voice_note.publish_failed", extra=context)
        return
    logger.debug("voice_note.published", extra=context)


async def _bounded_group_send(layer, group: str, message: dict) -> None:
    await asyncio.wait_for(layer.group_send(group, message), timeout=settings.LIVE_PUBLISH_TIMEOUT_SECONDS)
