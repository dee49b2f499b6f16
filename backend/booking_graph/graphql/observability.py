"""GraphQL operations as Prometheus numbers: count and latency by operation name and type, top-level
errors by code. The metrics themselves live in booking_graph.metrics."""
from __future__ import annotations

import time
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from booking_graph import metrics


class OperationMetrics(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        operation = metrics.operation_label(context.operation_name)
        try:
            kind = context.operation_type.value
        except Exception:  # unparsable or unknown operation: no type to report
            kind = "unknown"
        metrics.GRAPHQL_OPERATIONS.labels(operation, kind).inc()
        metrics.GRAPHQL_SECONDS.labels(operation, kind).observe(time.perf_counter() - started)
        for error in getattr(context.result, "errors", None) or []:
            code = (error.extensions or {}).get("code") or ("internal" if error.original_error else "invalid_query")
            metrics.GRAPHQL_ERRORS.labels(operation, str(code)).inc()
