"""GRAPHQL_FAST_PATHS: on, the schema has every fast path; off (0), it is stock Strawberry +
strawberry-django with the features kept (error codes, NUL refusal, scalars, security, batching,
each table of an interface list read once). And the batching loader lives in the GraphQL layer:
querysets outside an operation are plain."""
from __future__ import annotations

import pytest
from graphql import GraphQLInterfaceType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from booking_graph.graphql import execution, loaders
from booking_graph.graphql.optimizer import FastOptimizer, InheritanceAwareOptimizer
from booking_graph.graphql.nul_characters import CheckedInputExecutionContext
from booking_graph.schema import BookingGraphExecutionContext, build_schema
from catalog.models import Accommodation


@pytest.fixture(scope="module")
def stock():
    return build_schema(fast_paths=False)


@pytest.fixture(scope="module")
def fast():
    return build_schema(fast_paths=True)


def _resolvers(built):
    return [field.resolve for graphql_type in built._schema.type_map.values()
            for field in (getattr(graphql_type, "fields", None) or {}).values() if hasattr(field, "resolve")]


def test_off_builds_the_stock_schema(stock):
    assert stock.execution_context_class is CheckedInputExecutionContext
    assert not issubclass(stock.execution_context_class, execution.PlainFieldsExecutionContext)
    assert InheritanceAwareOptimizer in stock.extensions and FastOptimizer not in stock.extensions
    assert type(stock.config.name_converter).__module__.startswith("strawberry.")
    assert not any(execution.plain_attribute_of(resolve) for resolve in _resolvers(stock))
    assert not any(getattr(resolve, "__qualname__", "").startswith(("_staff_list_reader", "read_audio_url_directly"))
                   for resolve in _resolvers(stock))
    interfaces = [t for t in stock._schema.type_map.values() if isinstance(t, GraphQLInterfaceType)]
    assert not any(hasattr(t.resolve_type, execution.BY_CLASS) for t in interfaces)


def test_on_builds_every_fast_path(fast):
    assert fast.execution_context_class is BookingGraphExecutionContext
    assert FastOptimizer in fast.extensions
    assert sum(1 for resolve in _resolvers(fast) if execution.plain_attribute_of(resolve)) > 50
    assert any(getattr(resolve, "__qualname__", "").startswith("_staff_list_reader") for resolve in _resolvers(fast))
    assert hasattr(fast._schema.type_map["Accommodation"].resolve_type, execution.BY_CLASS)


def test_both_keep_the_features(stock, fast):
    for built in (stock, fast):
        assert issubclass(built.execution_context_class, CheckedInputExecutionContext)
        assert issubclass(built.execution_context_class, StrawberryGraphQLCoreExecutionContext)
        assert loaders.RequestLoaders in built.extensions
        assert built.as_str() == fast.as_str()


@pytest.mark.django_db
def test_querysets_outside_an_operation_are_plain(make_hotel):
    make_hotel()
    assert loaders._current.get() is None
    rows = list(Accommodation.objects.select_subclasses())
    assert rows and not any(hasattr(row, "_fetched_together") for row in rows)


@pytest.mark.django_db
def test_the_loader_answers_every_row_the_operation_loaded_at_once(make_hotel, make_apartment):
    make_hotel(), make_apartment()
    loader = loaders.RowLoader()
    token = loaders._current.set(loader)
    try:
        rows = list(Accommodation.objects.select_subclasses())
    finally:
        loaders._current.reset(token)
    calls = []

    def compute(places):
        calls.append(sorted({place.pk for place in places}))
        return {place.pk: f"answer {place.pk}" for place in places}

    answers = [loader.load("accommodation", row, "k", compute) for row in rows]

    assert answers == [f"answer {row.pk}" for row in rows]
    assert calls == [sorted(row.pk for row in rows)]  # one computation for the whole page
    late = Accommodation.objects.get(pk=rows[0].pk)  # loaded outside the operation, asked later
    assert loader.load("accommodation", late, "k", compute) == f"answer {late.pk}" and len(calls) == 2
