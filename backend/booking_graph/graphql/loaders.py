"""Per-request batching of per-row questions: a synchronous DataLoader on the GraphQL context.

A GraphQL list asks each of its rows for, say, its next available date; answered row by row that
is a statement per row. graphql-core's synchronous execution completes one row before it meets the
next, so a loader cannot wait for the keys of a list to gather (what an async DataLoader does).
It knows them before the first row asks instead: every instance of a tracked model that the
request loads (a list, the rows a prefetch or select_related brought, a search page) is
remembered as a pending key, through Django's public `post_init` signal while an operation runs.
The first row asked computes the answer for every pending row in one call (one statement); the
others read it. A row loaded after that (a second root field, a mutation's payload) is pending
again and gets a fresh answer with the next ask.

Outside a GraphQL operation (admin, workers, commands) nothing is remembered: Django's querysets
are plain. `RequestLoaders` puts the loader on the context (`info.context.loaders`) for the length
of one execution. Like Saleor's DataLoaders, one loader per request; unlike them, synchronous.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

from django.db.models.signals import post_init
from strawberry.extensions import SchemaExtension

LOADERS_ATTRIBUTE = "loaders"
_current: ContextVar[RowLoader | None] = ContextVar("booking_graph_row_loader", default=None)
_MISSING = object()


class RowLoader:
    """The rows of tracked models one request loaded, by family, and the answers computed for them."""

    __slots__ = ("_rows", "_answers")

    def __init__(self) -> None:
        self._rows: dict[str, list[Any]] = {}
        self._answers: dict[tuple[str, Hashable], dict[int, Any]] = {}

    def remember(self, family: str, row: Any) -> None:
        self._rows.setdefault(family, []).append(row)

    def load(self, family: str, row: Any, key: Hashable, compute: Callable[[list[Any]], Mapping[Any, Any]]) -> Any:
        """compute(rows) -> {pk: answer}, run once for all pending rows of `family` under `key`."""
        answered = self._answers.setdefault((family, key), {})
        answer = answered.get(id(row), _MISSING)
        if answer is not _MISSING:
            return answer
        rows = self._rows.setdefault(family, [])
        if not any(known is row for known in rows):
            rows.append(row)  # kept alive with the loader: its id in `answered` cannot be reused
        pending = [known for known in rows if id(known) not in answered and known.pk is not None]
        by_pk = compute(pending)
        for known in pending:
            if (value := by_pk.get(known.pk, _MISSING)) is not _MISSING:
                answered[id(known)] = value
        return by_pk[row.pk]


def loader_of(info: Any) -> RowLoader:
    """The request's loader; a loader of its own (a batch of one) outside an operation."""
    loader = getattr(getattr(info, "context", None), LOADERS_ATTRIBUTE, None) or _current.get()
    return loader if loader is not None else RowLoader()


def batched(info: Any, family: str, row: Any, key: Hashable, compute: Callable[[list[Any]], Mapping[Any, Any]]) -> Any:
    return loader_of(info).load(family, row, key, compute)


def track_loaded_rows(family: str, *models: type) -> None:
    """Instances of `models` created while an operation runs are pending rows of `family`."""

    def remember(sender: type, instance: Any, **_kwargs: Any) -> None:
        loader = _current.get()
        if loader is not None:
            loader.remember(family, instance)

    for model in models:
        post_init.connect(remember, sender=model, weak=False, dispatch_uid=f"booking_graph.loaders.{family}.{model.__name__}")


class RequestLoaders(SchemaExtension):
    """One RowLoader per execution, on the context and in a context variable for `post_init`."""

    def on_execute(self) -> Iterator[None]:
        loader = RowLoader()
        context = self.execution_context.context
        try:
            setattr(context, LOADERS_ATTRIBUTE, loader)
        except (AttributeError, TypeError):  # a context that takes no attributes: the variable still serves
            pass
        token = _current.set(loader)
        try:
            yield
        finally:
            _current.reset(token)
