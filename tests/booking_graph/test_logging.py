"""Log lines are JSON objects: the event and its context as fields, whatever the values contain."""
from __future__ import annotations

import datetime
import json
import logging
import sys

from django.conf import settings
from django.utils.module_loading import import_string


def formatter() -> logging.Formatter:
    options = dict(settings.LOGGING["formatters"]["json"])
    return import_string(options.pop("()"))(**options)


def record(message: str, level: int = logging.INFO, exc_info=None, **context) -> logging.LogRecord:
    line = logging.LogRecord("voice.services", level, __file__, 1, message, (), exc_info)
    line.__dict__.update(context)  # what logger.info(message, extra=context) does
    return line


def test_a_line_is_one_json_object_with_the_event_and_its_context():
    line = formatter().format(record(
        "voice_note.failed", logging.WARNING, voice_note_id=7, booking_id=3, provider="assemblyai", attempt=2,
        error='AssemblyAI said "bad key" status=401\nsecond line', start=datetime.date(2026, 1, 2),
    ))

    assert "\n" not in line
    data = json.loads(line)
    assert (data["level"], data["logger"], data["message"]) == ("WARNING", "voice.services", "voice_note.failed")
    assert (data["voice_note_id"], data["booking_id"], data["provider"], data["attempt"]) == (7, 3, "assemblyai", 2)
    assert data["error"] == 'AssemblyAI said "bad key" status=401\nsecond line'  # one field, not two keys
    assert data["start"] == "2026-01-02"
    assert datetime.datetime.fromisoformat(data["time"]).tzinfo is not None


def test_a_traceback_stays_inside_the_line():
    try:
        raise ValueError("provider returned garbage")
    except ValueError:
        line = formatter().format(record("voice_note.retry_scheduled", logging.ERROR, exc_info=sys.exc_info()))

    assert "\n" not in line
    data = json.loads(line)
    assert "ValueError: provider returned garbage" in data["exc_info"]
