"""Schema extensions that bound what one request may cost, and hide internals."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    FieldExtension,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.types import Info

from booking_graph.graphql.errors import RequestErrorCode
from booking_graph.graphql.csrf import csrf_failure, csrf_refusal_message
from booking_graph.graphql.nul_characters import NoNulInStringLiterals
from booking_graph.graphql.scalars import InvalidScalarValue


def is_client_error(error: GraphQLError) -> bool:
    """Errors the client caused (syntax, validation, refused input, permissions), as opposed to bugs."""
    original = error.original_error
    return original is None or isinstance(
        original, (ValidationError, PermissionDenied, GraphQLError, InvalidScalarValue)
    )


def _is_internal(error: GraphQLError) -> bool:
    # Client mistakes keep their message; anything else (a bug) is masked outside DEBUG.
    return not is_client_error(error)


@functools.cache
def _limit_rules(max_depth: int, max_aliases: int) -> tuple[type[ASTValidationRule], ...]:
    """The depth and alias rules as classes made once per limit: Strawberry's limiters build a new
    rule class per instance, and the validation cache keys on the rules, so fresh classes on every
    request would miss it every time."""
    return (
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    )


def security_extensions() -> list:
    """Factories, so each request gets fresh extension instances.

    Parsed and validated documents are cached (LRU, GRAPHQL_DOCUMENT_CACHE_SIZE entries): the
    parse cache keys on the text and the token limit, the validation cache on the document and
    the rules, limits included. A document is parsed under the token limit and validated under
    the depth and alias limits the first time it is seen; an answer from the cache is the answer
    those checks gave (a refused document stays refused: a parse error is not cached, a
    validation error is)."""
    size = settings.GRAPHQL_DOCUMENT_CACHE_SIZE
    extensions = [
        lambda: MaxTokensLimiter(max_token_count=settings.GRAPHQL_MAX_TOKENS),
        lambda: AddValidationRules([
            NoNulInStringLiterals, *_limit_rules(settings.GRAPHQL_MAX_DEPTH, settings.GRAPHQL_MAX_ALIASES)
        ]),
        lambda: ParserCache(maxsize=size),
        lambda: ValidationCache(maxsize=size),
    ]
    if not settings.DEBUG:
        extensions.append(lambda: CodedMaskErrors(should_mask_error=_is_internal))
    return extensions


class CodedMaskErrors(MaskErrors):
    """Strawberry's masking drops the original error, so nothing after it (OperationMetrics, the
    client) could tell a bug from a syntax error: the masked error keeps the code `internal`."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": RequestErrorCode.INTERNAL.value}
        return masked


class CsrfRequired(FieldExtension):
    """Login CSRF: an anonymous request is normally exempt (it carries no session to abuse), but a
    forged `login` would sign the victim's browser into the attacker's account, so this field wants
    the token like Django's own login view. The token comes from the csrftoken cookie that any
    response of /graphql/ sets (GraphiQL and the README's curl fetch it first)."""

    def _check(self, info: Info) -> None:
        reason = csrf_failure(info.context.request)
        if reason is not None:
            info.context.response.status_code = 403
            raise GraphQLError(csrf_refusal_message(reason), extensions={"code": RequestErrorCode.CSRF_FAILED})

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        self._check(info)
        return next_(source, info, **kwargs)

    async def resolve_async(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        self._check(info)
        return await next_(source, info, **kwargs)
