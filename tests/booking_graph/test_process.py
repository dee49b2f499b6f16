"""A server process freezes what it holds once started (booking_graph/process.py): the objects of
startup leave the collector's generations, and everything made later is still collected."""
from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from booking_graph.process import freeze_startup_objects

BACKEND = Path(__file__).resolve().parents[2] / "backend"


@pytest.fixture
def unfrozen_afterwards():
    yield
    gc.unfreeze()


def test_startup_objects_are_frozen_and_later_garbage_is_still_collected(unfrozen_afterwards):
    frozen = freeze_startup_objects()

    # Frozen objects still go when nothing refers to them (reference counting): the count may fall.
    assert frozen > 10_000 and gc.get_freeze_count() > 10_000
    assert "booking_graph.schema" in sys.modules  # the URLconf, and with it the schema, is loaded
    assert gc.isenabled()  # frozen, not switched off: cycles made by requests are still collected

    class Node:
        pass

    cycle = Node()
    cycle.self = cycle
    marker = id(cycle)
    del cycle
    gc.collect()
    assert not any(id(obj) == marker for obj in gc.get_objects() if type(obj).__name__ == "Node")


@pytest.mark.parametrize("entry", ["booking_graph.wsgi", "booking_graph.asgi"])
def test_each_server_entry_point_freezes_its_startup_objects(entry):
    """A real interpreter imports the entry point as gunicorn or uvicorn would."""
    code = f"import gc, importlib; importlib.import_module({entry!r}); print(gc.get_freeze_count())"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BACKEND, env={**os.environ, "PYTHONPATH": str(BACKEND)},
        capture_output=True, text=True, timeout=120, check=False,
    )

    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[-1]) > 10_000
