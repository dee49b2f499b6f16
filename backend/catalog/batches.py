"""Rows fetched by one query answer a per-row question together.

A GraphQL list asks each of its rows for, say, its next available date; answered row by
row that is a statement per row. Every accommodation a query returns knows the batch it
came in (AccommodationQuerySet tags them), so the first row asked computes the answer for
the whole batch in one statement and the other rows read it: a DataLoader's batching, for
the synchronous GraphQL view. A row that came alone is a batch of one.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, TypeVar

T = TypeVar("T")

_ATTRIBUTE = "_fetched_together"


class Batch:
    __slots__ = ("rows", "_answers")

    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows
        self._answers: dict[Hashable, Mapping[Any, Any]] = {}

    def answer(self, key: Hashable, compute: Callable[[list[Any]], Mapping[Any, T]]) -> Mapping[Any, T]:
        """compute(rows) -> {pk: answer}, run once per key for the whole batch."""
        if key not in self._answers:
            self._answers[key] = compute(self.rows)
        return self._answers[key]


def tag_fetched_together(rows: Iterable[Any]) -> Batch:
    batch = Batch(list(rows))
    for row in batch.rows:
        setattr(row, _ATTRIBUTE, batch)
    return batch


def batch_of(row: Any) -> Batch:
    batch = getattr(row, _ATTRIBUTE, None)
    return batch if batch is not None else tag_fetched_together([row])
