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

import dataclasses
import functools
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.db.models.manager import BaseManager
from graphql import GraphQLResolveInfo, OperationDefinitionNode, get_named_type
from strawberry.extensions import SchemaExtension
from strawberry.schema.name_converter import NameConverter
from strawberry.types.info import Info
from strawberry_django import optimizer as upstream
from strawberry_django.optimizer import DjangoOptimizerExtension, OptimizerConfig, OptimizerStore
from strawberry_django.queryset import get_queryset_config
from strawberry_django.utils.inspect import PrefetchInspector, get_possible_concrete_types, is_inheritance_qs


def _path(lookup: str | Prefetch) -> str:
    return lookup.prefetch_to if isinstance(lookup, Prefetch) else lookup


def _same_queryset(a: QuerySet | None, b: QuerySet | None) -> bool:
    if a is None or b is None:
        return a is b
    return (
        a.model is b.model and _same_sql(a, b)
        and _same_lookups(a._prefetch_related_lookups, b._prefetch_related_lookups)
    )


def _same_sql(a: QuerySet, b: QuerySet) -> bool:
    try:
        return str(a.query) == str(b.query)
    except Exception:  # noqa: BLE001 - a query that cannot be printed is simply not known to be the same
        return False


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
    prefetch already there is dropped, and one that differs (an inline fragment selected
    other sub-fields of the relation than the interface did) is merged into it, so the
    rows read the relation once with what both selections need. Two that cannot be merged
    (other filters, ordering or limits) stay as strawberry-django made them."""
    if not is_inheritance_qs(qs) or not qs._prefetch_related_lookups:
        return qs
    meta = qs.model._meta
    children = {rel.get_accessor_name() for rel in meta.related_objects if rel.one_to_one and rel.parent_link}
    parent_fields = {field.name for field in meta.get_fields()} - children
    lookups: list[str | Prefetch] = []
    for lookup in qs._prefetch_related_lookups:
        head, _, rest = _path(lookup).partition(LOOKUP_SEP)
        through = lookup.prefetch_through if isinstance(lookup, Prefetch) else lookup
        candidate = lookup
        if head in children and rest and rest.split(LOOKUP_SEP)[0] in parent_fields:
            candidate = _relocated(lookup, through.partition(LOOKUP_SEP)[2])
        if not _add_lookup(lookups, candidate):
            lookups.append(lookup)
    if len(lookups) == len(qs._prefetch_related_lookups) and all(
        a is b for a, b in zip(lookups, qs._prefetch_related_lookups, strict=True)
    ):
        return qs
    return qs.prefetch_related(None).prefetch_related(*lookups)


# --- Merging two prefetches of one relation --------------------------------------------------
# Upstream: strawberry-graphql/strawberry-django#808. Without this, `bookings { id }` on the
# interface and `... on Hotel { bookings { guestName } }` read the bookings with only `id`, and
# each hotel's bookings then loaded `guest_name` row by row (54 statements for 50 places).


def _add_lookup(lookups: list[str | Prefetch], lookup: str | Prefetch) -> bool:
    """Add `lookup` to `lookups`: appended when none there has its path, dropped when the one there
    is the same, merged into it otherwise; False (and `lookups` unchanged) when it cannot be merged."""
    twin = next((index for index, kept in enumerate(lookups) if _path(kept) == _path(lookup)), None)
    if twin is None:
        lookups.append(lookup)
    elif not _same_lookup(lookups[twin], lookup):
        merged = _merged_lookup(lookups[twin], lookup)
        if merged is None:
            return False
        lookups[twin] = merged
    return True


def _merged_lookup(a: str | Prefetch, b: str | Prefetch) -> Prefetch | None:
    """One prefetch that gives what `a` and `b` give, or None when they cannot be one. The merge is
    strawberry-django's own (PrefetchInspector.merge: the `only` sets, joins, annotations and nested
    prefetches combined); the check that both read the same rows is ours, since upstream compares
    the filters only, not the ordering or the limits."""
    if not isinstance(a, Prefetch) or not isinstance(b, Prefetch):
        return None
    if a.prefetch_through != b.prefetch_through or a.to_attr != b.to_attr or not _same_rows(a.queryset, b.queryset):
        return None
    try:
        merged = PrefetchInspector(Prefetch(a.prefetch_through, queryset=a.queryset.all(), to_attr=a.to_attr)).merge(
            PrefetchInspector(Prefetch(b.prefetch_through, queryset=b.queryset.all(), to_attr=b.to_attr))
        )
    except ValueError:  # nested prefetches of other rows: upstream refuses, both stay
        return None
    return merged.prefetch


def _same_rows(a: QuerySet | None, b: QuerySet | None) -> bool:
    """Same model, filters, ordering and limits: the SQL is the same once columns, joins and
    prefetches are set aside."""
    if a is None or b is None or a.model is not b.model:
        return False
    joins = _union_select_related(a.query.select_related, b.query.select_related)
    return _same_sql(_all_columns(a, joins), _all_columns(b, joins))


def _all_columns(qs: QuerySet, joins: bool | dict) -> QuerySet:
    plain = qs.defer(None).prefetch_related(None)  # defer(None) also undoes only()
    plain.query.select_related = joins
    return plain


def _union_select_related(a: bool | dict, b: bool | dict) -> bool | dict:
    if a is True or b is True:
        return True
    if not a or not b:
        return a or b
    return {name: _union_select_related(a.get(name, {}), b.get(name, {})) for name in {**a, **b}}


class InheritanceAwareOptimizer(DjangoOptimizerExtension):
    """strawberry-django's optimizer with each table of an interface list read once (the merge
    above). Behaviour, not speed: the statement counts are part of the contract, so this one is
    used with GRAPHQL_FAST_PATHS=0 too. Otherwise stock (upstream's `resolve` middleware included)."""

    def optimize(self, qs, info, *, store=None):
        if not self.enabled.get():
            return qs
        return merge_inherited_prefetches(super().optimize(qs, info, store=store))


class FastOptimizer(InheritanceAwareOptimizer):
    """The fast path (GRAPHQL_FAST_PATHS on): the plan cached per document, and no field middleware.
    strawberry-django fields call `optimize` on the extension from their own `get_queryset`
    (lists, relations, mutation payloads)."""

    # DjangoOptimizerExtension.resolve wraps every field of every request (as graphql-core
    # middleware) to optimize querysets returned by resolvers that are not strawberry-django
    # fields; this schema has none (the equivalence test, tests/booking_graph/test_equivalence.py, compares the
    # SQL with the stock one), and the wrapper cost a fifth of a large page. Without a `resolve`,
    # Strawberry installs no middleware (fenced: tests/booking_graph/test_upstream_fence.py).
    resolve = SchemaExtension.resolve

    def optimize(self, qs, info, *, store=None):
        if not self.enabled.get():
            return qs
        raw_info = info._raw_info if isinstance(info, Info) else info
        if store is None:
            planned = optimize_with_plan_cache(qs, raw_info, self._config(raw_info))
            if planned is not None:
                return merge_inherited_prefetches(planned)
        return super().optimize(qs, info, store=store)

    def _config(self, info: GraphQLResolveInfo) -> OptimizerConfig:
        # As DjangoOptimizerExtension.optimize builds it.
        return OptimizerConfig(
            enable_only=self.enable_only and info.operation.operation == upstream.OperationType.QUERY,
            enable_select_related=self.enable_select_related,
            enable_prefetch_related=self.enable_prefetch_related,
            enable_annotate=self.enable_annotate_optimization,
            prefetch_custom_queryset=self.prefetch_custom_queryset,
        )


# --- The optimizer's plan, cached per document ---------------------------------------------
# The optimizer walks the selection, the interface and every concrete type on each request to
# find the same `only` / `select_related` lists for the same document: a sixth of a catalog page
# of 20 (cProfile, bench/graphql_overhead.py). Those lists depend only on the selection, which is
# fixed by the (cached, parsed) operation, the field's place in it, the variables and the model.
# Only plans made of column names and joins are kept: a plan with a prefetch or an annotation
# holds querysets or expressions built for one request (a prefetch's queryset passes through its
# type's get_queryset, which may depend on the user), so those are planned again every time.


@dataclasses.dataclass(frozen=True)
class _Plan:
    operation: OperationDefinitionNode  # held so that its id in the key cannot be reused
    only: tuple[str, ...]
    select_related: tuple[str, ...]
    subclasses: tuple[type, ...] | None

    def store(self) -> OptimizerStore:
        return OptimizerStore(only=list(self.only), select_related=list(self.select_related))


class _PlanCache:
    """A bounded LRU of plans, shared by the threads of one process."""

    def __init__(self) -> None:
        self._plans: OrderedDict[Hashable, _Plan] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, operation: OperationDefinitionNode) -> _Plan | None:
        with self._lock:
            plan = self._plans.get(key)
            if plan is None or plan.operation is not operation:
                self.misses += 1
                return None
            self._plans.move_to_end(key)
            self.hits += 1
            return plan

    def put(self, key: Hashable, plan: _Plan) -> None:
        with self._lock:
            self._plans[key] = plan
            self._plans.move_to_end(key)
            while len(self._plans) > max(settings.GRAPHQL_DOCUMENT_CACHE_SIZE, 0) * 4:
                self._plans.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._plans.clear()
            self.hits = self.misses = 0


