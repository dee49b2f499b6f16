"""A provider whose outcomes a test scripts: exercises the worker's state machine.

Selected like any provider, by dotted path in VOICE_TRANSCRIBER, which also shows
that adding a provider is one class and one setting value.
"""
from __future__ import annotations

import threading
from typing import BinaryIO, Sequence

from voice.transcribers.base import Transcript


class ScriptedTranscriber:
    name = "scripted"
    outcomes: list = []  # each item: a Transcript to return or an exception to raise
    calls: list[int] = []  # sizes of the audio received, one per call
    key_terms: list[tuple[str, ...]] = []  # the key terms received, one per call
    languages: list[tuple[str, ...]] = []  # the candidate languages received, one per call
    _lock = threading.Lock()

    @classmethod
    def script(cls, *outcomes) -> None:
        with cls._lock:
            cls.outcomes = list(outcomes)
            cls.calls = []
            cls.key_terms = []
            cls.languages = []

    def transcribe(self, audio: BinaryIO, *, key_terms: Sequence[str] = (), languages: Sequence[str] = ()) -> Transcript:
        data = audio.read()
        with self._lock:
            self.calls.append(len(data))
            self.key_terms.append(tuple(key_terms))
            self.languages.append(tuple(languages))
            outcome = self.outcomes.pop(0) if self.outcomes else Transcript(text="default text")
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome
