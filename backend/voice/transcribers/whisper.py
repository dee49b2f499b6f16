"""Offline provider: Whisper through faster-whisper (CTranslate2). No key, no network.

The default weights are Whisper base (multilingual: English, Portuguese, German, Spanish...) in
CTranslate2 format from the two registry packages pinned (version and sha256) in
requirements-models.txt, joined and checked against Systran's hashes by
``voice.transcribers.weights``. `WHISPER_MODEL` points elsewhere (a directory, or a model name
already in the local Hugging Face cache). `WHISPER_ENGLISH_MODEL=tiny.en` transcribes English
notes with the pinned Whisper tiny.en instead (cheaper, less accurate: docs/voice-notes.md).
Nothing is downloaded at run time: a model that is not on disk is a clear start-up error, never
a network call.

Language: the worker passes the note's candidate languages. One is used as given; several are
decided by the model's language detection restricted to them (the most probable of the
candidates, whatever else the model thought); none: WHISPER_LANGUAGE, else free detection.

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

from . import weights  # noqa: E402
from .base import PermanentTranscriptionError, Transcript  # noqa: E402
from .weights import INSTALL_HINT  # noqa: E402

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16000
ENGLISH_ONLY = "tiny.en"  # WHISPER_ENGLISH_MODEL value: the pinned tiny.en package for English notes


class WhisperModelUnavailable(PermanentTranscriptionError):
    """The configured model cannot be loaded: a deployment problem, reported before any note is taken."""


@dataclass(frozen=True)
class WhisperConfig:
    model: str = ""  # "" = the pinned Whisper base weights; else a directory or a cached model name
    english_model: str = ""  # "" = `model` for English too; "tiny.en" = the pinned tiny.en; or a directory
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
            english_model=settings.WHISPER_ENGLISH_MODEL,
            device=settings.WHISPER_DEVICE,
            compute_type=settings.WHISPER_COMPUTE_TYPE,
            cpu_threads=settings.WHISPER_CPU_THREADS,
            num_workers=settings.WHISPER_NUM_WORKERS,
            beam_size=settings.WHISPER_BEAM_SIZE,
            vad=settings.WHISPER_VAD,
            language=settings.WHISPER_LANGUAGE,
            hotwords=settings.WHISPER_HOTWORDS,
        )

    def load_key(self, model: str) -> tuple:
        return (model, self.device, self.compute_type, self.cpu_threads, self.num_workers)


_models: dict[tuple, WhisperModel] = {}
_models_lock = threading.Lock()


def default_model_dir() -> Path:
    """Whisper base, joined from its pinned parts and checked by sha256 (once; then reused)."""
    try:
        return weights.joined_dir()
    except (weights.WeightsUnavailable, OSError) as exc:
        raise WhisperModelUnavailable(
            f"The default Whisper weights (Whisper base) are unavailable: {exc} Run `{INSTALL_HINT}`, "
            "or set WHISPER_MODEL to a CTranslate2 Whisper model directory."
        ) from exc


def english_only_model_dir() -> Path:
    try:
        return weights.english_only_dir()
    except weights.WeightsUnavailable as exc:
        raise WhisperModelUnavailable(str(exc)) from exc


def resolve_location(model: str) -> str:
    """A directory path, or a model name that faster-whisper looks up in the local cache only."""
    if not model:
        return str(default_model_dir())
    if model == ENGLISH_ONLY:
        return str(english_only_model_dir())
    looks_like_path = os.sep in model or model.startswith((".", "~"))
    if looks_like_path:
        path = Path(model).expanduser()
        if not (path / "model.bin").is_file():
            raise WhisperModelUnavailable(
                f"WHISPER_MODEL={model!r} is not a CTranslate2 Whisper model directory (no model.bin in it)."
            )
        return str(path)
    return model


def load_model(config: WhisperConfig, model: str | None = None) -> WhisperModel:
    """The process-wide model for this configuration (``config.model`` unless another is named),
    loaded on first use (under a lock: once)."""
    name = config.model if model is None else model
    key = config.load_key(name)
    with _models_lock:
        loaded = _models.get(key)
        if loaded is None:
            loaded = _models[key] = _load(config, name)
    return loaded


def _load(config: WhisperConfig, name: str) -> WhisperModel:
    location = resolve_location(name)
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
        """Load the model(s) now (worker start-up): raises WhisperModelUnavailable with the reason."""
        load_model(self.config)
        if self.config.english_model:
            load_model(self.config, self.config.english_model)

    def transcribe(self, audio: BinaryIO, *, key_terms: Sequence[str] = (), languages: Sequence[str] = ()) -> Transcript:
        model = load_model(self.config)
        try:
            pcm = decode_to_pcm16k_mono(audio)
        except UndecodableAudio as exc:
            raise PermanentTranscriptionError(f"Audio could not be decoded: {exc}") from exc
        if not pcm:
            raise PermanentTranscriptionError("Audio contains no samples.")
        samples = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768.0
        started = time.monotonic()
        language, detected = self._language(model, samples, languages)
        if language == "en" and self.config.english_model:
            model = load_model(self.config, self.config.english_model)
        if not model.model.is_multilingual:
            language = "en"
        segments, info = model.transcribe(
            samples,
            beam_size=self.config.beam_size,
            vad_filter=self.config.vad,
            language=language or None,
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
                   "language": info.language, "candidates": list(languages),
                   "duration": round(time.monotonic() - started, 3)},
        )
        extra = {"segments": timed, "language_probability": round(info.language_probability, 4)}
        if detected:
            extra["language_probabilities"] = detected
        return Transcript(
            text=" ".join(item["text"] for item in timed),
            confidence=confidence,
            language=info.language,
            extra=extra,
        )

    def _language(self, model: WhisperModel, samples, languages: Sequence[str]) -> tuple[str, dict]:
        """The language to decode in, and (when detected among candidates) their probabilities."""
        candidates = list(dict.fromkeys(languages))
        if len(candidates) == 1:
            return candidates[0], {}
        if not candidates:
            return self.config.language, {}  # "" = the model's own unrestricted detection
        if not model.model.is_multilingual:
            return "en", {}
        # Restricted detection: the most probable of the candidates, whatever else the model thought.
        try:
            _, _, probabilities = model.detect_language(samples, vad_filter=self.config.vad)
        except (ValueError, IndexError):  # no speech at all: nothing to tell the candidates apart
            return candidates[0], {}
        scores = {code: prob for code, prob in probabilities if code in candidates}
        chosen = max(candidates, key=lambda code: scores.get(code, 0.0))
        return chosen, {code: round(scores.get(code, 0.0), 4) for code in candidates}