plan_cache = _PlanCache()


def _frozen(value: Any) -> Hashable:
    """Variables as a hashable key; TypeError for anything not plain data (an upload, say)."""
    if isinstance(value, dict):
        return tuple(sorted((name, _frozen(item)) for name, item in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return (type(value), value)
    hash(value)
    return (type(value), value)


_CONFIG_FIELDS = tuple(field.name for field in dataclasses.fields(OptimizerConfig))


def _config_key(config: OptimizerConfig) -> tuple:
    # dataclasses.astuple copies recursively: a tenth of the cached path's time.
    return tuple(getattr(config, name) for name in _CONFIG_FIELDS)


def _plan_key(qs: QuerySet, info: GraphQLResolveInfo, config: OptimizerConfig) -> Hashable | None:
    try:
        variables = _frozen(info.variable_values or {})
    except TypeError:
        return None
    path = tuple(key for key in info.path.as_list() if isinstance(key, str))
    return (
        id(info.operation), path, info.parent_type.name, get_named_type(info.return_type).name,
        variables, qs.model, is_inheritance_qs(qs), _config_key(config),
    )


def _make_plan(qs: QuerySet, info: GraphQLResolveInfo, config: OptimizerConfig) -> tuple[OptimizerStore, set | None]:
    """strawberry-django 0.93's `optimize` up to the point where it applies the store."""
    schema = info.schema._strawberry_schema  # type: ignore[attr-defined]
    strawberry_type = schema.get_type_by_name(get_named_type(info.return_type).name)
    store = OptimizerStore()
    subclasses: set | None = set() if is_inheritance_qs(qs) else None
    if strawberry_type is None:
        return store, subclasses
    for definition in get_possible_concrete_types(qs.model, schema, strawberry_type):
        hints = upstream._get_model_hints(  # noqa: SLF001 - the upstream planner itself
            qs.model, schema, definition,
            parent_type=upstream._get_gql_definition(schema, definition),  # noqa: SLF001
            info=info, config=config, subclass_collection=subclasses,
        )
        if hints is not None:
            store |= hints
    return store, subclasses


def _apply(qs: QuerySet, store: OptimizerStore, subclasses, info, config) -> QuerySet:
    """strawberry-django 0.93's `optimize` from the point where it applies the store."""
    if store:
        if subclasses:
            qs = qs.select_subclasses(*subclasses)
        qs = store.apply(qs, info=info, config=config)
        get_queryset_config(qs).optimized = True
    return qs


def optimize_with_plan_cache(qs: Any, info: GraphQLResolveInfo, config: OptimizerConfig) -> QuerySet | None:
    """The optimized queryset, planned once per document and place; None when the caller should
    use strawberry-django's optimizer as it is (not a queryset, already optimized or fetched)."""
    if isinstance(qs, BaseManager):
        qs = qs.all()
    if not isinstance(qs, QuerySet) or upstream.is_optimized(qs) or qs._result_cache is not None:
        return None
    key = _plan_key(qs, info, config)
    plan = plan_cache.get(key, info.operation) if key is not None else None
    if plan is not None:
        subclasses = set(plan.subclasses) if plan.subclasses is not None else None
        return _apply(qs, plan.store(), subclasses, info, config)
    store, subclasses = _make_plan(qs, info, config)
    if key is not None and not store.prefetch_related and not store.annotate:
        plan_cache.put(key, _Plan(
            operation=info.operation, only=tuple(store.only), select_related=tuple(store.select_related),
            subclasses=tuple(subclasses) if subclasses is not None else None,
        ))
    return _apply(qs, store, subclasses, info, config)


class CachedNameConverter(NameConverter):
    """strawberry-django's optimizer finds a selected field by converting the name of every field of
    the type until one matches, for each selection of each request (some 200 snake_case -> camelCase
    conversions for a catalog page of 20). The conversion depends on the name alone."""

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one converter per schema, kept for the process
    def apply_naming_config(self, name: str) -> str:
        return super().apply_naming_config(name)
