"""Abuse limits on GraphQL fields: ``extensions=[RateLimit("scope")]`` on any query or mutation.

The counting lives in ``booking_graph.rate_limits`` (shared with plain views); this extension
picks the key from the field's arguments and answers a refused call with the code
``rate_limited``: an ``OperationInfo`` message for mutations that return one, otherwise a
GraphQL error. Several limits on one field are several extensions. The view turns a request
refused as a whole into HTTP 429 with ``Retry-After``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest
from graphql import GraphQLError
from strawberry.extensions import FieldExtension
from strawberry.types import Info
from strawberry_django.fields.types import OperationInfo, OperationMessage

from booking_graph.graphql.errors import RequestErrorCode
from booking_graph.rate_limits import RateLimited, by_address, by_argument, by_user, check, note_refusal

__all__ = ["RateLimit", "by_address", "by_argument", "by_user", "public_read_limit"]


class RateLimit(FieldExtension):
    """``RateLimit("create_booking", key=by_address, anonymous_only=True)`` on any query or mutation."""

    def __init__(
        self,
        scope: str,
        *,
        key: Callable[[HttpRequest, dict[str, Any]], str] = by_address,
        anonymous_only: bool = False,
    ) -> None:
        self.scope = scope
        self.key = key
        self.anonymous_only = anonymous_only
        self.answers_operation_info = False

    def apply(self, field: Any) -> None:
        # Mutations with handle_django_errors answer refusals in their OperationInfo union.
        self.answers_operation_info = bool(getattr(field, "handle_errors", False))

    def _refusal(self, info: Info, arguments: dict[str, Any]) -> Any:
        request = info.context.request
        if self.anonymous_only and request.user.is_authenticated:
            return None
        try:
            check(request, scope=self.scope, key=self.key(request, arguments))
        except RateLimited as refused:
            note_refusal(request, refused)
            if self.answers_operation_info:
                return OperationInfo(messages=[OperationMessage(
                    kind=OperationMessage.Kind.PERMISSION, message=str(refused), field=None,
                    code=RequestErrorCode.RATE_LIMITED,
                )])
            raise GraphQLError(
                str(refused), extensions={"code": RequestErrorCode.RATE_LIMITED, "retryAfter": refused.retry_after}
            ) from None
        return None

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        refusal = self._refusal(info, kwargs)
        return refusal if refusal is not None else next_(source, info, **kwargs)

    async def resolve_async(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        # request.user is a lazy database read: off the event loop.
        refusal = await sync_to_async(self._refusal)(info, kwargs)
        return refusal if refusal is not None else await next_(source, info, **kwargs)


def public_read_limit() -> RateLimit:
    return RateLimit("public_read", key=by_address, anonymous_only=True)
