"""Regular-expression lookups (`regex`, `iregex`) under a policy: the generated GraphQL filters
expose `regex`/`iRegex` on every text column, and a pattern is PostgreSQL work chosen by the client.

Django's lookups are replaced, for every field, by ones that ask the policy of the current context
before any SQL is built: outside GraphQL (admin, services, commands) nothing changes; in a GraphQL
operation (booking_graph.graphql.regex_policy) only staff may send a pattern, of at most
REGEX_MAX_LENGTH characters. A pattern PostgreSQL cannot compile answers invalid_value
(booking_graph.outages), and every web statement has a time limit (DB_STATEMENT_TIMEOUT_MS).
"""
from __future__ import annotations

import contextvars
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db.models import Field
from django.db.models.lookups import IRegex, Regex

REGEX_MAX_LENGTH = 200
INVALID_VALUE = "invalid_value"

# None: no policy (not a GraphQL request), every pattern allowed. Else: whether this caller may use one.
may_use_regex: contextvars.ContextVar[Callable[[], bool] | None] = contextvars.ContextVar("may_use_regex", default=None)


def check_pattern(lookup_name: str, pattern: object) -> None:
    allowed = may_use_regex.get()
    if allowed is None:
        return
    if not allowed():
        raise ValidationError(
            f"Regular-expression filters ({lookup_name}) are for staff only: use exact, iExact, contains, "
            "iContains, startsWith or endsWith.", code=INVALID_VALUE,
        )
    if isinstance(pattern, str) and len(pattern) > REGEX_MAX_LENGTH:
        raise ValidationError(
            f"The regular expression has {len(pattern)} characters; the limit is {REGEX_MAX_LENGTH}.",
            code=INVALID_VALUE,
        )


class GuardedRegex(Regex):
    def process_rhs(self, compiler, connection):
        check_pattern("regex", self.rhs)
        return super().process_rhs(compiler, connection)


class GuardedIRegex(IRegex):
    def process_rhs(self, compiler, connection):
        check_pattern("iRegex", self.rhs)
        return super().process_rhs(compiler, connection)


def install() -> None:
    """Called once from booking_graph.apps: replaces the built-in lookups of every field."""
    Field.register_lookup(GuardedRegex)
    Field.register_lookup(GuardedIRegex)
