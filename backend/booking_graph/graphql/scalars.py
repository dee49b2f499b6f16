"""Scalars that refuse what Python parses but the database cannot hold, with a readable message and a code.

Strawberry's Decimal takes anything ``decimal.Decimal`` takes: "Infinity", "NaN", "-sNaN",
"1e999999". In a generated filter (``price: {gte: "Infinity"}``) those reach Django's
field conversion or PostgreSQL and came back as a raw template or a 500. Here they stop
at the scalar, before any resolver runs.
"""
from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterator

import strawberry
from django.core.files import File
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.file_uploads import Upload

from booking_graph.graphql.errors import RequestErrorCode

# Far beyond any price or amount the API stores (numeric(10, 2)), far within what PostgreSQL's
# numeric compares without overflowing.
MAX_INTEGER_DIGITS = 15
MAX_FRACTION_DIGITS = 20


class InvalidScalarValue(ValueError):
    """graphql-core keeps this as ``original_error`` for literals and variables alike."""


def parse_decimal(value: object) -> decimal.Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InvalidScalarValue(f"{value!r} is not a decimal number: send a string such as \"120.50\".")
    text = str(value).strip()
    try:
        number = decimal.Decimal(text)
    except decimal.DecimalException:
        raise InvalidScalarValue(f"\"{text[:40]}\" is not a decimal number: send a string such as \"120.50\".") from None
    if not number.is_finite():
        raise InvalidScalarValue(f"\"{text[:40]}\" is not a finite number: send a decimal such as \"120.50\".")
    if number != 0 and (number.adjusted() >= MAX_INTEGER_DIGITS or number.as_tuple().exponent < -MAX_FRACTION_DIGITS):
        raise InvalidScalarValue(
            f"\"{text[:40]}\" is out of range: at most {MAX_INTEGER_DIGITS} digits before the point "
            f"and {MAX_FRACTION_DIGITS} after."
        )
    return number


def _iso_parser(parse: Callable[[str], object], kind: str, example: str) -> Callable[[object], object]:
    def parse_value(value: object) -> object:
        if not isinstance(value, str):
            raise InvalidScalarValue(f"{value!r} is not a {kind}: send a string such as \"{example}\".")
        try:
            return parse(value)
        except (ValueError, OverflowError):
            raise InvalidScalarValue(
                f"\"{value[:40]}\" is not a valid {kind}: send an ISO 8601 string such as \"{example}\"."
            ) from None

    return parse_value


# Same names and descriptions as Strawberry's built-ins: the schema's SDL does not change.
Decimal = strawberry.scalar(
    name="Decimal", description="Decimal (fixed-point)", serialize=str, parse_value=parse_decimal
)
Date = strawberry.scalar(
    name="Date", description="Date (isoformat)", serialize=dt.date.isoformat,
    parse_value=_iso_parser(dt.date.fromisoformat, "date", "2027-03-01"),
)

def parse_upload(value: object) -> File:
    """Only a file part of a multipart request (placed in the variables by the view) is an upload:
    a string, number or object written for an Upload argument is refused, not handed to a service."""
    if isinstance(value, File):
        return value
    shown = f"\"{value[:40]}\"" if isinstance(value, str) else type(value).__name__
    raise InvalidScalarValue(
        f"{shown} is not a file: an Upload is a file part of a multipart request (GraphQL multipart "
        "request spec), mapped to a null variable by the 'map' part."
    )


# Strawberry's Upload passes any value through; same name and description.
UploadScalar = strawberry.scalar(
    name="Upload", description="Represents a file upload.", serialize=lambda value: value, parse_value=parse_upload,
)

SCALAR_OVERRIDES = {decimal.Decimal: Decimal, dt.date: Date, Upload: UploadScalar}


def root_cause(error: GraphQLError) -> BaseException | None:
    """A refused variable wraps the scalar's error in one more GraphQLError."""
    cause = error.original_error
    while isinstance(cause, GraphQLError) and cause.original_error is not None:
        cause = cause.original_error
    return cause


class InvalidValueCodes(SchemaExtension):
    """Give refused scalar values the code ``invalid_value`` (graphql-core's own errors carry none)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or []:
            if isinstance(error, GraphQLError) and isinstance(root_cause(error), InvalidScalarValue):
                error.extensions = {**(error.extensions or {}), "code": RequestErrorCode.INVALID_VALUE.value}
