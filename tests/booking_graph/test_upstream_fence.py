"""The fence around the fast paths: every private name, layout and copied body of graphql-core,
Strawberry, strawberry-django and Django the project depends on, checked against the installed
libraries. A failure names the project file to revisit after an upgrade; until it is revisited,
GRAPHQL_FAST_PATHS=0 serves the stock schema (docs/architecture.md "Fast paths").

Adding a use of a library internal anywhere in the project means adding its line here.
"""
from __future__ import annotations

import hashlib
import inspect
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import pytest

EXECUTION = "backend/booking_graph/graphql/execution.py"
ERRORS = "backend/booking_graph/graphql/errors.py"
NUL_CHARACTERS = "backend/booking_graph/graphql/nul_characters.py"
OPTIMIZER = "backend/booking_graph/graphql/optimizer.py"
PLAIN_COLUMNS = "backend/booking_graph/graphql/plain_columns.py"
VOICE_TYPES = "backend/voice/graphql/types.py"
SCHEMA = "backend/booking_graph/schema.py"
BOOKINGS_ADMIN = "backend/bookings/admin.py"

# Where graphql-core 3.3 defines the execution methods the project overrides or calls.
EXECUTOR = "graphql.execution.executor:Executor"


@dataclass(frozen=True)
class Internal:
    """`target` is "module:Qualified.name"; `signature` the str(inspect.signature) it was written
    against (None: existence only); `sha256` that of its source, for a body copied into the project."""

    target: str
    revisit: str
    signature: str | None = None
    sha256: str | None = None
    why: str = ""

    def resolve(self) -> Any:
        module_name, _, qualified = self.target.partition(":")
        value: Any = import_module(module_name)
        for part in qualified.split(".") if qualified else ():
            value = getattr(value, part)
        return value


