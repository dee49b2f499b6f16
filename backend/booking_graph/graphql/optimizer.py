"""strawberry-django's optimizer, with each table of an interface list fetched once.

For a list typed by an interface over an InheritanceManager model (`accommodations`),
strawberry-django 0.93 gathers hints for the interface and again for every concrete
type, the latter under the child's accessor: a selected `bookings { voiceNotes }`
becomes the prefetches `bookings`, `hotel__bookings` and `apartment__bookings`, so the
bookings and voice notes are read three times (9 statements instead of 3). The rows
are already the concrete Hotel/Apartment instances (`select_subclasses`), which have
the parent's relations themselves: `hotel__bookings` is `bookings` on them.
Upstream work on this: strawberry-graphql/strawberry-django#808 (open).
"""
from __future__ import annotations

import functools

from django.db.models import Prefetch, QuerySet
from django.db.models.constants import LOOKUP_SEP
from strawberry.extensions import SchemaExtension
from strawberry.schema.name_converter import NameConverter
from strawberry_django.optimizer import DjangoOptimizerExtension
from strawberry_django.utils.inspect import is_inheritance_qs


def _path(lookup: str | Prefetch) -> str:
    return lookup.prefetch_to if isinstance(lookup, Prefetch) else lookup


def _same_queryset(a: QuerySet | None, b: QuerySet | None) -> bool:
    if a is None or b is None:
        return a is b
    try:
        same_sql = a.model is b.model and str(a.query) == str(b.query)
    except Exception:  # noqa: BLE001 - a query that cannot be printed is simply not known to be the same
        return False
    return same_sql and _same_lookups(a._prefetch_related_lookups, b._prefetch_related_lookups)


def _same_lookups(a, b) -> bool:
    return len(a) == len(b) and all(_same_lookup(x, y) for x, y in zip(a, b, strict=True))


def _same_lookup(a: str | Prefetch, b: str | Prefetch) -> bool:
    if isinstance(a, Prefetch) and isinstance(b, Prefetch):
        return a.prefetch_to == b.prefetch_to and _same_queryset(a.queryset, b.queryset)
    return not isinstance(a, Prefetch) and not isinstance(b, Prefetch) and a == b


def _relocated(lookup: str | Prefetch, path: str) -> str | Prefetch:
    if isinstance(lookup, Prefetch):
        return Prefetch(path, queryset=lookup.queryset, to_attr=lookup.to_attr)
    return path


def merge_inherited_prefetches(qs: QuerySet) -> QuerySet:
    """Prefetches made through a child accessor (`hotel__bookings`) for a relation the
    parent model has are made on the rows themselves (`bookings`); one identical to a
    prefetch already there is dropped. When the two differ (an inline fragment selected
    other sub-fields), both stay as strawberry-django made them: correct, only slower."""
    if not is_inheritance_qs(qs) or not qs._prefetch_related_lookups:
        return qs
    meta = qs.model._meta
    children = {rel.get_accessor_name() for rel in meta.related_objects if rel.one_to_one and rel.parent_link}
    parent_fields = {field.name for field in meta.get_fields()} - children
    lookups: list[str | Prefetch] = []
    for lookup in qs._prefetch_related_lookups:
        head, _, rest = _path(lookup).partition(LOOKUP_SEP)
        through = lookup.prefetch_through if isinstance(lookup, Prefetch) else lookup
        if head in children and rest and rest.split(LOOKUP_SEP)[0] in parent_fields:
            moved = _relocated(lookup, through.partition(LOOKUP_SEP)[2])
            twin = next((kept for kept in lookups if _path(kept) == _path(moved)), None)
            if twin is None:
                lookup = moved
            elif _same_lookup(twin, moved):
                continue
        lookups.append(lookup)
    if len(lookups) == len(qs._prefetch_related_lookups) and all(
        a is b for a, b in zip(lookups, qs._prefetch_related_lookups, strict=True)
    ):
        return qs
    return qs.prefetch_related(None).prefetch_related(*lookups)


class InheritanceAwareOptimizer(DjangoOptimizerExtension):
    """The optimizer every field uses: strawberry-django fields call `optimize` on the extension
    from their own `get_queryset` (lists, relations, mutation payloads)."""

    # DjangoOptimizerExtension.resolve wraps every field of every request (as graphql-core
    # middleware) to optimize querysets returned by resolvers that are not strawberry-django
    # fields; this schema has none (the query-count tests would show one), and the wrapper
    # cost a fifth of a large page. Without a `resolve`, Strawberry installs no middleware.
    resolve = SchemaExtension.resolve

    def __init__(self, **options) -> None:
        # Prefetches read through the models' default managers (not plain base managers), so the
        # rows a prefetch brings form batches too (catalog.batches): bookings nested in a list of
        # places asking for their place's next available date ask once.
        options.setdefault("prefetch_custom_queryset", True)
        super().__init__(**options)

    def optimize(self, qs, info, *, store=None):
        return merge_inherited_prefetches(super().optimize(qs, info, store=store))


class CachedNameConverter(NameConverter):
    """strawberry-django's optimizer finds a selected field by converting the name of every field of
    the type until one matches, for each selection of each request (some 200 snake_case -> camelCase
    conversions for a catalog page of 20). The conversion depends on the name alone."""

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one converter per schema, kept for the process
    def apply_naming_config(self, name: str) -> str:
        return super().apply_naming_config(name)
