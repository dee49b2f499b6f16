"""Stable error codes clients can branch on, and helpers that raise them.

Services raise Django's ``ValidationError`` with one of these codes (keyed by
the input field when there is one); strawberry-django's ``handle_django_errors``
turns it into ``OperationInfo.messages[] {kind, field, message, code}``.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from graphql import GraphQLError
from strawberry.utils.str_converters import to_camel_case

NOT_FOUND = "not_found"
INVALID_DATE_RANGE = "invalid_date_range"
DATE_IN_PAST = "date_in_past"
STAY_TOO_LONG = "stay_too_long"
RANGE_TOO_LONG = "range_too_long"
BOOKING_OVERLAP = "booking_overlap"
NO_ROOMS_AVAILABLE = "no_rooms_available"
ROOMS_BELOW_BOOKINGS = "rooms_below_bookings"
HAS_BOOKINGS = "has_bookings"
ALREADY_CANCELLED = "already_cancelled"
INVALID_NIGHTS = "invalid_nights"
UNSUPPORTED_AUDIO_FORMAT = "unsupported_audio_format"
AUDIO_TOO_LARGE = "audio_too_large"
AUDIO_TOO_LONG = "audio_too_long"
EMPTY_AUDIO = "empty_audio"
UNDECODABLE_AUDIO = "undecodable_audio"
NOT_RETRYABLE = "not_retryable"
INVALID_CREDENTIALS = "invalid_credentials"
INVALID_PAGINATION = "invalid_pagination"
CSRF_FAILED = "csrf_failed"
BAD_REQUEST = "bad_request"

ModelT = TypeVar("ModelT", bound=models.Model)


def field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def parse_pk(value: object, *, field: str = "id", label: str = "object") -> int:
    """IDs arrive as strings; anything that is not exactly a positive integer is simply not found."""
    text = str(value)
    pk = int(text) if text.isascii() and text.isdigit() else 0
    if pk <= 0 or pk > 2**63 - 1:
        raise field_error(field, f"No {label} with id {value!r}.", NOT_FOUND)
    return pk


def get_or_not_found(queryset: models.QuerySet[ModelT], pk: object, *, field: str = "id") -> ModelT:
    label = queryset.model._meta.verbose_name
    try:
        return queryset.get(pk=parse_pk(pk, field=field, label=label))
    except queryset.model.DoesNotExist:
        raise field_error(field, f"No {label} with id {pk!r}.", NOT_FOUND) from None


def find_or_none(queryset: models.QuerySet[ModelT], pk: object) -> ModelT | None:
    """For nullable `thing(id)` queries: a malformed id names nothing, like an unknown one."""
    try:
        return queryset.filter(pk=parse_pk(pk)).first()
    except ValidationError:
        return None


def to_graphql_error(exc: ValidationError) -> GraphQLError:
    """Queries have no OperationInfo union: the same message/code/field go in `extensions`."""
    field, error = None, exc
    if hasattr(exc, "error_dict"):
        field, field_errors = next(iter(exc.error_dict.items()))
        error = field_errors[0]
    elif hasattr(exc, "error_list"):
        error = exc.error_list[0]
    message = error.message % error.params if error.params else error.message
    field = to_camel_case(field) if field and field != NON_FIELD_ERRORS else None
    return GraphQLError(str(message), extensions={"code": error.code or "invalid", "field": field})


@contextmanager
def graphql_errors() -> Iterator[None]:
    try:
        yield
    except ValidationError as exc:
        raise to_graphql_error(exc) from exc
