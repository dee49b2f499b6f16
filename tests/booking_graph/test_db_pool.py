"""The PostgreSQL connection pool: under ASGI each request runs in a thread of its own, so without
the pool every request opened a connection of its own. Requests to the app under uvicorn take a
connection from the pool and give it back; the settings refuse combinations that cannot work."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from asgi_server import asgi_server  # noqa: F401 - fixture: the app under uvicorn

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
QUERY = json.dumps({"query": "{ accommodations { id name } }"}).encode()


def post_graphql(server) -> dict:
    request = urllib.request.Request(f"{server.url}/graphql/", data=QUERY, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def sessions_opened():
    """PostgreSQL's count of sessions ever opened on the test database (pg_stat_database), read on a
    connection of our own, once it has settled: a session is counted when its server process reports
    its statistics, at the latest when it exits."""
    params = {k: v for k, v in connection.get_connection_params().items() if k in ("dbname", "user", "password", "host", "port")}
    with psycopg.connect(**params, autocommit=True) as own:

        def read() -> int:
            readings: list[int] = []
            while len(readings) < 2 or readings[-1] != readings[-2]:
                time.sleep(0.3)
                own.execute("SELECT pg_stat_clear_snapshot()")
                readings.append(own.execute("SELECT sessions FROM pg_stat_database WHERE datname = %s",
                                            [params["dbname"]]).fetchone()[0])
            return readings[-1]

        yield read


def test_requests_under_asgi_reuse_pooled_connections(asgi_server, make_hotel, sessions_opened):
    make_hotel(name="Pooled")
    assert post_graphql(asgi_server)["data"]["accommodations"][0]["name"] == "Pooled"  # warm: the pool is open
    before = sessions_opened()

    answers = [post_graphql(asgi_server) for _ in range(15)]

    assert all(answer["data"]["accommodations"][0]["name"] == "Pooled" for answer in answers)
    assert sessions_opened() - before <= 1  # the pool may top itself up once; without it: 15


def test_the_pool_is_on_by_default_and_hands_out_healthy_connections(settings):
    database = settings.DATABASES["default"]

    assert database["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 20, "timeout": 3.0}  # a few seconds: an outage answers service_unavailable promptly
    assert database["CONN_MAX_AGE"] == 0
    assert database["CONN_HEALTH_CHECKS"] is True  # Django then checks each connection the pool lends
    assert connection.pool is not None and connection.pool.max_size == 20


def load_settings(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DB_")}
    environment.update(env, PYTHONPATH=str(ROOT / "backend"))
    code = "import booking_graph.settings as s; d = s.DATABASES['default']; print(d['OPTIONS'], d['CONN_MAX_AGE'])"
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, cwd="/",
                          check=False)


def test_the_pool_is_sized_from_the_environment():
    result = load_settings(DB_POOL_MAX_SIZE="5", DB_POOL_MIN_SIZE="1", DB_POOL_TIMEOUT="2.5")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'pool': {'min_size': 1, 'max_size': 5, 'timeout': 2.5}, 'connect_timeout': 3} 0"


def test_a_minimum_above_the_maximum_is_the_maximum():
    assert load_settings(DB_POOL_MAX_SIZE="3", DB_POOL_MIN_SIZE="8").stdout.startswith("{'pool': {'min_size': 3,")


def test_without_the_pool_connections_may_be_kept_per_thread():
    result = load_settings(DB_POOL_MAX_SIZE="0", DB_CONN_MAX_AGE="60")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'connect_timeout': 3} 60"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DB_CONN_MAX_AGE": "60"}, "DB_CONN_MAX_AGE keeps a connection per thread"),
        ({"DB_POOL_MAX_SIZE": "-1"}, "DB_POOL_MAX_SIZE must be 0 (no pool) or more"),
    ],
)
def test_settings_that_cannot_work_refuse_to_start(env, message):
    result = load_settings(**env)

    assert result.returncode != 0
    assert message in result.stderr
