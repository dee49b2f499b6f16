"""The bookings' Prometheus numbers: created by kind, refused by error code. The counters are
defined with the project's others in booking_graph.metrics (its registry serves /metrics); this
module decides what a booking outcome adds to them.

booking_graph.metrics is imported when something is first counted, not with this module: the
services (and so this module) load at Django setup in every process, and in a Dramatiq worker
prometheus_client must first be imported by Dramatiq's middleware, after it sets
PROMETHEUS_MULTIPROC_DIR (booking_graph/worker_metrics.py), or the worker's metrics stay empty.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec

from django.core.exceptions import ValidationError

from .models import Booking

P = ParamSpec("P")


def count_created(booking: Booking) -> None:
    from booking_graph.metrics import BOOKINGS_CREATED  # late: see the module's docstring

    if not booking.replayed:  # a retry with the same idempotency key made nothing new
        BOOKINGS_CREATED.labels("apartment" if booking.exclusive else "hotel").inc()


def count_refused(refusal: ValidationError) -> None:
    """One count per error code the refusal carries."""
    from booking_graph.metrics import BOOKINGS_REFUSED  # late: see the module's docstring

    errors = (
        [error for field in refusal.error_dict.values() for error in field]
        if hasattr(refusal, "error_dict") else refusal.error_list
    )
    for error in errors:
        BOOKINGS_REFUSED.labels(str(error.code or "invalid")).inc()


def outcome_counted(create: Callable[P, Booking]) -> Callable[P, Booking]:
    """`create` (a booking service) with its outcome counted: created by kind, refused by code."""

    def counted(*args: P.args, **kwargs: P.kwargs) -> Booking:
        try:
            booking = create(*args, **kwargs)
        except ValidationError as refusal:
            count_refused(refusal)
            raise
        count_created(booking)
        return booking

    return counted
