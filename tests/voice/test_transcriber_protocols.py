"""Which providers can run a note as a submitted job (webhook mode): a protocol, not a getattr."""
from __future__ import annotations

from scripted_transcriber import ScriptedTranscriber

from voice.transcribers.assemblyai import AssemblyAITranscriber
from voice.transcribers.base import SubmittingTranscriber, Transcriber
from voice.transcribers.whisper import WhisperTranscriber


def test_assemblyai_submits_jobs():
    assemblyai = AssemblyAITranscriber(api_key="test-key")  # no request is made

    assert isinstance(assemblyai, Transcriber) and isinstance(assemblyai, SubmittingTranscriber)


def test_offline_providers_only_transcribe():
    for offline in (WhisperTranscriber(), ScriptedTranscriber()):  # Whisper builds no model until asked
        assert isinstance(offline, Transcriber) and not isinstance(offline, SubmittingTranscriber)


def test_webhook_mode_needs_the_setting_and_a_submitting_provider(settings):
    from voice.services.provider_jobs import webhook_mode

    assemblyai = AssemblyAITranscriber(api_key="test-key")
    settings.ASSEMBLYAI_WEBHOOK_URL = ""
    assert not webhook_mode(assemblyai)
    settings.ASSEMBLYAI_WEBHOOK_URL = "https://example.com/webhooks/assemblyai/"
    assert webhook_mode(assemblyai) and not webhook_mode(WhisperTranscriber())
