"""Models and migrations agree (a forgotten makemigrations fails here, not in production)."""
import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        pytest.fail(f"models changed without a migration:\n{out.getvalue()}" if exit_.code else out.getvalue())
    assert "No changes detected" in out.getvalue()
