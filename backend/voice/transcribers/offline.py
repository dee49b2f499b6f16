"""Offline provider: PocketSphinx with the en-us model its wheel ships. No key, no network.

Accuracy is modest (see tests/voice/test_offline_transcriber.py for measured word
error rates); it exists so the pipeline works on any machine and as a fallback.
"""
from __future__ import annotations

import logging
import time
from typing import BinaryIO

from pocketsphinx import Decoder

from voice.audio import UndecodableAudio, decode_to_pcm16k_mono

from .base import PermanentTranscriptionError, Transcript

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16000


class PocketSphinxTranscriber:
    name = "pocketsphinx"

    def transcribe(self, audio: BinaryIO) -> Transcript:
        try:
            pcm = decode_to_pcm16k_mono(audio)
        except UndecodableAudio as exc:
            raise PermanentTranscriptionError(f"Audio could not be decoded: {exc}") from exc
        if not pcm:
            raise PermanentTranscriptionError("Audio contains no samples.")
        started = time.monotonic()
        # A fresh decoder per file: a reused one carries adaptation state and gives different text.
        decoder = Decoder(samprate=SAMPLE_RATE, loglevel="FATAL")
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        text = hypothesis.hypstr.strip() if hypothesis else ""
        logger.info(
            "transcriber.offline_done",
            extra={
                "provider": self.name,
                "audio_seconds": round(len(pcm) / 2 / SAMPLE_RATE, 2),
                "duration": round(time.monotonic() - started, 3),
            },
        )
        # PocketSphinx gives no calibrated confidence for a whole utterance: report none rather than invent one.
        return Transcript(text=text, confidence=None, language="en")

