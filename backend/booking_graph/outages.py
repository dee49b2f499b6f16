"""Which exceptions mean "a dependency is down" or "the database refused a client's value", as
opposed to a bug: one place that the GraphQL layer (booking_graph.graphql.errors) and the view
(booking_graph.views) ask, so an outage answers the retryable code service_unavailable instead of
"Unexpected error.", and a pattern PostgreSQL cannot compile answers invalid_value.
"""
from __future__ import annotations

import enum

import psycopg
import psycopg_pool
import redis
from django.conf import settings
from django.db import utils as db_utils

# Seconds a client is asked to wait before retrying after an outage (Retry-After).
RETRY_AFTER_SECONDS = 5


class Outcome(enum.StrEnum):
    SERVICE_UNAVAILABLE = "service_unavailable"  # PostgreSQL or Redis down or saturated: retry later
    QUERY_TIMEOUT = "query_timeout"  # a statement ran past DB_STATEMENT_TIMEOUT_MS and was cancelled
    INVALID_VALUE = "invalid_value"  # PostgreSQL refused a value the client sent (e.g. a bad regex)


def _causes(exc: BaseException):
    seen = 0
    while exc is not None and seen < 5:
        yield exc
        exc = exc.__cause__ or exc.__context__
        seen += 1


def classify(exc: BaseException) -> Outcome | None:
    """The outcome an exception stands for, or None for anything else (a bug)."""
    causes = list(_causes(exc))
    # The most specific first: Django wraps psycopg's QueryCanceled in its own OperationalError.
    if any(isinstance(cause, psycopg.errors.QueryCanceled) for cause in causes):
        return Outcome.QUERY_TIMEOUT
    if any(isinstance(cause, psycopg.errors.InvalidRegularExpression) for cause in causes):
        return Outcome.INVALID_VALUE
    if any(isinstance(cause, (psycopg_pool.PoolTimeout, psycopg.OperationalError, psycopg.InterfaceError,
                              redis.ConnectionError, redis.TimeoutError,
                              db_utils.OperationalError, db_utils.InterfaceError)) for cause in causes):
        return Outcome.SERVICE_UNAVAILABLE
    return None


def message(outcome: Outcome, exc: BaseException) -> str:
    if outcome is Outcome.QUERY_TIMEOUT:
        return (f"The query ran longer than the API allows ({settings.DB_STATEMENT_TIMEOUT_MS} ms) and was "
                "cancelled: narrow the filters or ask for a smaller page.")
    if outcome is Outcome.INVALID_VALUE:
        diag = next((c.diag.message_primary for c in _causes(exc) if isinstance(c, psycopg.Error) and c.diag
                     and c.diag.message_primary), None)
        return f"A value was refused by the database: {diag or 'invalid value'}."
    return (f"A service the API depends on is unavailable right now (database or queue); "
            f"try again in {RETRY_AFTER_SECONDS} seconds.")
