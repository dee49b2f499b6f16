"""Production safety of the settings: checked in fresh interpreters, as a deployment would load them."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_with_settings(code: str, *, unset: tuple[str, ...], **env: str) -> subprocess.CompletedProcess:
    """`code` after `import booking_graph.settings as s`, in a fresh interpreter whose environment is
    ours without the variables starting with one of `unset`, plus `env`."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(unset)}
    environment.update(env, PYTHONPATH=str(ROOT / "backend"))
    return subprocess.run([sys.executable, "-c", f"import booking_graph.settings as s; {code}"], env=environment,
                          capture_output=True, text=True, cwd="/")


def load_settings(**env: str) -> subprocess.CompletedProcess:
    return run_with_settings("print(s.DEBUG, s.ALLOWED_HOSTS, s.SESSION_COOKIE_SECURE)",
                             unset=("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"), **env)


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
    result = run_with_settings(
        "db = s.DATABASES['default'];"
        "print(db['PORT'], db['PASSWORD'], ','.join(s.CORS_ALLOWED_ORIGINS), ','.join(s.CSRF_TRUSTED_ORIGINS))",
        unset=("DB_",), DB_PORT="", DB_PASSWORD="$ecret\\$", CORS_ALLOWED_ORIGINS=" http://a.test, ,http://b.test ",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["5432", "$ecret\\$", "http://a.test,http://b.test", "http://a.test,http://b.test"]


def test_a_malformed_rate_limit_refuses_to_start():
    result = load_settings(RATE_LIMIT_LOGIN_USERNAME="ten per minute")

    assert result.returncode != 0
    assert "RATE_LIMIT_LOGIN_USERNAME='ten per minute'" in result.stderr


def test_rate_limits_come_from_the_environment():
    result = run_with_settings("print(s.RATE_LIMITS['create_booking'], s.RATE_LIMITS['public_read'])",
                               unset=("DEBUG",), RATE_LIMIT_CREATE_BOOKING="5/10m", RATE_LIMIT_PUBLIC_READ="off")

    assert result.stdout.split() == ["5/10m", "off"], result.stderr


def test_numbers_and_flags_read_as_python_reads_them():
    result = run_with_settings("print(s.DEBUG, s.VOICE_MAX_DURATION_SECONDS, s.SESSION_COOKIE_SECURE)",
                               unset=("DEBUG", "SECRET_KEY"), DEBUG="2", SECRET_KEY="x" * 50,
                               VOICE_MAX_DURATION_SECONDS="1e3", SESSION_COOKIE_SECURE=" On ")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "1000.0", "True"]  # only 1/true/yes/on switch a flag on


def documented_production_environment() -> dict[str, str]:
    """The env block of docs/security.md, as a deployment would copy it."""
    text = (ROOT / "docs" / "security.md").read_text()
    block = text.split("```env\n", 1)[1].split("```", 1)[0]
    pairs = dict(line.split("=", 1) for line in block.splitlines() if line and not line.startswith("#"))
    pairs["SECRET_KEY"] = secrets.token_urlsafe(50)  # the placeholder stands for a real random key
    return pairs


def test_check_deploy_is_clean_in_the_documented_production_environment():
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DEBUG", "SECRET_KEY"))}
    environment.update(documented_production_environment(), DJANGO_SETTINGS_MODULE="booking_graph.settings")

    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            env=environment, capture_output=True, text=True, cwd=ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_https_settings_follow_debug_and_the_environment():
    def https(**env: str) -> list[str]:
        result = run_with_settings(
            "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
            "s.SECURE_PROXY_SSL_HEADER)",
            unset=("SECURE_", "DEBUG"), **env, SECRET_KEY="k" * 60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.split(maxsplit=3)

    assert https(DEBUG="1") == ["False", "0", "False", "None\n"]
    assert https(DEBUG="0") == ["True", "31536000", "True", "('HTTP_X_FORWARDED_PROTO', 'https')\n"]
    assert https(DEBUG="0", SECURE_HSTS_SECONDS="3600", SECURE_SSL_REDIRECT="0", SECURE_PROXY_SSL_HEADER="none") == [
        "False", "3600", "True", "None\n"]
