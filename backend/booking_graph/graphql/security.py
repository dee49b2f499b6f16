"""Schema extensions that bound what one request may cost, and hide internals."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter


def is_client_error(error: GraphQLError) -> bool:
    """Errors the client caused (syntax, validation, refused input, permissions), as opposed to bugs."""
    original = error.original_error
    return original is None or isinstance(original, (ValidationError, PermissionDenied, GraphQLError))


def _is_internal(error: GraphQLError) -> bool:
    # Client mistakes keep their message; anything else (a bug) is masked outside DEBUG.
    return not is_client_error(error)


def security_extensions() -> list:
    """Factories, so each request gets fresh extension instances."""
    extensions = [
        lambda: QueryDepthLimiter(max_depth=settings.GRAPHQL_MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=settings.GRAPHQL_MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=settings.GRAPHQL_MAX_TOKENS),
    ]
    if not settings.DEBUG:
        extensions.append(lambda: MaskErrors(should_mask_error=_is_internal))
    return extensions
