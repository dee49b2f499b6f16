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


def test_an_empty_value_means_the_default_and_values_are_literal():
    """"VAR=" copied from env.example keeps the default; a "$" in a password is not a reference."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DB_")}
    environment.update(DB_PORT="", DB_PASSWORD="$ecret\\$", CORS_ALLOWED_ORIGINS=" http://a.test, ,http://b.test ",
                       PYTHONPATH=str(ROOT / "backend"))
    code = ("import booking_graph.settings as s; db = s.DATABASES['default'];"
            "print(db['PORT'], db['PASSWORD'], ','.join(s.CORS_ALLOWED_ORIGINS), ','.join(s.CSRF_TRUSTED_ORIGINS))")
    result = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, cwd="/")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["5432", "$ecret\\$", "http://a.test,http://b.test", "http://a.test,http://b.test"]


def test_a_malformed_rate_limit_refuses_to_start():
    result = load_settings(RATE_LIMIT_LOGIN_USERNAME="ten per minute")

    assert result.returncode != 0
    assert "RATE_LIMIT_LOGIN_USERNAME='ten per minute'" in result.stderr


def test_rate_limits_come_from_the_environment():
    environment = {k: v for k, v in os.environ.items() if k not in ("DEBUG",)}
    environment.update(RATE_LIMIT_CREATE_BOOKING="5/10m", RATE_LIMIT_PUBLIC_READ="off", PYTHONPATH=str(ROOT / "backend"))
    code = "import booking_graph.settings as s; print(s.RATE_LIMITS['create_booking'], s.RATE_LIMITS['public_read'])"
    result = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, cwd="/")

    assert result.stdout.split() == ["5/10m", "off"], result.stderr


def test_numbers_and_flags_read_as_python_reads_them():
    environment = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    environment.update(DEBUG="2", SECRET_KEY="x" * 50, VOICE_MAX_DURATION_SECONDS="1e3", SESSION_COOKIE_SECURE=" On ",
                       PYTHONPATH=str(ROOT / "backend"))
    code = "import booking_graph.settings as s; print(s.DEBUG, s.VOICE_MAX_DURATION_SECONDS, s.SESSION_COOKIE_SECURE)"
    result = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, cwd="/")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "1000.0", "True"]  # only 1/true/yes/on switch a flag on
