"""Top-level lists always get a page: the default size when the client sends no
`pagination`, and never more than GRAPHQL_PAGE_SIZE_MAX (strawberry-django only
applies its default when the argument is present)."""
from __future__ import annotations

from typing import Any

import strawberry
import strawberry_django
from django.conf import settings
from graphql import GraphQLError
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.pagination import OffsetPaginationInput

from booking_graph.graphql.errors import RequestErrorCode


def _refuse_negative_offset(pagination: OffsetPaginationInput) -> None:
    if pagination.offset < 0:
        raise GraphQLError("pagination.offset must be 0 or more.", extensions={"code": RequestErrorCode.INVALID_PAGINATION})


class AlwaysPaginatedField(StrawberryDjangoField):
    def apply_pagination(self, queryset, pagination=None, *, related_field_id=None):
        if pagination in (None, strawberry.UNSET) and related_field_id is None:
            pagination = OffsetPaginationInput()  # offset 0, limit = PAGINATION_DEFAULT_LIMIT
        if isinstance(pagination, OffsetPaginationInput):
            _refuse_negative_offset(pagination)
        return super().apply_pagination(queryset, pagination, related_field_id=related_field_id)


def page_bounds(pagination: OffsetPaginationInput | None) -> tuple[int, int]:
    """(offset, limit) for a list a selector pages itself: the same default, maximum and
    checks as the queryset lists (a missing or negative limit means the maximum page)."""
    if pagination in (None, strawberry.UNSET):
        pagination = OffsetPaginationInput()
    _refuse_negative_offset(pagination)
    limit = pagination.limit
    if limit in (None, strawberry.UNSET):
        limit = settings.GRAPHQL_PAGE_SIZE_DEFAULT
    if limit < 0 or limit > settings.GRAPHQL_PAGE_SIZE_MAX:
        limit = settings.GRAPHQL_PAGE_SIZE_MAX
    return pagination.offset, limit


def paginated_list(**options: Any):
    return strawberry_django.field(field_cls=AlwaysPaginatedField, pagination=True, **options)
