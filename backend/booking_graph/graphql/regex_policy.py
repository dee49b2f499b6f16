"""Within each GraphQL operation, regular-expression filters are for staff only (booking_graph.text_lookups)."""
from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from booking_graph.text_lookups import may_use_regex


class StaffOnlyRegexFilters(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        request = getattr(self.execution_context.context, "request", None)

        def is_staff() -> bool:
            user = getattr(request, "user", None)
            return bool(user is not None and user.is_authenticated and user.is_staff)

        token = may_use_regex.set(is_staff)
        try:
            yield
        finally:
            try:
                may_use_regex.reset(token)
            except ValueError:  # finished in another context (async execution): it ends with it
                pass
