"""Where a domain error becomes a GraphQL error: the one translation point.

The domain raises Django's ``ValidationError`` with a code from its app's enum.
- Mutations answer ``OperationInfo.messages[] {kind, field, message, code}``:
  strawberry-django's error handling, on for every mutation by the
  ``MUTATIONS_DEFAULT_HANDLE_ERRORS`` setting.
- Queries and fields have no OperationInfo union: ``DomainErrorExecutionContext``
  turns the error into a GraphQL error with the same message, and the code and
  field in ``extensions``.
"""
from __future__ import annotations

import enum
from collections.abc import Iterator

import strawberry
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.utils.str_converters import to_camel_case

from booking_graph import outages


class RequestErrorCode(enum.StrEnum):
    """Codes of the API layer itself (the request, not a domain rule, was refused)."""

    INVALID_CREDENTIALS = "invalid_credentials"
    INVALID_PAGINATION = "invalid_pagination"
    CSRF_FAILED = "csrf_failed"
    BAD_REQUEST = "bad_request"
    RATE_LIMITED = "rate_limited"
    INVALID_VALUE = "invalid_value"
    # PostgreSQL or Redis is down or saturated: nothing is wrong with the request, retry later
    # (HTTP 503 with Retry-After when nothing could be answered).
    SERVICE_UNAVAILABLE = "service_unavailable"
    QUERY_TIMEOUT = "query_timeout"  # a statement ran past DB_STATEMENT_TIMEOUT_MS and was cancelled
    INTERNAL = "internal"  # a bug: the message is masked outside DEBUG
    # The document does not fit the schema (a syntax error, an unknown field or argument, a wrong
    # type, a missing variable): fix the query; the message says where.
    INVALID_QUERY = "invalid_query"
    PERMISSION_DENIED = "permission_denied"  # the field or operation needs a (staff) login


def schema_enum(codes: type[enum.StrEnum], description: str) -> type[enum.Enum]:
    """The codes as a GraphQL enum whose values are the wire strings themselves ("booking_overlap"),
    so a client's generated type matches what `code` carries."""
    return strawberry.enum(enum.Enum(codes.__name__, {code.value: code.value for code in codes}), description=description)


def to_graphql_error(exc: ValidationError) -> GraphQLError:
    """The first message of a domain error, with its code and (camelCase) field in `extensions`."""
    field, error = None, exc
    if hasattr(exc, "error_dict"):
        field, field_errors = next(iter(exc.error_dict.items()))
        error = field_errors[0]
    elif hasattr(exc, "error_list"):
        error = exc.error_list[0]
    message = error.message % error.params if error.params else error.message
    field = to_camel_case(field) if field and field != NON_FIELD_ERRORS else None
    return GraphQLError(
        str(message), original_error=exc, extensions={"code": str(error.code or "invalid"), "field": field}
    )


def outage_error(exc: BaseException) -> GraphQLError | None:
    """An outage, a cancelled statement or a value PostgreSQL refused, as a coded GraphQL error;
    None for anything else."""
    outcome = outages.classify(exc)
    if outcome is None:
        return None
    extensions = {"code": outcome.value}
    if outcome is outages.Outcome.SERVICE_UNAVAILABLE:
        extensions["retryable"] = True
        extensions["retryAfter"] = outages.RETRY_AFTER_SECONDS
    return GraphQLError(outages.message(outcome, exc), original_error=exc, extensions=extensions)


class DomainErrorExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Every resolver error passes here; domain errors and outages get their code, anything else
    is left as it is."""

    def handle_field_error(self, raw_error, return_type, field_details_list, path) -> None:
        if isinstance(raw_error, ValidationError):
            raw_error = to_graphql_error(raw_error)
        elif not isinstance(raw_error, GraphQLError) and (coded := outage_error(raw_error)) is not None:
            raw_error = coded
        super().handle_field_error(raw_error, return_type, field_details_list, path)


class CodedRequestErrors(SchemaExtension):
    """Every error a client gets carries a code: graphql-core's parse and validation errors come
    without one, so they get invalid_query; a permission refusal (strawberry-django's IsStaff
    raises Django's PermissionDenied) gets permission_denied. Errors raised by a resolver have
    their code already, and any other uncoded one with an original error is a bug, coded
    internal by the masking."""

    def on_operation(self) -> Iterator[None]:
        try:
            yield
        except GraphQLError as error:
            # A syntax error: Strawberry's ParserCache parses in its on_parse hook, so the error
            # is raised through the operation (Strawberry then answers it) instead of returned.
            self._code(error)
            raise
        for error in getattr(self.execution_context.result, "errors", None) or []:
            self._code(error)

    @staticmethod
    def _code(error: GraphQLError) -> None:
        if (error.extensions or {}).get("code"):
            return
        if error.original_error is None:
            code = RequestErrorCode.INVALID_QUERY
        elif isinstance(error.original_error, PermissionDenied):
            code = RequestErrorCode.PERMISSION_DENIED
        else:
            return
        error.extensions = {**(error.extensions or {}), "code": code.value}
