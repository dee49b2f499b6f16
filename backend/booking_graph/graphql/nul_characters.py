"""Refusal of NUL characters (U+0000) in any String or ID argument, before a resolver runs.

PostgreSQL text cannot hold U+0000: psycopg raises at the first query that carries one (a filter,
a login, an insert), which reached the client as a masked internal error. Strawberry's built-in
String cannot be replaced (graphql-core reserves the name), so a NUL in any String or ID, at any
depth of any argument, is refused here before a resolver runs, in the shape the project answers
every refusal in: a mutation that answers ``X | OperationInfo`` gets an OperationInfo message
(field and code, like the rate limit and the rules), anything else a GraphQL error. Both carry
the code invalid_value.
- queries and subscriptions: literals by a validation rule (cached with the document), variables
  when the executor is built, so the request answers only the refusal;
- mutations: ``RefuseNulArguments`` on every root mutation field, over the coerced arguments.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, OperationType, StringValueNode, ValidationRule
from strawberry.extensions import FieldExtension
from strawberry.types.graphql import OperationType as StrawberryOperationType
from strawberry.utils.operation import get_operation_type
from strawberry.utils.str_converters import to_camel_case
from strawberry_django.fields.types import OperationInfo, OperationMessage

from booking_graph.graphql.errors import DomainErrorExecutionContext, RequestErrorCode

NUL = "\x00"


def nul_message(where: str) -> str:
    return f"{where} contains a NUL character (U+0000), which text cannot hold: remove it."


def nul_error(where: str, nodes=None) -> GraphQLError:
    return GraphQLError(nul_message(where), nodes, extensions={"code": RequestErrorCode.INVALID_VALUE.value})


class NoNulInStringLiterals(ValidationRule):
    """``"a\\u0000b"`` written in a query or subscription (mutations: ``RefuseNulArguments``)."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args: object) -> object:
        return self.SKIP if node.operation == OperationType.MUTATION else None

    def enter_string_value(self, node: StringValueNode, *_args: object) -> None:
        if NUL in node.value:
            self.report_error(nul_error("A string value", node))


def _nul_paths(value: object, path: str) -> Iterator[str]:
    """Paths to the text carrying a NUL in JSON variables or coerced arguments (Strawberry inputs)."""
    if isinstance(value, str):
        if NUL in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _nul_paths(item, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _nul_paths(item, f"{path}[{index}]")
    elif (definition := getattr(value, "__strawberry_definition__", None)) is not None and definition.is_input:
        for field in definition.fields:
            item = getattr(value, field.python_name, None)
            yield from _nul_paths(item, f"{path}.{field.graphql_name or to_camel_case(field.python_name)}")


def nul_variable_errors(document: DocumentNode, operation_name: str | None,
                        variables: dict[str, object] | None) -> list[GraphQLError]:
    """Each variable (at any depth of an input object or list) whose text carries a NUL."""
    if not variables or _is_mutation(document, operation_name):
        return []
    return [nul_error(f"Variable '{path}'") for name, value in variables.items() for path in _nul_paths(value, f"${name}")]


def _is_mutation(document: DocumentNode, operation_name: str | None) -> bool:
    try:
        return get_operation_type(document, operation_name) == StrawberryOperationType.MUTATION
    except RuntimeError:  # no such operation: graphql-core's build answers that
        return False


class CheckedInputExecutionContext(DomainErrorExecutionContext):
    """Refuses query variables carrying a NUL before they are coerced: the request answers only errors."""

    @classmethod
    def build(cls, schema, document, root_value=None, context_value=None, raw_variable_values=None,
              operation_name=None, *args, **kwargs):
        return nul_variable_errors(document, operation_name, raw_variable_values) or super().build(
            schema, document, root_value, context_value, raw_variable_values, operation_name, *args, **kwargs
        )


class RefuseNulArguments(FieldExtension):
    """On every root mutation field (``guard_mutations``): a NUL in an argument is the mutation's refusal."""

    def apply(self, field: Any) -> None:
        self.answers_operation_info = bool(getattr(field, "handle_errors", False))

    def _refusal(self, kwargs: dict[str, Any]) -> Any:
        paths = [path for name, value in kwargs.items() for path in _nul_paths(value, to_camel_case(name))]
        if not paths:
            return None
        if self.answers_operation_info:
            # Named like the rules' errors: "guestName" of `data`, "transcript" of a plain argument.
            names = [path.split(".", 1)[-1] for path in paths]
            return OperationInfo(messages=[OperationMessage(
                kind=OperationMessage.Kind.VALIDATION, message=nul_message(f"'{name}'"), field=name,
                code=RequestErrorCode.INVALID_VALUE.value,
            ) for name in names])
        raise nul_error(f"The argument '{paths[0]}'")

    def resolve(self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any) -> Any:
        refusal = self._refusal(kwargs)
        return refusal if refusal is not None else next_(source, info, **kwargs)

    async def resolve_async(self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any) -> Any:
        refusal = self._refusal(kwargs)
        return refusal if refusal is not None else await next_(source, info, **kwargs)


def guard_mutations(mutation: type) -> type:
    for field in mutation.__strawberry_definition__.fields:
        field.extensions.append(RefuseNulArguments())
    return mutation
