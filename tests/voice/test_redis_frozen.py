"""Redis frozen (SIGSTOP) during an upload, with the real web process (uvicorn) and a real worker:
the upload answers promptly with the note saved (PENDING), and once Redis answers again the note is
transcribed exactly once (issue 19, finding 1). Redis here is a private redis-server on a free port."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import httpx
import pytest
from test_crash_recovery import (  # noqa: F401  (processes: a fixture)
    _answers, _redis_answers, _upload, free_port, processes, start_worker, status_of, wait_for,
)

from voice.models import TranscriptionStatus, VoiceNote

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

FREEZE_SECONDS = 45  # what the issue measured: the upload answered after 45.06 s


def test_an_upload_while_redis_is_frozen_answers_promptly_and_is_transcribed_once(processes, booking, staff_user):
    from asgi_server import session_cookie

    redis_port, web_port = free_port(), free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    server = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: _redis_answers(redis_port), timeout=20, what="redis-server")
        web = processes([sys.executable, "-m", "uvicorn", "booking_graph.asgi:application", "--app-dir", "backend",
                         "--host", "127.0.0.1", "--port", str(web_port), "--log-level", "warning"],
                        REDIS_URL=redis_url)
        base = f"http://127.0.0.1:{web_port}"
        wait_for(lambda: _answers(f"{base}/healthz"), timeout=60, what="the web process")
        token = "t" * 32
        cookies = {"sessionid": session_cookie(staff_user).split("=", 1)[1], "csrftoken": token}

        os.kill(server.pid, signal.SIGSTOP)  # accepts connections (the kernel does), answers nothing
        try:
            with httpx.Client(base_url=base, cookies=cookies, headers={"X-CSRFToken": token},
                              timeout=FREEZE_SECONDS + 15) as client:
                started = time.monotonic()
                answer = _upload(client, booking.pk)
                elapsed = time.monotonic() - started
                print(f"addVoiceNote answered in {elapsed:.2f} s with Redis frozen")
        finally:
            os.kill(server.pid, signal.SIGCONT)

        # A bound, not a benchmark: well under the freeze the issue measured.
        assert elapsed < 10, elapsed
        assert answer["__typename"] == "VoiceNote" and answer["status"] == "PENDING", answer
        assert "voice_note.enqueue_failed" in web.output() or "voice_note.publish_failed" in web.output()

        start_worker(processes, REDIS_URL=redis_url, VOICE_SWEEP_INTERVAL_SECONDS="0.5",
                     VOICE_PENDING_RESEND_SECONDS="1", SLOW_TRANSCRIBER_SECONDS="0")
        note_id = int(answer["id"])
        wait_for(lambda: status_of(note_id) == TranscriptionStatus.COMPLETED, what="delivery", timeout=120)
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert VoiceNote.objects.count() == 1  # no duplicate note
    assert VoiceNote.objects.get(pk=note_id).attempts == 1
