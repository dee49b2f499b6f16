"""Shared by the lifecycle suites: the rules' controllable clock, real parallel transactions, and
how a refusal is named."""
from __future__ import annotations

import datetime
import threading
import time
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from bookings import selectors
from bookings.models import Booking
from concurrency import run_together


class Clock:
    """Stands in for bookings.selectors.now, the one clock of the booking rules. A thread may be
    given its own moment (by thread name), so two racing transactions can stand either side of an
    instant such as a hold's expiry."""

    def __init__(self, moment: datetime.datetime) -> None:
        self.moment = moment
        self.per_thread: dict[str, datetime.datetime] = {}

    def __call__(self) -> datetime.datetime:
        return self.per_thread.get(threading.current_thread().name, self.moment)

    def set(self, moment: datetime.datetime) -> None:
        assert moment.tzinfo is not None
        self.moment = moment

    def advance(self, **delta) -> None:
        self.moment += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """The rules' clock, moved by the test (starts at the real now)."""
    controlled = Clock(selectors.now())
    monkeypatch.setattr(selectors, "now", controlled)
    return controlled


@pytest.fixture
def parallel():
    """concurrency.run_together: callables in threads with their own connections, released at once."""
    return run_together


def refusal_code(outcome) -> str:
    """'booked' for a Booking, the code of a ValidationError, else the repr (an unexpected error)."""
    if isinstance(outcome, Booking):
        return "booked"
    if isinstance(outcome, ValidationError):
        if hasattr(outcome, "error_dict"):
            return next(iter(outcome.error_dict.values()))[0].code
        return outcome.error_list[0].code
    return repr(outcome)


@pytest.fixture
def code_of():
    return refusal_code


@pytest.fixture
def outcome_counts():
    return lambda outcomes: Counter(refusal_code(outcome) for outcome in outcomes)


def wait_until(predicate, *, timeout: float = 10.0, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def backends_waiting_for_a_lock() -> int:
    """Other sessions of the test database blocked on a lock right now (pg_stat_activity)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.fixture
def lock_waiters():
    """lock_waiters(n): wait (up to 10 s) until n other sessions are blocked on a lock; True if so."""
    return lambda count=1: wait_until(lambda: backends_waiting_for_a_lock() >= count)
