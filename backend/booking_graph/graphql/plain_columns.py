"""Plain model columns (and plain properties) resolve with a plain attribute read.

strawberry-django runs every field of a model type through its general resolver
(arguments, an Info object, the field-extension chain, relation and deferred-column
handling). A page of 100 accommodations with their bookings and voice notes has some
11,000 fields; in a profile of it (bench/graphql_overhead.py) that resolver was the
largest cost after graphql-core's own execution.
A column with no resolver, no arguments, no permission or other extension, and no
relation is just `getattr(row, attname)`; graphql-core calls such a resolver
directly. Everything else keeps strawberry-django's resolver.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models.fields.related_descriptors import ReverseManyToOneDescriptor
from django.db.models.query_utils import DeferredAttribute
from django.utils.functional import LazyObject, empty
from graphql import GraphQLInterfaceType, GraphQLObjectType
from strawberry.schema.schema import Schema
from strawberry.types.field import StrawberryField
from strawberry.types.base import StrawberryObjectDefinition
from strawberry_django.fields.base import StrawberryDjangoFieldBase
from strawberry_django.optimizer import is_optimized_by_prefetching
from strawberry_django.permissions import IsStaff
from strawberry_django.utils.typing import get_django_definition

from booking_graph.graphql.execution import PLAIN_ATTRIBUTE


def _attribute_reader(attname: str) -> Callable[[Any, Any], Any]:
    def read(source: Any, info: Any) -> Any:
        # A deferred column is still loaded on access, as strawberry-django would.
        return getattr(source, attname)

    # execution.py completes such a field without graphql-core's per-field machinery.
    setattr(read, PLAIN_ATTRIBUTE, attname)
    return read


def _plain_column(field: Any, model: type) -> str | None:
    """The attribute to read when the field is a bare model column or property, else None."""
    if not isinstance(field, StrawberryDjangoFieldBase) or field.is_relation:
        return None
    if field.base_resolver is not None or field.extensions or field.permission_classes or field.arguments:
        return None
    name = field.django_name or field.python_name
    descriptor = getattr(model, name, None)
    if isinstance(descriptor, property):
        return name  # a plain Python property (Booking.nights): what strawberry-django reads too
    if not isinstance(descriptor, DeferredAttribute) or name != descriptor.field.attname:
        return None  # a file field (wrapped on access), a foreign key id, a renamed attribute
    return name


def _typed_fields(schema: Schema, kinds: tuple[type, ...]):
    """(strawberry type definition, strawberry field, the built graphql-core field) for every field of
    every type of the schema built as one of `kinds`."""
    from_field = schema.config.name_converter.from_field
    for concrete in schema.schema_converter.type_map.values():
        definition, graphql_type = concrete.definition, concrete.implementation
        if isinstance(definition, StrawberryObjectDefinition) and isinstance(graphql_type, kinds):
            for field in definition.fields:
                yield definition, field, graphql_type.fields[from_field(field)]


def _model_fields(schema: Schema):
    """(strawberry field, its Django model, the built graphql-core field) for every field of every
    model-backed object or interface type of the schema."""
    for definition, field, graphql_field in _typed_fields(schema, (GraphQLObjectType, GraphQLInterfaceType)):
        django_definition = get_django_definition(definition.origin)
        if django_definition is not None:
            yield field, django_definition.model, graphql_field


def read_plain_columns_directly(schema: Schema) -> int:
    """Give every plain column of every model type, and every plain attribute of the other object
    types, a direct resolver; returns how many."""
    count = 0
    for field, model, graphql_field in _model_fields(schema):
        attname = _plain_column(field, model)
        if attname is not None:
            graphql_field.resolve = _attribute_reader(attname)
            count += 1
    for field, graphql_field in _plain_type_fields(schema):
        graphql_field.resolve = _attribute_reader(field.python_name)
        count += 1
    return count


def _plain_type_fields(schema: Schema):
    """(strawberry field, built graphql-core field) for every field of a non-model object type that
    Strawberry itself resolves as `getattr(source, python_name)`: no resolver, no extension or
    permission, no exception handler, and the schema's default resolver is getattr."""
    if schema.config.default_resolver is not getattr:
        return
    for definition, field, graphql_field in _typed_fields(schema, (GraphQLObjectType,)):
        if get_django_definition(definition.origin) is not None or definition.is_input:
            continue
        # Strawberry marks the resolver it builds for such a "basic" field.
        if type(field) is StrawberryField and getattr(graphql_field.resolve, "_is_default", False):
            yield field, graphql_field


# --- Staff-only lists already prefetched -------------------------------------------------
# The staff page of 100 has 600 `bookings` / `voiceNotes` fields behind IsStaff. Each ran the
# extension chain (user lookup, IsStaff, strawberry-django's relation resolver, the queryset hook)
# only to return the list the optimizer had already prefetched. The fast path below returns that
# list when the request's user is staff, deciding is_staff once per request; any other case (not
# staff, anonymous, nothing prefetched, a queryset not prepared by the optimizer, a user object not
# loaded yet) goes through the original resolver, so refusals are exactly IsStaff's.

_STAFF_DECISION = "_booking_graph_is_staff"


def _staff_decided_once(info: Any) -> bool:
    """True only when the request's (already loaded) user is authenticated and staff, as IsStaff decides."""
    request = getattr(getattr(info, "context", None), "request", None)
    user = getattr(request, "user", None)
    if user is None:
        return False
    if isinstance(user, LazyObject) and user._wrapped is empty:
        return False  # loading it may need the database (async contexts): let IsStaff do it
    cached = getattr(request, _STAFF_DECISION, None)
    if cached is not None and cached[0] is user:
        return cached[1]
    decision = bool(user.is_authenticated and getattr(user, "is_staff", False))
    setattr(request, _STAFF_DECISION, (user, decision))
    return decision


def _staff_list_reader(cache_name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    def read_staff_list(source: Any, info: Any, **kwargs: Any) -> Any:
        prefetched = getattr(source, "_prefetched_objects_cache", None)
        if prefetched:
            rows = prefetched.get(cache_name)
            if (
                rows is not None
                and rows._result_cache is not None
                and is_optimized_by_prefetching(rows)
                and _staff_decided_once(info)
            ):
                return rows._result_cache
        return original(source, info, **kwargs)

    return read_staff_list


def _staff_only_reverse_list(field: Any, model: type) -> str | None:
    """The prefetch cache name when the field is a bare reverse FK list behind IsStaff only, else None."""
    if not isinstance(field, StrawberryDjangoFieldBase) or not field.is_relation or not field.is_list:
        return None
    if field.base_resolver is not None or field.permission_classes or field.arguments:
        return None
    if len(field.extensions) != 1 or type(field.extensions[0]) is not IsStaff:
        return None
    descriptor = getattr(model, field.django_name or field.python_name, None)
    if type(descriptor) is not ReverseManyToOneDescriptor:
        return None
    return descriptor.field.remote_field.cache_name


def read_staff_lists_directly(schema: Schema) -> int:
    """Give every staff-only reverse list of every model type the prefetched fast path; returns how many."""
    count = 0
    for field, model, graphql_field in _model_fields(schema):
        cache_name = _staff_only_reverse_list(field, model)
        if cache_name is None:
            continue
        if getattr(graphql_field.resolve, "__qualname__", "").startswith("_staff_list_reader"):
            continue  # already applied
        graphql_field.resolve = _staff_list_reader(cache_name, graphql_field.resolve)
        count += 1
    return count
