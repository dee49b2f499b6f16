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

from django.db.models.query_utils import DeferredAttribute
from graphql import GraphQLInterfaceType, GraphQLObjectType
from strawberry.schema.schema import Schema
from strawberry.types.base import StrawberryObjectDefinition
from strawberry_django.fields.base import StrawberryDjangoFieldBase
from strawberry_django.utils.typing import get_django_definition


def _attribute_reader(attname: str) -> Callable[[Any, Any], Any]:
    def read(source: Any, info: Any) -> Any:
        # A deferred column is still loaded on access, as strawberry-django would.
        return getattr(source, attname)

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


def read_plain_columns_directly(schema: Schema) -> int:
    """Give every plain column of every model type a direct resolver; returns how many."""
    count = 0
    for concrete in schema.schema_converter.type_map.values():
        definition, graphql_type = concrete.definition, concrete.implementation
        if not isinstance(definition, StrawberryObjectDefinition):
            continue
        if not isinstance(graphql_type, (GraphQLObjectType, GraphQLInterfaceType)):
            continue
        django_definition = get_django_definition(definition.origin)
        if django_definition is None:
            continue
        for field in definition.fields:
            attname = _plain_column(field, django_definition.model)
            if attname is None:
                continue
            graphql_field = graphql_type.fields[schema.config.name_converter.from_field(field)]
            graphql_field.resolve = _attribute_reader(attname)
            count += 1
    return count
