"""Production safety of the settings: checked in fresh interpreters, as a deployment would load them."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG")}
    environment.update(env, PYTHONPATH=str(ROOT / "backend"))
    code = "import booking_graph.settings as s; print(s.DEBUG, s.ALLOWED_HOSTS, s.SESSION_COOKIE_SECURE)"
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, cwd="/")


def test_debug_off_without_secret_key_refuses_to_start():
    result = load_settings(DEBUG="0", SECRET_KEY="")  # empty also wins over a developer's .env

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_off_with_a_key_has_no_default_hosts_and_secure_cookies():
    result = load_settings(DEBUG="0", SECRET_KEY="x" * 50)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "[]", "True"]


def test_allowed_hosts_come_from_the_environment():
    result = load_settings(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="api.example.com, www.example.com")

    assert "['api.example.com', 'www.example.com']" in result.stdout
