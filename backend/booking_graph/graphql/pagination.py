"""Top-level lists always get a page: the default size when the client sends no
`pagination`, and never more than GRAPHQL_PAGE_SIZE_MAX (strawberry-django only
applies its default when the argument is present)."""
from __future__ import annotations

from typing import Any

import strawberry
import strawberry_django
from graphql import GraphQLError
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.pagination import OffsetPaginationInput

from booking_graph.graphql.errors import RequestErrorCode


class AlwaysPaginatedField(StrawberryDjangoField):
    def apply_pagination(self, queryset, pagination=None, *, related_field_id=None):
        if pagination in (None, strawberry.UNSET) and related_field_id is None:
            pagination = OffsetPaginationInput()  # offset 0, limit = PAGINATION_DEFAULT_LIMIT
        if isinstance(pagination, OffsetPaginationInput) and pagination.offset < 0:
            raise GraphQLError("pagination.offset must be 0 or more.", extensions={"code": RequestErrorCode.INVALID_PAGINATION})
        return super().apply_pagination(queryset, pagination, related_field_id=related_field_id)


def paginated_list(**options: Any):
    return strawberry_django.field(field_cls=AlwaysPaginatedField, pagination=True, **options)
