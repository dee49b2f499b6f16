"""Error codes the catalog raises (its domain errors carry these as ``code``)."""
from __future__ import annotations

import enum


class CatalogErrorCode(enum.StrEnum):
    HAS_BOOKINGS = "has_bookings"  # an accommodation with bookings cannot be deleted
