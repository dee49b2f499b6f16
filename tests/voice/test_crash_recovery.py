"""Crash recovery with real processes: a worker SIGKILLed mid-transcription, Redis down during an
upload, storage down during an upload, the database failing after the audio was stored.

The worker and web processes are the real commands (`manage.py rundramatiq`, uvicorn) started on
the test database; Redis for the outage test is a private redis-server on a free port, so the
shared one is never touched.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from botocore.config import Config
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from slow_transcriber import TEXT
from voice_helpers import make_wav, multipart_upload

from voice import services
from voice.models import TranscriptionStatus, VoiceNote

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], object], *, timeout: float = 90, what: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def status_of(note_id: int) -> str:
    return VoiceNote.objects.values_list("status", flat=True).get(pk=note_id)


class Process:
    """A child process in its own session, so SIGKILL reaches it and everything it forked."""

    def __init__(self, args: list[str], *, env: dict[str, str], log: Path) -> None:
        self.log = log
        self._log_file = log.open("wb")
        self.popen = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT,
                                      start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                pass
        self.popen.wait(timeout=30)
        self._log_file.close()


@pytest.fixture
def processes(tmp_path) -> Iterator[Callable[..., Process]]:
    started: list[Process] = []
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "process_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "backend"), str(ROOT / "tests" / "voice"), str(ROOT / "tests")]),
        "DB_NAME": connection.settings_dict["NAME"],  # the test database
        "TEST_MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        "LOG_LEVEL": "INFO",
        "VOICE_SWEEP_INTERVAL_SECONDS": "0",
    }

    def start(args: list[str], **env: str) -> Process:
        process = Process(args, env={**base_env, **env}, log=tmp_path / f"process-{len(started)}.log")
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


def start_worker(start: Callable[..., Process], **env: str) -> Process:
    return start([sys.executable, "manage.py", "rundramatiq", "--processes", "1", "--threads", "1"], **env)


def add_note(booking) -> VoiceNote:
    upload = SimpleUploadedFile("memo.wav", make_wav(1.0), content_type="audio/wav")
    return services.add_voice_note(booking_id=booking.pk, upload=upload)  # enqueued on commit (autocommit here)


def test_a_worker_killed_mid_transcription_is_recovered_by_the_sweep(processes, broker, booking, tmp_path):
    note = add_note(booking)
    doomed = start_worker(processes, SLOW_TRANSCRIBER_SECONDS="120")
    wait_for(lambda: status_of(note.pk) == TranscriptionStatus.PROCESSING, what="the first worker to claim the note")

    doomed.kill(signal.SIGKILL)  # no cleanup, no ack: like the OOM killer or a lost node

    assert status_of(note.pk) == TranscriptionStatus.PROCESSING  # stuck, as before this fix
    # A healthy worker whose sweep treats PROCESSING older than 3 s (its time limit is 2 s) as lost.
    metrics_port = free_port()
    rescuer = start_worker(processes, VOICE_SWEEP_INTERVAL_SECONDS="0.5", VOICE_TRANSCRIPTION_TIME_LIMIT_SECONDS="2",
                           VOICE_STALE_PROCESSING_SECONDS="3", WORKER_METRICS_PORT=str(metrics_port),
                           dramatiq_prom_db=str(tmp_path / "worker-metrics"))
    wait_for(lambda: status_of(note.pk) == TranscriptionStatus.COMPLETED, what="recovery", timeout=120)

    note.refresh_from_db()
    assert (note.transcript, note.provider, note.attempts, note.error) == (TEXT, "slow", 2, "")
    assert "voice_note.stalled" in rescuer.output()
    # The worker's Prometheus exporter counted the transcription it ran.
    exported = wait_for(lambda: _scrape(f"http://127.0.0.1:{metrics_port}/metrics"), what="worker metrics")
    assert 'dramatiq_messages_total{actor_name="transcribe_voice_note",queue_name="voice"} 1.0' in exported
    assert "dramatiq_message_duration_milliseconds_bucket" in exported


def _scrape(url: str) -> str | None:
    try:
        response = httpx.get(url, timeout=2)
    except httpx.HTTPError:
        return None
    return response.text if "dramatiq_messages_total{" in response.text else None


@contextmanager
def private_redis(port: int) -> Iterator[None]:
    server = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: _redis_answers(port), timeout=20, what="redis-server")
        yield
    finally:
        server.terminate()
        server.wait(timeout=10)


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def test_an_upload_while_redis_is_down_is_delivered_once_redis_is_back(processes, booking, staff_user):
    from asgi_server import session_cookie

    redis_port, web_port = free_port(), free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    web = processes([sys.executable, "-m", "uvicorn", "booking_graph.asgi:application", "--app-dir", "backend",
                     "--host", "127.0.0.1", "--port", str(web_port), "--log-level", "warning"], REDIS_URL=redis_url)
    base = f"http://127.0.0.1:{web_port}"
    wait_for(lambda: _answers(f"{base}/healthz"), timeout=60, what="the web process")
    token = "t" * 32  # a CSRF secret: the cookie and the header must match
    cookies = {"sessionid": session_cookie(staff_user).split("=", 1)[1], "csrftoken": token}

    with httpx.Client(base_url=base, cookies=cookies, headers={"X-CSRFToken": token}, timeout=30) as client:
        readiness = client.get("/readyz")
        answer = _upload(client, booking.pk)

    assert readiness.status_code == 503 and readiness.json()["checks"]["redis"]["ok"] is False
    assert answer["__typename"] == "VoiceNote" and answer["status"] == "PENDING", answer
    note_id = int(answer["id"])
    assert "voice_note.enqueue_failed" in web.output()

    with private_redis(redis_port):  # Redis is back; nobody touches the note
        worker = start_worker(processes, REDIS_URL=redis_url, VOICE_SWEEP_INTERVAL_SECONDS="0.5",
                              VOICE_PENDING_RESEND_SECONDS="1", SLOW_TRANSCRIBER_SECONDS="0")
        wait_for(lambda: status_of(note_id) == TranscriptionStatus.COMPLETED, what="delivery", timeout=120)

    note = VoiceNote.objects.get(pk=note_id)
    assert (note.transcript, note.attempts) == (TEXT, 1)
    assert "voice_note.resent" in worker.output()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _upload(client: httpx.Client, booking_id: int) -> dict:
    import json

    from voice_helpers import ADD_VOICE_NOTE

    operations = {"query": ADD_VOICE_NOTE, "variables": {"booking": str(booking_id), "audio": None}}
    response = client.post("/graphql/", data={"operations": json.dumps(operations),
                                              "map": json.dumps({"0": ["variables.audio"]})},
                           files={"0": ("memo.wav", make_wav(1.0), "audio/wav")})
    assert response.status_code == 200, response.text
    return response.json()["data"]["addVoiceNote"]


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_storage_down_during_an_upload_is_a_clear_error_and_no_row(staff_gql, booking, settings):
    closed = free_port()
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": "voice-notes", "endpoint_url": f"http://127.0.0.1:{closed}",
                    "access_key": "k", "secret_key": "s", "region_name": "us-east-1",
                    "client_config": Config(retries={"max_attempts": 1})},  # fail fast: test speed only
    }}

    response = multipart_upload(staff_gql, booking_id=booking.pk, filename="memo.wav", content=make_wav(1.0))

    answer = response.json()["data"]["addVoiceNote"]
    assert answer["__typename"] == "OperationInfo"
    assert answer["messages"][0]["code"] == "storage_unavailable"
    assert answer["messages"][0]["field"] == "audio"
    assert "nothing was saved" in answer["messages"][0]["message"]
    assert VoiceNote.objects.count() == 0


def test_the_database_failing_after_the_audio_was_stored_leaves_no_file(staff_gql, booking, settings):
    # A real database failure at the insert: a trigger that raises, as a full disk or a killed
    # connection would.
    with connection.cursor() as cursor:
        cursor.execute("""
            CREATE FUNCTION refuse_voice_note() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'simulated database failure'; END $$ LANGUAGE plpgsql;
            CREATE TRIGGER refuse_voice_note BEFORE INSERT ON voice_voicenote
            FOR EACH ROW EXECUTE FUNCTION refuse_voice_note();
        """)
    try:
        response = multipart_upload(staff_gql, booking_id=booking.pk, filename="memo.wav", content=make_wav(1.0))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER refuse_voice_note ON voice_voicenote; DROP FUNCTION refuse_voice_note();")

    assert response.status_code == 200
    assert response.json()["data"] is None  # an internal error, masked: not the client's fault
    assert VoiceNote.objects.count() == 0
    assert stored_files(settings) == []  # the stored audio was removed again
