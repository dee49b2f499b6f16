"""createBooking's idempotency key: the same key and fields answer the first booking, the key with
other fields is refused. The database's unique key, not these lookups, is the guarantee."""
from __future__ import annotations

import hashlib
import json
import logging

from booking_graph.domain import CommonErrorCode, field_error, refuse_null_in

from ..errors import BookingErrorCode
from ..models import Booking

logger = logging.getLogger(__package__)  # one logger for the package, as before the split

IDEMPOTENCY_CONSTRAINT = "booking_idempotency_key_unique"


def clean_idempotency_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not key.strip():
        raise field_error("idempotency_key", "The idempotency key cannot be blank.", CommonErrorCode.BLANK)
    refuse_null_in(field="idempotency_key", value=key)
    limit = Booking._meta.get_field("idempotency_key").max_length
    if len(key) > limit:
        raise field_error(
            "idempotency_key", f"The idempotency key is too long ({limit} characters at most).", CommonErrorCode.MAX_LENGTH
        )
    return key


def request_fingerprint(**fields: object) -> str:
    """A digest of what was asked, so a replay can tell "the same request" from "another one"."""
    canonical = json.dumps({name: str(value) for name, value in sorted(fields.items())}, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def replay(key: str, fingerprint: str) -> Booking | None:
    """The booking an earlier request with this key made, if any (the same fields are required)."""
    earlier = Booking.objects.filter(idempotency_key=key).first()
    if earlier is None:
        return None
    if earlier.idempotency_fingerprint != fingerprint:
        raise field_error(
            "idempotency_key",
            "This idempotency key was already used for a booking with other details; use a new key.",
            BookingErrorCode.IDEMPOTENCY_KEY_REUSED,
        )
    logger.info("booking.replayed", extra={"booking_id": earlier.pk, "accommodation_id": earlier.accommodation_id})
    earlier.replayed = True  # not a new booking: callers that count bookings made skip it
    return earlier
