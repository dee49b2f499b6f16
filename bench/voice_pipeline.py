"""Voice pipeline figures: offline real-time factor, pipeline overhead, upload memory.

    .venv/bin/python bench/voice_pipeline.py

1. PocketSphinx real-time factor (CPU seconds of processing per second of audio) on the fixtures.
2. Pipeline overhead over 20 notes with the loopback AssemblyAI server: time from the upload
   response to COMPLETED in the database, minus the time spent inside the provider.
3. Peak memory (VmHWM) of a gunicorn web worker before and after uploading a ~25 MB file.
"""
from __future__ import annotations

import io
import json
import math
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import wave
from pathlib import Path

from _django import ROOT, median, setup

setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "audio"


def offline_rtf() -> None:
    from voice.audio import probe
    from voice.transcribers.offline import PocketSphinxTranscriber

    print("== PocketSphinx real-time factor (processing s / audio s)")
    transcriber = PocketSphinxTranscriber()
    total_audio = total_cpu = 0.0
    for path in sorted(FIXTURES.glob("*.wav")):
        if path.name.startswith("bad_"):
            continue
        seconds = probe(str(path)).duration_seconds
        started = time.process_time()
        with open(path, "rb") as audio:
            transcriber.transcribe(audio)
        cpu = time.process_time() - started
        total_audio += seconds
        total_cpu += cpu
        print(f"  {path.name:28s} audio {seconds:5.2f} s  cpu {cpu:5.2f} s  RTF {cpu / seconds:.3f}")
    print(f"  overall RTF {total_cpu / total_audio:.3f} ({total_audio:.1f} s of audio)")


class TimedAssemblyAI:
    """The real AssemblyAI provider, timing each call (selected by dotted path, like any provider)."""

    name = "assemblyai"
    durations: list[float] = []

    def __init__(self) -> None:
        from voice.transcribers.assemblyai import AssemblyAITranscriber

        self.inner = AssemblyAITranscriber.from_settings()

    def transcribe(self, audio):
        started = time.monotonic()
        try:
            return self.inner.transcribe(audio)
        finally:
            TimedAssemblyAI.durations.append(time.monotonic() - started)


def pipeline_overhead(notes: int = 20) -> None:
    import dramatiq
    from django.conf import settings
    from django.test import Client
    from dramatiq import Worker
    from fake_assemblyai import start_fake_assemblyai
    from graphql_client import GraphQLClient
    from voice_helpers import multipart_upload

    from bookings.models import Booking
    from catalog import services as catalog_services
    from bookings import services as booking_services
    from bookings.selectors import today
    from voice.models import TranscriptionStatus, VoiceNote

    print(f"\n== Pipeline overhead over {notes} notes (fake AssemblyAI on loopback, real Redis + worker)")
    fake, server = start_fake_assemblyai()
    fake.polls_before_done = 1
    settings.VOICE_TRANSCRIBER = "voice_pipeline.TimedAssemblyAI"
    settings.ASSEMBLYAI_API_KEY = fake.api_key
    settings.ASSEMBLYAI_BASE_URL = fake.base_url
    settings.ASSEMBLYAI_POLLING_INTERVAL = 0.01
    settings.ALLOWED_HOSTS = ["*"]
    sys.modules.setdefault("voice_pipeline", sys.modules["__main__"])

    broker = dramatiq.get_broker()
    broker.flush_all()
    worker = Worker(broker, worker_threads=1)
    worker.start()
    staff = _staff_user()
    client = GraphQLClient(Client(enforce_csrf_checks=True))
    client.login(staff)
    hotel = catalog_services.create_hotel(name="Bench Hotel", location="Bench", price=100, rooms=50)
    booking = booking_services.create_booking(
        accommodation_id=hotel.pk, start_date=today(), end_date=today().replace(year=today().year + 1),
        guest_name="Bench Guest",
    ) if not Booking.objects.filter(accommodation=hotel).exists() else Booking.objects.filter(accommodation=hotel).first()
    audio = (FIXTURES / "late_checkout.mp3").read_bytes()
    overheads, totals = [], []
    try:
        for _ in range(notes):
            response = multipart_upload(client, booking_id=booking.pk, filename="memo.mp3", content=audio)
            answered = time.time()
            note_id = response.json()["data"]["addVoiceNote"]["id"]
            while True:
                note = VoiceNote.objects.get(pk=note_id)
                if note.status in (TranscriptionStatus.COMPLETED, TranscriptionStatus.FAILED):
                    break
                time.sleep(0.005)
            assert note.status == TranscriptionStatus.COMPLETED, note.error
            total = note.transcribed_at.timestamp() - answered
            totals.append(total)
            overheads.append(total - TimedAssemblyAI.durations[-1])
    finally:
        worker.stop()
        server.shutdown()
    print(f"  upload response -> COMPLETED: median {median(totals) * 1000:.1f} ms")
    print(f"  inside the provider (SDK + loopback server): median {median(TimedAssemblyAI.durations) * 1000:.1f} ms")
    print(f"  pipeline overhead (queue, worker, DB, storage): median {median(overheads) * 1000:.1f} ms, "
          f"max {max(overheads) * 1000:.1f} ms")