INTERNALS = [
    # --- graphql-core (private execution API; the version is pinned in requirements.txt) ---------
    Internal(f"{EXECUTOR}.execute_fields", EXECUTION,
             "(self, parent_type: 'GraphQLObjectType', source_value: 'Any', path: 'Path | None', "
             "grouped_field_set: 'GroupedFieldSet', position_context: 'TContext | None') "
             "-> 'AwaitableOrValue[dict[str, Any]]'",
             sha256="797f54fbd779b4e381b688bce8e249abffa2e057974676e5f5ef3cefc0ff654c",
             why="PlainFieldsExecutionContext.execute_fields is a copy of this body (graphql-core 3.3.2)"),
    Internal(f"{EXECUTOR}.execute_field", EXECUTION,
             "(self, parent_type: 'GraphQLObjectType', source: 'Any', field_details_list: 'FieldDetailsList', "
             "path: 'Path', position_context: 'TContext | None') -> 'AwaitableOrValue[Any] | UndefinedType'"),
    Internal(f"{EXECUTOR}.complete_iterable_value", EXECUTION,
             "(self, item_type: 'GraphQLOutputType', field_details_list: 'FieldDetailsList', info: "
             "'GraphQLResolveInfo', path: 'Path', items: 'Iterable[Any]', position_context: 'TContext | None') "
             "-> 'AwaitableOrValue[list[Any]]'", why="overridden: plain lists built in one loop"),
    Internal(f"{EXECUTOR}.get_stream_usage", EXECUTION,
             "(self, field_details_list: 'FieldDetailsList', path: 'Path') -> 'StreamUsage | None'"),
    Internal(f"{EXECUTOR}.collect_subfields", EXECUTION,
             "(self, return_type: 'GraphQLObjectType', field_details_list: 'FieldDetailsList') -> 'CollectedFields'"),
    Internal(f"{EXECUTOR}.settle_in_background", EXECUTION, "(self, awaitables: 'list[Awaitable[Any]]') -> 'None'"),
    Internal(f"{EXECUTOR}.is_awaitable", EXECUTION),
    Internal(f"{EXECUTOR}.handle_field_error", ERRORS,
             "(self, raw_error: 'Exception', return_type: 'GraphQLOutputType', field_details_list: "
             "'FieldDetailsList', path: 'Path') -> 'None'", why="overridden: domain errors get their code"),
    Internal(f"{EXECUTOR}.build", NUL_CHARACTERS, why="overridden: query variables with a NUL refused before coercion"),
    Internal("graphql.execution.middleware:MiddlewareManager.middlewares", EXECUTION),
    Internal("graphql.pyutils:gather_with_cancel", EXECUTION),
    # --- Strawberry -----------------------------------------------------------------------------
    Internal("strawberry.schema.schema:StrawberryGraphQLCoreExecutionContext", EXECUTION),
    Internal("strawberry.extensions.base_extension:SchemaExtension._implements_resolve", OPTIMIZER,
             why="FastOptimizer has no `resolve` so that Strawberry installs no field middleware"),
    Internal("strawberry.types.info:Info.__init__", OPTIMIZER,
             "(self, _raw_info: 'GraphQLResolveInfo', _field: 'StrawberryField') -> None", why="info._raw_info"),
    Internal("strawberry.types.cast:get_strawberry_type_cast", EXECUTION),
    Internal("strawberry.schema.name_converter:NameConverter.apply_naming_config", OPTIMIZER,
             "(self, name: 'str') -> 'str'", why="CachedNameConverter memoizes it"),
    Internal("strawberry.schema.name_converter:NameConverter.from_field", PLAIN_COLUMNS,
             "(self, field: 'StrawberryField') -> 'str'"),
    # --- strawberry-django ----------------------------------------------------------------------
    Internal("strawberry_django.optimizer:optimize", OPTIMIZER,
             sha256="4384c08965bdf3bcdb5e7c32852f4823da520582031a1e99dd91263caf862c78",
             why="_make_plan/_apply are this function split in two (strawberry-django 0.93.0)"),
    Internal("strawberry_django.optimizer:_get_model_hints", OPTIMIZER,
             "(model: 'type[models.Model]', schema: 'Schema', object_definition: 'StrawberryObjectDefinition', *, "
             "parent_type: 'GraphQLObjectType | GraphQLInterfaceType', info: 'GraphQLResolveInfo', config: "
             "'OptimizerConfig | None' = None, prefix: 'str' = '', cache: 'dict[type[models.Model], "
             "list[tuple[int, OptimizerStore]]] | None' = None, level: 'int' = 0, subclass_collection: "
             "'set[type[models.Model]] | None' = None) -> 'OptimizerStore | None'"),
    Internal("strawberry_django.optimizer:_get_gql_definition", OPTIMIZER,
             "(schema: 'Schema', definition: 'StrawberryObjectDefinition') -> "
             "'GraphQLInterfaceType | GraphQLObjectType'"),
    Internal("strawberry_django.optimizer:OptimizerStore.apply", OPTIMIZER,
             "(self, qs: 'QuerySet[_M]', *, info: 'GraphQLResolveInfo', config: 'OptimizerConfig | None' = None) "
             "-> 'QuerySet[_M]'"),
    Internal("strawberry_django.optimizer:DjangoOptimizerExtension.optimize", OPTIMIZER,
             "(self, qs: 'QuerySet[_M] | BaseManager[_M]', info: 'GraphQLResolveInfo | Info', *, "
             "store: 'OptimizerStore | None' = None) -> 'QuerySet[_M]'"),
    Internal("strawberry_django.optimizer:is_optimized", OPTIMIZER),
    Internal("strawberry_django.optimizer:is_optimized_by_prefetching", PLAIN_COLUMNS),
    Internal("strawberry_django.optimizer:OperationType", OPTIMIZER),
    Internal("strawberry_django.queryset:get_queryset_config", OPTIMIZER),
    Internal("strawberry_django.utils.inspect:get_possible_concrete_types", OPTIMIZER),
    Internal("strawberry_django.utils.inspect:is_inheritance_qs", OPTIMIZER),
    Internal("strawberry_django.fields.base:StrawberryDjangoFieldBase", PLAIN_COLUMNS),
    Internal("strawberry_django.permissions:IsStaff", PLAIN_COLUMNS,
             why="the staff-list shortcut applies only to a field whose one extension is IsStaff"),
    # --- Django ---------------------------------------------------------------------------------
    Internal("django.db.models.fields.reverse_related:ForeignObjectRel.cache_name", PLAIN_COLUMNS),
    Internal("django.db.models.query_utils:DeferredAttribute", PLAIN_COLUMNS),
    Internal("django.utils.functional:empty", PLAIN_COLUMNS),
    Internal("django.forms.models:BaseModelForm._get_validation_exclusions", BOOKINGS_ADMIN,
             "(self)", why="the booking admin form widens the exclusions"),
]


@pytest.mark.parametrize("internal", INTERNALS, ids=lambda internal: internal.target)
def test_each_internal_is_still_there_as_written_against(internal):
    where = f"{internal.target} ({internal.why or 'used'}): revisit {internal.revisit}"
    try:
        value = internal.resolve()
    except (ImportError, AttributeError) as missing:
        pytest.fail(f"gone: {where} [{missing}]")
    if internal.signature is not None:
        assert str(inspect.signature(value)) == internal.signature, f"signature changed: {where}"
    if internal.sha256 is not None:
        source = inspect.getsource(value)
        assert hashlib.sha256(source.encode()).hexdigest() == internal.sha256, (
            f"upstream body changed since it was copied: {where} (diff the copy against the new source, "
            "then update the hash here)"
        )


