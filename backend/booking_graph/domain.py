"""What every app's domain layer shares: the domain error and id lookups.

A leaf module: it imports Django only, never the GraphQL layer, so models,
services and selectors can be used (and tested) without the API.

Domain errors are Django's ``ValidationError`` carrying a stable ``code`` from
the owning app's enum (``bookings.errors.BookingErrorCode`` ...), keyed by the
input field when there is one. Django's forms and admin show them as they are;
the GraphQL layer translates them in one place (``booking_graph.graphql.errors``).
"""
from __future__ import annotations

import enum
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models

ModelT = TypeVar("ModelT", bound=models.Model)



class CommonErrorCode(enum.StrEnum):
    """Codes any app may raise: lookups, and Django's own field-validation codes."""

    NOT_FOUND = "not_found"
    INVALID = "invalid"
    BLANK = "blank"
    MAX_LENGTH = "max_length"
    NULL_CHARACTERS_NOT_ALLOWED = "null_characters_not_allowed"


def field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


_refuse_null = ProhibitNullCharactersValidator(code=CommonErrorCode.NULL_CHARACTERS_NOT_ALLOWED)


def refuse_null_in(*, field: str, value: str | None) -> None:
    """PostgreSQL text cannot hold U+0000 (psycopg raises): refuse it on one field, with the
    validator Django's form fields (the admin's included) already use, same message and code."""
    if isinstance(value, str):
        try:
            _refuse_null(value)
        except ValidationError as exc:
            raise ValidationError({field: exc}) from None


def refuse_null_characters(instance: models.Model) -> None:
    """refuse_null_in for every text field of the row, all offending fields reported at once."""
    errors = {}
    for field in instance._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)):
            try:
                refuse_null_in(field=field.name, value=getattr(instance, field.attname))
            except ValidationError as exc:
                errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)


def parse_pk(value: object, *, field: str = "id", label: str = "object") -> int:
    """IDs arrive as strings; anything that is not exactly a positive integer is simply not found."""
    text = str(value)
    pk = int(text) if text.isascii() and text.isdigit() else 0
    if pk <= 0 or pk > 2**63 - 1:
        raise field_error(field, f"No {label} with id {value!r}.", CommonErrorCode.NOT_FOUND)
    return pk


def get_or_not_found(queryset: models.QuerySet[ModelT], pk: object, *, field: str = "id") -> ModelT:
    label = queryset.model._meta.verbose_name
    try:
        return queryset.get(pk=parse_pk(pk, field=field, label=label))
    except queryset.model.DoesNotExist:
        raise field_error(field, f"No {label} with id {pk!r}.", CommonErrorCode.NOT_FOUND) from None


def find_or_none(queryset: models.QuerySet[ModelT], pk: object) -> ModelT | None:
    """For nullable `thing(id)` queries: a malformed id names nothing, like an unknown one."""
    try:
        return queryset.filter(pk=parse_pk(pk)).first()
    except ValidationError:
        return None