def _staff_user():
    user, _ = get_user_model().objects.get_or_create(username="bench-staff", defaults={"is_staff": True})
    return user


def big_wav(path: Path, target_bytes: int = 25 * 1024 * 1024 - 4096) -> int:
    """A 44.1 kHz stereo WAV just under 25 MB (about 2.5 minutes: inside the duration limit)."""
    rate, channels = 44100, 2
    frames = (target_bytes - 44) // (2 * channels)
    second = b"".join(
        struct.pack("<hh", v, v) for v in (int(6000 * math.sin(2 * math.pi * 330 * n / rate)) for n in range(rate))
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        written = 0
        while written < frames:
            chunk = min(rate, frames - written)
            out.writeframes(second[: chunk * 2 * channels])
            written += chunk
    return path.stat().st_size


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _vm_hwm_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


def _multipart_body(fields: dict[str, str], file_field: str, filename: str, path: Path, boundary: str):
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head, tail


def upload_memory() -> None:
    from booking_graph import settings as project_settings  # noqa: F401
    from bookings.models import Booking

    print("\n== Web worker peak memory while uploading a ~25 MB file (gunicorn, 1 sync worker)")
    port = _free_port()
    env = {**os.environ, "DB_NAME": "booking_graph_bench", "DEBUG": "1", "ALLOWED_HOSTS": "127.0.0.1",
           "MEDIA_ROOT": tempfile.mkdtemp(prefix="bench-media-"), "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "booking_graph.wsgi:application", "--chdir", str(ROOT / "backend"),
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "120"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/graphql/?query=%7B__typename%7D", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        worker_pid = int(subprocess.check_output(["pgrep", "-P", str(server.pid)]).split()[0])
        session = SessionStore()
        staff = _staff_user()
        session["_auth_user_id"] = str(staff.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = staff.get_session_auth_hash()
        session.create()
        booking = Booking.objects.first()
        before = _vm_hwm_kb(worker_pid)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "big.wav"
            size = big_wav(path)
            boundary = "benchboundary7d1f"
            operations = json.dumps({
                "query": "mutation($b: ID!, $a: Upload!){ addVoiceNote(booking: $b, audio: $a){ __typename "
                         "... on VoiceNote { sizeBytes durationSeconds } ... on OperationInfo { messages { code } } } }",
                "variables": {"b": str(booking.pk), "a": None},
            })
            head, tail = _multipart_body({"operations": operations, "map": '{"0": ["variables.a"]}'}, "0", "big.wav", path, boundary)
            token = "a" * 32
            with open(path, "rb") as audio:
                body = head + audio.read() + tail  # the client's copy; we measure the server
            request = urllib.request.Request(
                base + "/graphql/", data=body, method="POST",
                headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                         "Cookie": f"sessionid={session.session_key}; csrftoken={token}", "X-CSRFToken": token},
            )
            with urllib.request.urlopen(request, timeout=120) as response:
                answer = json.loads(response.read())
        after = _vm_hwm_kb(worker_pid)
        print(f"  upload of {size / 1e6:.1f} MB answered: {answer['data']['addVoiceNote']}")
        print(f"  worker VmHWM before {before / 1024:.1f} MiB, after {after / 1024:.1f} MiB, "
              f"growth {(after - before) / 1024:.1f} MiB = {(after - before) * 1024 / size:.2f} x the file size")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


if __name__ == "__main__":
    offline_rtf()
    pipeline_overhead()
    upload_memory()
