"""`make test` with GRAPHQL_FAST_PATHS=0, in small: the statement-count and error-code tests in a
subprocess with the switch off (the whole suite: `make test-stock`). tests/booking_graph/test_equivalence.py
compares the two schemas in one process; this checks the settings switch itself."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
SUBSET = ["tests/catalog/test_accommodation_query_count.py", "tests/booking_graph/test_fast_paths_switch.py",
          "tests/booking_graph/test_upstream_fence.py", "tests/booking_graph/test_nul_characters.py",
          "tests/booking_graph/test_fast_execution.py"]


@pytest.mark.slow
@pytest.mark.skipif(not settings.GRAPHQL_FAST_PATHS, reason="already running with the switch off")
def test_a_representative_subset_passes_with_the_fast_paths_off():
    environment = os.environ | {
        "GRAPHQL_FAST_PATHS": "0",
        # a test database of its own: this process holds test_<DB_NAME>
        "DB_NAME": f"{settings.DATABASES['default']['NAME'].removeprefix('test_')}_stock",
    }
    environment.pop("GRAPHQL_CORPUS_RECORD", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--create-db", *SUBSET],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=280,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " skipped" in done.stdout  # the fast-path unit tests stood down
