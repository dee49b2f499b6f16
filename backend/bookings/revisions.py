"""A booking's history: one append-only revision per change, with actor, time and the fields
before and after. Personal data (the guest's name and e-mail) is never copied into a revision,
only the fact that it changed, so erasing a guest's data leaves nothing behind here."""
from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Max

from .models import Booking, BookingRevision

SYSTEM = "system"
GUEST = "guest"
PERSONAL_DATA = "[personal data]"

TRACKED_FIELDS = (
    "status", "start_date", "end_date", "guests", "rate_plan_id", "total_price", "nightly_prices", "expires_at",
    "refundable", "free_cancellation_until", "cancellation_fee_percent", "cancellation_fee", "guest_name", "guest_email",
)
PERSONAL_FIELDS = frozenset({"guest_name", "guest_email"})


class Action:
    CREATED = "created"
    HELD = "held"
    CONFIRMED = "confirmed"
    EXPIRED = "expired"
    CHANGED = "changed"
    CANCELLED = "cancelled"
    GUEST_DATA_ERASED = "guest_data_erased"
    VOICE_NOTE_ADDED = "voice_note_added"


def staff_actor(username: str) -> str:
    return f"staff:{username}"


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(booking: Booking) -> dict[str, Any]:
    """The tracked fields as JSON values (the "before" of a change)."""
    return {name: _plain(getattr(booking, name)) for name in TRACKED_FIELDS}


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields that changed; personal fields say only that they did."""
    changed = {}
    for name in TRACKED_FIELDS:
        if before.get(name) == after.get(name):
            continue
        if name in PERSONAL_FIELDS:
            changed[name] = [PERSONAL_DATA if before.get(name) else None, PERSONAL_DATA if after.get(name) else None]
        else:
            changed[name] = [before.get(name), after.get(name)]
    return changed


def record(
    booking: Booking, *, actor: str, action: str, before: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None, at: datetime.datetime | None = None,
) -> BookingRevision:
    """Append one revision. Callers hold the booking's row lock (every writer of a booking does),
    so the next sequence number is theirs; the unique (booking, sequence) key is the backstop."""
    changes = changes_between(before or {}, snapshot(booking))
    if extra:
        changes.update(extra)
    last = BookingRevision.objects.filter(booking=booking).aggregate(last=Max("sequence"))["last"] or 0
    revision = BookingRevision(booking=booking, sequence=last + 1, actor=actor, action=action, changes=changes)
    if at is not None:
        revision.at = at
    revision.save()
    return revision
