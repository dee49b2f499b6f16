"""A provider that takes SLOW_TRANSCRIBER_SECONDS: long enough to kill its worker mid-transcription."""
from __future__ import annotations

import os
import time
from typing import BinaryIO

from voice.transcribers.base import Transcript

TEXT = "Transcribed after the crash."


class SlowTranscriber:
    name = "slow"

    def transcribe(self, audio: BinaryIO, **options) -> Transcript:
        audio.read()
        time.sleep(float(os.environ.get("SLOW_TRANSCRIBER_SECONDS", "0")))
        return Transcript(text=TEXT, confidence=0.9, language="en")
