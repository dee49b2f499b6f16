"""A worker whose transcription provider cannot work refuses to start, saying why."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dramatiq
import pytest

from voice.worker import TranscriberStartupCheck

ROOT = Path(__file__).resolve().parents[2]


def test_check_is_installed_on_the_broker():
    assert any(isinstance(m, TranscriberStartupCheck) for m in dramatiq.get_broker().middleware)


def test_unloadable_model_stops_the_boot_with_the_reason(settings, tmp_path):
    settings.VOICE_TRANSCRIBER = "whisper"
    settings.WHISPER_MODEL = str(tmp_path / "no-model-here")

    with pytest.raises(SystemExit, match="worker not started.*no model.bin"):
        TranscriberStartupCheck().before_worker_boot(dramatiq.get_broker(), None)


def test_provider_without_a_model_boots(settings):
    settings.VOICE_TRANSCRIBER = "scripted_transcriber.ScriptedTranscriber"

    TranscriberStartupCheck().before_worker_boot(dramatiq.get_broker(), None)  # no exception


def test_default_model_boots(settings):
    settings.VOICE_TRANSCRIBER = "whisper"

    TranscriberStartupCheck().before_worker_boot(dramatiq.get_broker(), None)  # loads (or reuses) the model


@pytest.mark.slow
@pytest.mark.django_db
def test_rundramatiq_exits_with_the_reason_when_the_model_is_missing(tmp_path, settings):
    from django.db import connection

    env = {
        **os.environ,
        # The test's Redis and PostgreSQL databases, never the developer's.
        "REDIS_URL": settings.REDIS_URL,
        "DB_NAME": connection.settings_dict["NAME"],
        "WHISPER_MODEL": str(tmp_path / "missing-model"),
        "VOICE_TRANSCRIBER": "whisper",
        "ASSEMBLYAI_API_KEY": "",
        "LOG_LEVEL": "INFO",
    }
    run = subprocess.run(
        [sys.executable, "manage.py", "rundramatiq", "--processes", "1", "--threads", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )
    output = run.stdout + run.stderr

    assert run.returncode != 0
    assert "Transcription provider unavailable, worker not started" in output
    assert "missing-model" in output and "no model.bin" in output


def test_check_transcriber_command_reports_ready():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("check_transcriber", stdout=out)

    assert "transcriber ready: whisper" in out.getvalue()


def test_check_transcriber_command_fails_with_the_reason(settings, tmp_path):
    from django.core.management import CommandError, call_command

    settings.WHISPER_MODEL = str(tmp_path / "gone")

    with pytest.raises(CommandError, match="unavailable.*no model.bin"):
        call_command("check_transcriber")
