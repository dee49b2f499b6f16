"""Provider registry: `VOICE_TRANSCRIBER` names one of these, or is a dotted path to a class.

Adding a provider = one class implementing ``Transcriber`` + one setting value.
"""
from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Transcriber

PROVIDERS = {
    "assemblyai": "voice.transcribers.assemblyai.AssemblyAITranscriber",
    "whisper": "voice.transcribers.whisper.WhisperTranscriber",
}


def get_transcriber(name: str | None = None) -> Transcriber:
    name = name or settings.VOICE_TRANSCRIBER
    provider_class = import_string(PROVIDERS.get(name, name))
    from_settings = getattr(provider_class, "from_settings", None)
    return from_settings() if from_settings else provider_class()


def preload_transcriber() -> Transcriber:
    """Build the configured provider and load what it needs up front (the offline model).

    Called when a worker process boots, so a bad configuration stops the worker with its
    reason instead of failing every note later."""
    transcriber = get_transcriber()
    preload = getattr(transcriber, "preload", None)
    if preload:
        preload()
    return transcriber
