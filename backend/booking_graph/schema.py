"""The root schema: each app's Query and Mutation merged into one.

`build_schema(fast_paths=...)` makes it with or without the fast paths (settings.GRAPHQL_FAST_PATHS,
docs/architecture.md "Fast paths"): the custom execution of plain leaves and lists, the plain-column
and staff-list resolvers, interface rows typed by class, the optimizer's plan cache and the cached
name converter. Without them the schema is stock Strawberry + strawberry-django plus the features
(domain error codes, NUL refusal, scalar checks, security extensions, batching, each table read once).
Everything the fast paths touch inside the libraries is fenced by tests/booking_graph/test_upstream_fence.py.
"""
from __future__ import annotations

import logging

import strawberry
from django.conf import settings
from strawberry.schema.config import StrawberryConfig
from graphql import GraphQLError
from strawberry.utils.logging import StrawberryLogger
from strawberry.tools import merge_types

from booking_graph.graphql import auth as auth_schema
from booking_graph.graphql.loaders import RequestLoaders
from booking_graph.graphql.observability import OperationMetrics
from booking_graph.graphql.execution import PlainFieldsExecutionContext, resolve_model_interfaces_by_class
from booking_graph.graphql.optimizer import CachedNameConverter, FastOptimizer, InheritanceAwareOptimizer
from booking_graph.graphql.plain_columns import read_plain_columns_directly, read_staff_lists_directly
from booking_graph.graphql.nul_characters import CheckedInputExecutionContext, guard_mutations
from booking_graph.graphql.scalars import SCALAR_OVERRIDES, InvalidValueCodes
from booking_graph.graphql.regex_policy import StaffOnlyRegexFilters
from booking_graph.graphql.security import is_client_error, security_extensions
from bookings.graphql import mutations as booking_mutations
from bookings.graphql import queries as booking_queries
from catalog.graphql import mutations as catalog_mutations
from catalog.graphql import queries as catalog_queries
from catalog.errors import CatalogErrorCode
from catalog.graphql.types import ApartmentType, HotelType
from bookings.errors import BookingErrorCode
from booking_graph.domain import CommonErrorCode
from booking_graph.graphql.errors import CodedRequestErrors, RequestErrorCode, schema_enum
from voice.errors import VoiceErrorCode
from voice.graphql import mutations as voice_mutations
from voice.graphql import queries as voice_queries
from voice.graphql import subscriptions as voice_subscriptions
from voice.graphql.types import read_audio_url_directly

logger = logging.getLogger("booking_graph.graphql")

Query = merge_types("Query", (catalog_queries.Query, booking_queries.Query, voice_queries.Query, auth_schema.Query))
Mutation = guard_mutations(merge_types("Mutation", (
        catalog_mutations.Mutation,
        booking_mutations.Mutation,
        voice_mutations.Mutation,
        auth_schema.Mutation,
    )))

class BookingGraphExecutionContext(PlainFieldsExecutionContext, CheckedInputExecutionContext):
    """Plain leaf fields answered directly (execution.py); variables checked, domain errors coded (errors.py), NUL characters refused (nul_characters.py)."""


class BookingGraphSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context=None) -> None:
        """Client mistakes (bad ids, refused input, permissions) are one log line; bugs keep the traceback."""
        for error in errors:
            if is_client_error(error):
                logger.info("graphql.client_error", extra={"path": error.path, "error": error.message})
            else:
                StrawberryLogger.error(error, execution_context)


# Every code a client can find in OperationInfo.messages[].code or errors[].extensions.code, by owner.
# No field returns these enums: they document the `code` strings so codegen gives clients a typed list.
ERROR_CODE_ENUMS = [
    schema_enum(CommonErrorCode, "Codes any operation may answer: not_found, and Django's own field "
                "validation codes (invalid, blank, max_length; model validation adds e.g. min_value, max_value)."),
    schema_enum(CatalogErrorCode, "Codes of the catalog rules (hotels and apartments)."),
    schema_enum(BookingErrorCode, "Codes of the booking rules (stays, availability, capacity)."),
    schema_enum(VoiceErrorCode, "Codes of voice notes (audio checks, transcription)."),
    schema_enum(RequestErrorCode, "Codes of the API itself: the request was refused before any rule ran."),
]



def build_schema(*, fast_paths: bool) -> BookingGraphSchema:
    built = BookingGraphSchema(
        query=Query,
        mutation=Mutation,
        subscription=voice_subscriptions.Subscription,
        # Concrete types reachable only through the Accommodation interface.
        types=[HotelType, ApartmentType, *ERROR_CODE_ENUMS],
        # OperationMetrics first: it sees the errors after the others (codes added, internals masked).
        # RequestLoaders: the per-request batches of nextAvailableDate/availability (graphql/loaders.py).
        extensions=[OperationMetrics, CodedRequestErrors, FastOptimizer if fast_paths else InheritanceAwareOptimizer,
                    RequestLoaders,
                    InvalidValueCodes, StaffOnlyRegexFilters, *security_extensions()],
        # Decimal and Date that refuse Infinity, NaN, out-of-range and impossible values with a readable message.
        scalar_overrides=SCALAR_OVERRIDES,
        # Domain errors raised in query resolvers become GraphQL errors with their code, here only;
        # query variables carrying a NUL character are refused before execution (nul_characters.py).
        execution_context_class=BookingGraphExecutionContext if fast_paths else CheckedInputExecutionContext,
        config=StrawberryConfig(name_converter=CachedNameConverter()) if fast_paths else StrawberryConfig(),
    )
    if fast_paths:
        read_plain_columns_directly(built)
        read_staff_lists_directly(built)
        resolve_model_interfaces_by_class(built)
        audio_url = built._schema.type_map["VoiceNote"].fields["audioUrl"]
        audio_url.resolve = read_audio_url_directly(audio_url.resolve)
    built.fast_paths = fast_paths
    built.masks_errors = not settings.DEBUG  # security_extensions() reads DEBUG when the schema is built
    return built


schema = build_schema(fast_paths=settings.GRAPHQL_FAST_PATHS)
