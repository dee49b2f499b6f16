"""What a server process does once it has started (booking_graph/asgi.py, wsgi.py)."""
from __future__ import annotations

import gc
import logging

logger = logging.getLogger(__name__)


def freeze_startup_objects() -> int:
    """Load the URLconf now (every view, the GraphQL schema and what they import) and move every
    object alive at that point out of the garbage collector's reach; returns how many.

    Those objects live as long as the process, yet each full collection walked all of them (some
    150,000 after startup): a GraphQL request that builds many objects (a 30-day calendar of
    1,000 places) triggers several full collections, which took about 40 % of its time in
    bench/graphql_overhead.py. `gc.freeze()` is the standard library's answer for long-lived
    startup state; objects made later are collected as before."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view and the schema now, not on the first request
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    logger.info("process.startup_objects_frozen", extra={"objects": frozen})
    return frozen
