"""Data-migration tests move the test database back to an old migration; these bring it forward
again (importable as `migration_helpers`; the fixture back_to_latest_afterwards is in conftest.py)."""
from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to_latest() -> None:
    """Every app to its latest migration (the graph's leaf nodes), with a freshly loaded graph, as
    `migrate` would."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
