"""The import contracts in .importlinter hold, and they bite when a boundary is crossed."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(backend: Path) -> subprocess.CompletedProcess:
    # Run from the backend folder so the four root packages import by name; no cache, always fresh.
    return subprocess.run(
        [str(LINT_IMPORTS), str(ROOT / ".importlinter"), "--no-cache"],
        cwd=backend, capture_output=True, text=True, timeout=120,
    )


def test_every_import_contract_is_kept():
    result = lint_imports(ROOT / "backend")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("catalog/services.py", "import strawberry", "Only the API layer imports GraphQL libraries"),
        ("bookings/selectors.py", "from booking_graph.graphql import pagination", "The domain never imports the API layer"),
        ("catalog/models.py", "from bookings import models as booking_models", "Apps build one way"),
        ("voice/services/transcription.py", "from voice import tasks", "No import cycles"),
        ("bookings/models.py", "from bookings import services", "Inside an app"),
    ],
    ids=["strawberry-in-domain", "domain-imports-api", "catalog-imports-bookings", "services-tasks-cycle", "models-import-services"],
)
def test_a_crossed_boundary_breaks_its_contract(tmp_path, module, line, contract):
    backend = tmp_path / "backend"
    shutil.copytree(ROOT / "backend", backend, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    target = backend / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")

    result = lint_imports(backend)

    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout


@pytest.mark.parametrize(
    ("new_module", "line"),
    [
        ("voice/partner_feed.py", "from booking_graph.graphql import pagination"),
        ("catalog/batches_v2.py", "from voice import views"),
        ("bookings/reports/weekly.py", "from booking_graph import schema"),
    ],
    ids=["new-voice-module-imports-graphql-plumbing", "new-catalog-module-imports-a-view", "new-subpackage-imports-schema"],
)
def test_a_domain_module_named_nowhere_is_below_the_api(tmp_path, new_module, line):
    """The contract names who may import the API, not the domain modules: a module added later,
    listed in no contract, is covered the day it is written."""
    backend = tmp_path / "backend"
    shutil.copytree(ROOT / "backend", backend, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    target = backend / new_module
    target.parent.mkdir(parents=True, exist_ok=True)
    (target.parent / "__init__.py").touch()
    target.write_text(f'"""A domain module no contract names."""\n{line}  # noqa\n')

    result = lint_imports(backend)

    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert "The domain never imports the API layer" in broken, result.stdout
    assert new_module.removesuffix(".py").replace("/", ".") in broken, result.stdout
