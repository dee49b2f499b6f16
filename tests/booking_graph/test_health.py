"""/healthz and /readyz: answered before host and HTTPS rules, each readiness check named, 503 on failure."""
from __future__ import annotations

import socket

import pytest
from botocore.config import Config
from django.db import connections
from django.db.utils import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def strict_production_http(settings):
    """What a deployment has: a strict host list and HTTPS redirect; probes use the pod IP over HTTP."""
    settings.ALLOWED_HOSTS = ["api.example.com"]
    settings.SECURE_SSL_REDIRECT = True


def test_healthz_answers_without_touching_anything(client, strict_production_http):
    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8006")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_names_every_check(client, strict_production_http):
    from booking_graph import worker_liveness

    with worker_liveness.client(2) as redis_client:  # workers of earlier tests may still be listed
        redis_client.delete(worker_liveness.KEY)
    response = client.get("/readyz", HTTP_HOST="10.1.2.3:8006")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis", "storage", "voice_workers"}
    assert all(body["checks"][name]["ok"] for name in ("database", "redis", "storage"))
    # No transcription worker runs here: reported, but the web process is still ready.
    assert body["checks"]["voice_workers"]["ok"] is False
    assert body["checks"]["voice_workers"]["informational"] is True
    assert "no transcription worker seen" in body["checks"]["voice_workers"]["error"]


def test_other_paths_still_meet_the_host_rule(client, strict_production_http):
    assert client.get("/graphql/", HTTP_HOST="10.1.2.3:8006").status_code == 400


def test_readyz_is_503_when_redis_is_down(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"

    response = client.get("/readyz/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["redis"]["ok"] is False and "ConnectionError" in body["checks"]["redis"]["error"]
    assert body["checks"]["database"]["ok"] is True and body["checks"]["storage"]["ok"] is True


def test_readyz_is_503_when_the_database_is_unreachable(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    # The checks run in threads of their own (each with its own connection): the check is replaced.
    from booking_graph import health

    monkeypatch.setitem(health.CHECKS, "database", refuse)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {
        "ok": False, "error": "OperationalError: connection to server at 127.0.0.1, port 5432 failed: Connection "
                             "refused", "ms": response.json()["checks"]["database"]["ms"]}


def test_readyz_is_503_when_the_media_folder_cannot_be_written(client, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker / "media"

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["ok"] is False


def test_readyz_is_503_when_s3_is_unreachable(client, settings):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": "voice-notes", "endpoint_url": f"http://127.0.0.1:{closed_port()}",
                    "access_key": "k", "secret_key": "s", "region_name": "us-east-1",
                    "client_config": Config(retries={"max_attempts": 1})},  # fail fast: test speed only
    }}

    response = client.get("/readyz")

    assert response.status_code == 503
    assert "EndpointConnectionError" in response.json()["checks"]["storage"]["error"]


def test_only_get_and_head(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 404
