"""Provider registry: `VOICE_TRANSCRIBER` names one of these, or is a dotted path to a class.

Adding a provider = one class implementing ``Transcriber`` + one setting value.
"""
from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Transcriber

PROVIDERS = {
    "assemblyai": "voice.transcribers.assemblyai.AssemblyAITranscriber",
    "pocketsphinx": "voice.transcribers.offline.PocketSphinxTranscriber",
}


def get_transcriber(name: str | None = None) -> Transcriber:
    name = name or settings.VOICE_TRANSCRIBER
    provider_class = import_string(PROVIDERS.get(name, name))
    from_settings = getattr(provider_class, "from_settings", None)
    return from_settings() if from_settings else provider_class()