# --- Layouts and attributes only a built schema, an execution or a queryset shows ---------------


def test_graphql_core_layouts():
    from graphql.execution.collect_fields import CollectedFields, FieldDetails

    assert CollectedFields._fields[:2] == ("grouped_field_set", "new_defer_usages") and len(CollectedFields._fields) == 3, (
        f"collect_subfields answers {CollectedFields._fields}: revisit {EXECUTION} (_plain_plan unpacks three)"
    )
    assert FieldDetails._fields[0] == "node", f"FieldDetails is {FieldDetails._fields}: revisit {EXECUTION}"


def test_strawberry_schema_internals():
    from booking_graph.schema import build_schema

    built = build_schema(fast_paths=False)
    assert built._schema._strawberry_schema is built, f"schema._schema._strawberry_schema: revisit {OPTIMIZER}, {SCHEMA}"
    assert built.schema_converter.type_map, f"schema.schema_converter.type_map: revisit {PLAIN_COLUMNS}"
    concrete = next(iter(built.schema_converter.type_map.values()))
    assert hasattr(concrete, "definition") and hasattr(concrete, "implementation"), f"ConcreteType: revisit {PLAIN_COLUMNS}"
    # Strawberry marks the getattr resolver of a "basic" field; plain_columns relies on the mark.
    stay_offer = built._schema.type_map["StayOffer"].fields["checkIn"]
    assert getattr(stay_offer.resolve, "_is_default", False), f"resolver `_is_default` mark: revisit {PLAIN_COLUMNS}"
    # strawberry-django's is_type_of is an isinstance test defined in strawberry_django.type.
    hotel = built._schema.type_map["Hotel"]
    assert hotel.is_type_of.__module__ == "strawberry_django.type", f"is_type_of: revisit {EXECUTION}"
    # The VoiceNote.audioUrl resolver wrapped by voice/graphql/types.py takes (root, info, **kwargs).
    assert callable(built._schema.type_map["VoiceNote"].fields["audioUrl"].resolve), f"revisit {VOICE_TYPES}"


def test_no_field_middleware_without_resolve():
    from booking_graph.graphql.optimizer import FastOptimizer, InheritanceAwareOptimizer

    assert not FastOptimizer._implements_resolve(), f"FastOptimizer would be middleware: revisit {OPTIMIZER}"
    assert InheritanceAwareOptimizer._implements_resolve()  # the stock one keeps upstream's middleware


def test_django_queryset_and_instance_attributes():
    from django.db.models import Prefetch
    from django.utils.functional import SimpleLazyObject

    from bookings.models import Booking

    qs = Booking.objects.prefetch_related("voice_notes").select_related("accommodation")
    for name in ("_result_cache", "_prefetch_related_lookups"):
        assert hasattr(qs, name), f"QuerySet.{name}: revisit {OPTIMIZER}, {PLAIN_COLUMNS}"
    assert isinstance(qs.query.select_related, dict) and qs.query.deferred_loading == (frozenset(), True), (
        f"Query.select_related / deferred_loading: revisit {OPTIMIZER}"
    )
    prefetch = Prefetch("voice_notes", queryset=None, to_attr=None)
    assert (prefetch.prefetch_to, prefetch.prefetch_through, prefetch.to_attr) == ("voice_notes", "voice_notes", None), (
        f"Prefetch attributes: revisit {OPTIMIZER}"
    )
    lazy = SimpleLazyObject(lambda: None)
    assert "_wrapped" in vars(lazy), f"LazyObject._wrapped: revisit {PLAIN_COLUMNS}"
    # Prefetched rows live in the instance's _prefetched_objects_cache (read by the staff-list shortcut).
    source = inspect.getsource(import_module("django.db.models.query").prefetch_one_level)
    assert "_prefetched_objects_cache" in source, f"Model._prefetched_objects_cache: revisit {PLAIN_COLUMNS}"


def test_no_model_overrides_a_private_queryset_method():
    """Batching lives in the GraphQL layer (booking_graph/graphql/loaders.py), not in the models."""
    from django.apps import apps
    from django.db.models import QuerySet

    for model in apps.get_models():
        for manager in model._meta.managers:
            for klass in type(manager.get_queryset()).__mro__:
                if klass.__module__.startswith(("django.", "model_utils.")) or klass is object:
                    continue
                private = [name for name in vars(klass) if name.startswith("_") and not name.startswith("__")
                           and hasattr(QuerySet, name)]
                assert not private, f"{klass.__module__}.{klass.__qualname__} overrides {private}"
