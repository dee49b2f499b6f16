"""Plain leaf fields completed without graphql-core's per-field machinery.

graphql-core executes every field the same way: a Path, a resolve-info object, an argument
check, the resolver, two awaitable checks, then `complete_value` unwrapping NonNull down to the
scalar's serializer. For a column read with `getattr` (plain_columns.py) and returned as a
scalar or enum, only the read and the serializer do any work, and such fields are most of a
page: 200 of the 221 fields of a catalog page of 20, all 90,000 of a 30-day availability on a
list of 1,000. Here such a field is read and serialized directly, and a list whose items' selected
fields are all such leaves is built in one loop.

A fast answer is only taken when it is certainly the one graphql-core would give: no field
middleware in the request, no @defer or @stream, a value the serializer turns into a non-null
value (or null in a nullable field). A null in a non-null field, an exception or a refused value
goes through graphql-core's own path (`execute_field` for a field, `complete_iterable_value` for
the whole list), which reads the values again and gives exactly its usual answer or error, with
its path.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from graphql import GraphQLInterfaceType, GraphQLObjectType, Undefined, get_named_type, is_leaf_type, is_non_null_type
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.cast import get_strawberry_type_cast

PLAIN_ATTRIBUTE = "plain_attribute"
TYPENAME = "__typename"


class _Leaf(NamedTuple):
    attname: str
    coerce: Callable[[Any], Any]
    nullable: bool


def plain_attribute_of(resolve: Any) -> str | None:
    """The attribute a resolver made by plain_columns reads, else None."""
    return getattr(resolve, PLAIN_ATTRIBUTE, None)


def _leaves_of(parent_type: GraphQLObjectType) -> dict[str, _Leaf]:
    """The fields of the type that are a plain attribute read returning a scalar or an enum."""
    leaves = {}
    for name, field in parent_type.fields.items():
        attname = plain_attribute_of(field.resolve)
        named = get_named_type(field.type)
        if attname is None or field.args or not is_leaf_type(named):
            continue
        if not (field.type is named or (is_non_null_type(field.type) and field.type.of_type is named)):
            continue  # a list of scalars: completed item by item by graphql-core
        leaves[name] = _Leaf(attname, named.coerce_output_value, nullable=field.type is named)
    return leaves


# Built once per object type, on first use (the schema's types live as long as the process).
_LEAVES: dict[GraphQLObjectType, dict[str, _Leaf]] = {}


def leaves_of(parent_type: GraphQLObjectType) -> dict[str, _Leaf]:
    leaves = _LEAVES.get(parent_type)
    if leaves is None:
        leaves = _LEAVES.setdefault(parent_type, _leaves_of(parent_type))
    return leaves


class _NotFast(Exception):
    """The fast path cannot answer for certain; graphql-core's path will."""


def _fast_value(leaf: _Leaf, source: Any) -> Any:
    value = getattr(source, leaf.attname)
    if value is None:
        if leaf.nullable:
            return None
        raise _NotFast  # graphql-core raises its non-null error, with the field's path
    coerced = leaf.coerce(value)
    if coerced is None or coerced is Undefined:
        raise _NotFast
    return coerced


def _has_field_middleware(context: Any) -> bool:
    # Strawberry always passes a manager; it wraps resolvers only when an extension has `resolve`.
    manager = context.middleware_manager
    return manager is not None and bool(manager.middlewares)


# One plan per object type and selection: (response name, leaf) pairs, the leaf None for __typename.
_Plan = tuple[tuple[str, "_Leaf | None"], ...]


def _plain_object(plan: _Plan, type_name: str, source: Any) -> dict[str, Any]:
    # _fast_value inlined: this loop runs for every field of every row of a list.
    row: dict[str, Any] = {}
    for response_name, leaf in plan:
        if leaf is None:
            row[response_name] = type_name
            continue
        value = getattr(source, leaf.attname)
        if value is None:
            if not leaf.nullable:
                raise _NotFast
            row[response_name] = None
            continue
        coerced = leaf.coerce(value)
        if coerced is None or coerced is Undefined:
            raise _NotFast
        row[response_name] = coerced
    return row


class PlainFieldsExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plain_plans: dict[tuple[GraphQLObjectType, int], tuple[Any, _Plan | None]] = {}

    def _plain_plan(self, object_type: GraphQLObjectType, field_details_list: Any) -> _Plan | None:
        """The plan when every field selected on the type is a plain leaf (or __typename) and nothing
        is deferred; else None. Memoized like graphql-core's collect_subfields, on the identity of
        the field list (kept alive with the plan so that its id cannot be reused)."""
        key = (object_type, id(field_details_list))
        cached = self._plain_plans.get(key)
        if cached is not None:
            return cached[1]
        grouped_field_set, new_defer_usages, _forbidden = self.collect_subfields(object_type, field_details_list)
        leaves = leaves_of(object_type)
        plan: list[tuple[str, _Leaf | None]] = []
        for response_name, fields in grouped_field_set.items():
            name = fields[0].node.name.value
            if name == TYPENAME:
                plan.append((response_name, None))
            elif name in leaves:
                plan.append((response_name, leaves[name]))
            else:
                plan = None
                break
        answer = tuple(plan) if plan is not None and not new_defer_usages else None
        self._plain_plans[key] = (field_details_list, answer)
        return answer

    def _known_object_type(
        self, interface: GraphQLInterfaceType, by_class: dict[type, str], item: Any, info: Any
    ) -> GraphQLObjectType | None:
        """The object type an interface row completes as, known without asking is_type_of: typed by
        its class (resolve_model_interfaces_by_class); None for a row cast with strawberry.cast."""
        if get_strawberry_type_cast(item) is not None:
            return None
        name = by_class.get(type(item))
        if name is None:
            name = interface.resolve_type(item, info, interface)  # asked once per class, then remembered
        runtime = self.schema.get_type(name) if isinstance(name, str) else None
        if isinstance(runtime, GraphQLObjectType) and self.schema.is_sub_type(interface, runtime):
            return runtime
        return None

    def complete_iterable_value(
        self,
        item_type: Any,
        field_details_list: Any,
        info: Any,
        path: Path,
        items: Any,
        position_context: Any,
    ) -> Any:
        """A list whose items' selected fields are all plain leaves is built in one loop; any other
        list, or one with an item the loop cannot answer for certain, goes through graphql-core."""
        if _has_field_middleware(self) or self.get_stream_usage(field_details_list, path) is not None:
            return super().complete_iterable_value(item_type, field_details_list, info, path, items, position_context)
        rows = items if isinstance(items, list) else list(items)  # a queryset is read here, once
        built = self._plain_list(item_type, field_details_list, info, rows) if rows else None
        if built is not None:
            return built
        return super().complete_iterable_value(item_type, field_details_list, info, path, rows, position_context)

    def _plain_list(self, item_type: Any, field_details_list: Any, info: Any, rows: list[Any]) -> list[Any] | None:
        named = item_type.of_type if is_non_null_type(item_type) else item_type
        try:
            if isinstance(named, GraphQLObjectType):  # one type for every row: planned once
                plan = self._plain_plan(named, field_details_list) if named.is_type_of is None else None
                if plan is None or any(item is None or isinstance(item, Exception) for item in rows):
                    return None
                return [_plain_object(plan, named.name, item) for item in rows]
            by_class = getattr(named.resolve_type, BY_CLASS, None) if isinstance(named, GraphQLInterfaceType) else None
            if by_class is None:  # a union, or an interface whose rows are typed one by one
                return None
            completed: list[dict[str, Any]] = []
            for item in rows:
                if item is None or isinstance(item, Exception):
                    return None
                object_type = self._known_object_type(named, by_class, item, info)
                plan = self._plain_plan(object_type, field_details_list) if object_type is not None else None
                if plan is None:
                    return None
                completed.append(_plain_object(plan, object_type.name, item))
            return completed
        except Exception:  # noqa: BLE001 - graphql-core's path gives the answer or the error
            return None

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core 3.3's execute_fields, with plain leaf fields answered directly."""
        if _has_field_middleware(self):
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        leaves = leaves_of(parent_type)
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list in grouped_field_set.items():
                field_name = field_details_list[0].node.name.value
                if field_name == TYPENAME:
                    results[response_name] = parent_type.name
                    continue
                leaf = leaves.get(field_name)
                if leaf is not None:
                    try:
                        results[response_name] = _fast_value(leaf, source_value)
                        continue
                    except Exception:  # noqa: BLE001, S112 - graphql-core's path below gives the answer or the error
                        pass
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise

        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()


# --- Interface rows typed by their model class ---------------------------------------------------
# For each row of an interface list (`accommodations`) Strawberry's type resolver looks for a cast,
# then asks every type of the schema whether it implements the interface, then graphql-core calls
# is_type_of on each possible type: about a tenth of a catalog page of 20. For strawberry-django's
# own is_type_of the answer is an isinstance test on the model, so it depends on the row's class
# alone: it is asked once per class and remembered. A row cast with `strawberry.cast`, or a type
# with an is_type_of of its own, keeps the original resolver every time.


def _is_model_isinstance_test(graphql_type: GraphQLObjectType) -> bool:
    is_type_of = graphql_type.is_type_of
    return getattr(is_type_of, "__module__", None) == "strawberry_django.type"


BY_CLASS = "resolved_by_class"


def _remembered_by_class(original: Callable[..., Any]) -> Callable[..., Any]:
    by_class: dict[type, str] = {}

    def resolve_type(value: Any, info: Any, abstract_type: Any) -> Any:
        if get_strawberry_type_cast(value) is None:
            name = by_class.get(type(value))
            if name is not None:
                return name
            name = original(value, info, abstract_type)
            if isinstance(name, str):
                by_class[type(value)] = name
            return name
        return original(value, info, abstract_type)

    # Read by PlainFieldsExecutionContext to type a list item without calling the resolver.
    setattr(resolve_type, BY_CLASS, by_class)
    return resolve_type


def resolve_model_interfaces_by_class(schema: Any) -> int:
    """Wrap the type resolver of every interface whose implementations are all strawberry-django
    model types with the default is_type_of; returns how many."""
    count = 0
    graphql_schema = schema._schema
    for graphql_type in graphql_schema.type_map.values():
        if not isinstance(graphql_type, GraphQLInterfaceType) or graphql_type.resolve_type is None:
            continue
        implementations = graphql_schema.get_possible_types(graphql_type)
        if not implementations or not all(_is_model_isinstance_test(t) for t in implementations):
            continue
        graphql_type.resolve_type = _remembered_by_class(graphql_type.resolve_type)
        count += 1
    return count
