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
from typing import Any

import strawberry
from django.core.files import File
from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, OperationType, StringValueNode, ValidationRule
from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.file_uploads import Upload
from strawberry.types.graphql import OperationType as StrawberryOperationType
from strawberry.utils.operation import get_operation_type
from strawberry.utils.str_converters import to_camel_case
from strawberry_django.fields.types import OperationInfo, OperationMessage

from booking_graph.graphql.errors import DomainErrorExecutionContext, RequestErrorCode

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


# --- NUL characters ------------------------------------------------------------------------------
# PostgreSQL text cannot hold U+0000: psycopg raises at the first query that carries one (a filter,
# a login, an insert), which reached the client as a masked internal error. Strawberry's built-in
# String cannot be replaced (graphql-core reserves the name), so a NUL in any String or ID, at any
# depth of any argument, is refused here before a resolver runs, in the shape the project answers
# every refusal in: a mutation that answers ``X | OperationInfo`` gets an OperationInfo message
# (field and code, like the rate limit and the rules), anything else a GraphQL error. Both carry
# the code invalid_value.
# - queries and subscriptions: literals by a validation rule (cached with the document), variables
#   when the executor is built, so the request answers only the refusal;
# - mutations: ``RefuseNulArguments`` on every root mutation field, over the coerced arguments.
NUL = "\x00"


def nul_message(where: str) -> str:
    return f"{where} contains a NUL character (U+0000), which text cannot hold: remove it."


def nul_error(where: str, nodes=None) -> GraphQLError:
    return GraphQLError(nul_message(where), nodes, extensions={"code": RequestErrorCode.INVALID_VALUE.value})


class NoNulInStringLiterals(ValidationRule):
    """``"a\\u0000b"`` written in a query or subscription (mutations: ``RefuseNulArguments``)."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args: object) -> object:
        return self.SKIP if node.operation == OperationType.MUTATION else None

    def enter_string_value(self, node: StringValueNode, *_args: object) -> None:
        if NUL in node.value:
            self.report_error(nul_error("A string value", node))


def _nul_paths(value: object, path: str) -> Iterator[str]:
    """Paths to the text carrying a NUL in JSON variables or coerced arguments (Strawberry inputs)."""
    if isinstance(value, str):
        if NUL in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _nul_paths(item, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _nul_paths(item, f"{path}[{index}]")
    elif (definition := getattr(value, "__strawberry_definition__", None)) is not None and definition.is_input:
        for field in definition.fields:
            item = getattr(value, field.python_name, None)
            yield from _nul_paths(item, f"{path}.{field.graphql_name or to_camel_case(field.python_name)}")


def nul_variable_errors(document: DocumentNode, operation_name: str | None,
                        variables: dict[str, object] | None) -> list[GraphQLError]:
    """Each variable (at any depth of an input object or list) whose text carries a NUL."""
    if not variables or _is_mutation(document, operation_name):
        return []
    return [nul_error(f"Variable '{path}'") for name, value in variables.items() for path in _nul_paths(value, f"${name}")]


def _is_mutation(document: DocumentNode, operation_name: str | None) -> bool:
    try:
        return get_operation_type(document, operation_name) == StrawberryOperationType.MUTATION
    except RuntimeError:  # no such operation: graphql-core's build answers that
        return False


class CheckedInputExecutionContext(DomainErrorExecutionContext):
    """Refuses query variables carrying a NUL before they are coerced: the request answers only errors."""

    @classmethod
    def build(cls, schema, document, root_value=None, context_value=None, raw_variable_values=None,
              operation_name=None, *args, **kwargs):
        return nul_variable_errors(document, operation_name, raw_variable_values) or super().build(
            schema, document, root_value, context_value, raw_variable_values, operation_name, *args, **kwargs
        )


class RefuseNulArguments(FieldExtension):
    """On every root mutation field (``guard_mutations``): a NUL in an argument is the mutation's refusal."""

    def apply(self, field: Any) -> None:
        self.answers_operation_info = bool(getattr(field, "handle_errors", False))

    def _refusal(self, kwargs: dict[str, Any]) -> Any:
        paths = [path for name, value in kwargs.items() for path in _nul_paths(value, to_camel_case(name))]
        if not paths:
            return None
        if self.answers_operation_info:
            # Named like the rules' errors: "guestName" of `data`, "transcript" of a plain argument.
            names = [path.split(".", 1)[-1] for path in paths]
            return OperationInfo(messages=[OperationMessage(
                kind=OperationMessage.Kind.VALIDATION, message=nul_message(f"'{name}'"), field=name,
                code=RequestErrorCode.INVALID_VALUE.value,
            ) for name in names])
        raise nul_error(f"The argument '{paths[0]}'")

    def resolve(self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any) -> Any:
        refusal = self._refusal(kwargs)
        return refusal if refusal is not None else next_(source, info, **kwargs)

    async def resolve_async(self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any) -> Any:
        refusal = self._refusal(kwargs)
        return refusal if refusal is not None else await next_(source, info, **kwargs)


def guard_mutations(mutation: type) -> type:
    for field in mutation.__strawberry_definition__.fields:
        field.extensions.append(RefuseNulArguments())
    return mutation
